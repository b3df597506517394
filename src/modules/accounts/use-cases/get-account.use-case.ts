import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import type { Actor } from '../../auth/actor';
import { Account } from '../account.entity';

export interface GetAccountInput {
  actor: Actor;
}

/** The caller's account. */
@Injectable()
export class GetAccountUseCase {
  constructor(private readonly em: EntityManager) {}

  async execute(input: GetAccountInput): Promise<Account> {
    return this.em.fork().findOneOrFail(Account, { id: input.actor.accountId });
  }
}
