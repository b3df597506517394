import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import type { Actor } from '../../auth/actor';
import { Account } from '../account.entity';

@Injectable()
export class GetAccountUseCase {
  constructor(private readonly em: EntityManager) {}

  async execute(actor: Actor): Promise<Account> {
    return this.em.fork().findOneOrFail(Account, { id: actor.accountId });
  }
}
