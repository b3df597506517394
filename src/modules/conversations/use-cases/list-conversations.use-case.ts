import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { Conversation, type ConversationStatus } from '../conversation.entity';

@Injectable()
export class ListConversationsUseCase {
  constructor(private readonly em: EntityManager) {}

  async execute(input: { inboxId: string; status?: ConversationStatus; limit?: number }): Promise<Conversation[]> {
    return this.em.fork().find(
      Conversation,
      { inbox: input.inboxId, ...(input.status ? { status: input.status } : { status: { $ne: 'spam' } }) },
      { orderBy: { lastActivityAt: 'desc', id: 'desc' }, limit: input.limit ?? 50 },
    );
  }
}
