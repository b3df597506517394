import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { DomainError } from '../../../common/domain-error';
import { Account } from '../account.entity';

@Injectable()
export class GetAccountUseCase {
  constructor(private readonly em: EntityManager) {}

  async execute(id: string): Promise<Account> {
    const account = await this.em.fork().findOne(Account, { id });
    if (!account) throw DomainError.notFound('account', id);
    return account;
  }
}
