import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { Account } from '../account.entity';

@Injectable()
export class CreateAccountUseCase {
  constructor(private readonly em: EntityManager) {}

  async execute(input: { name: string }): Promise<Account> {
    const em = this.em.fork();
    const account = em.create(Account, { name: input.name });
    await em.flush();
    return account;
  }
}
