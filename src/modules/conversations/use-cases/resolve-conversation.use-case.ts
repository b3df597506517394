import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { DomainError } from '../../../common/domain-error';
import type { Actor } from '../../auth/actor';
import { ConversationAccess } from '../conversation-access';
import type { Conversation } from '../conversation.entity';

/**
 * Closes a conversation (status resolved, resolvedAt now). Any member of the inbox may, in either
 * assignment mode. Resolving a resolved conversation changes nothing; a spam one must be reopened first.
 */
@Injectable()
export class ResolveConversationUseCase {
  constructor(
    private readonly em: EntityManager,
    private readonly conversations: ConversationAccess,
  ) {}

  async execute(input: { actor?: Actor; conversationId: string }): Promise<{ conversation: Conversation; changed: boolean }> {
    return this.em.fork().transactional(async (em) => {
      const { conversation } = await this.conversations.load(em, input.conversationId, input.actor, { lock: true });
      if (conversation.status === 'resolved') return { conversation, changed: false };
      if (conversation.status === 'spam') {
        throw new DomainError('UNPROCESSABLE', `status: conversation ${conversation.id} was closed as spam; reopen it first`, [
          { field: 'status', problem: 'is spam' },
        ]);
      }
      conversation.status = 'resolved';
      conversation.resolvedAt = new Date();
      return { conversation, changed: true };
    });
  }
}
