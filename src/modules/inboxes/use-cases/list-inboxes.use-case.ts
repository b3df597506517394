import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { Inbox } from '../inbox.entity';

@Injectable()
export class ListInboxesUseCase {
  constructor(private readonly em: EntityManager) {}

  async execute(accountId: string): Promise<Inbox[]> {
    return this.em.fork().find(Inbox, { account: accountId }, { orderBy: { createdAt: 'asc', id: 'asc' } });
  }
}
