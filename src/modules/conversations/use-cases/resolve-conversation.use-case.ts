import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { DomainError } from '../../../common/domain-error';
import type { Actor } from '../../auth/actor';
import { ConversationWorkflows } from '../../../temporal/conversation-workflows';
import { type EventCause, recordConversationEvent } from '../conversation-events';
import { recordDecision } from '../decision-log';
import { ConversationAccess } from '../conversation-access';
import type { Conversation } from '../conversation.entity';

export interface ResolveConversationInput {
  /**
   * Set when an automation rule's action makes this change (the event log names the rule). Its workflow is not
   * signalled: the automation pass that ran the action answers the change in the same workflow task.
   */
  cause?: EventCause;
  /** Absent for the system (automation). */
  actor?: Actor;
  conversationId: string;
}

/**
 * Closes a conversation (status resolved, resolvedAt now). Any member of the inbox may, in either
 * assignment mode. Resolving a resolved conversation changes nothing; a spam one must be reopened first.
 */
@Injectable()
export class ResolveConversationUseCase {
  constructor(
    private readonly em: EntityManager,
    private readonly conversations: ConversationAccess,
    private readonly workflows: ConversationWorkflows,
  ) {}

  async execute(input: ResolveConversationInput): Promise<{ conversation: Conversation; changed: boolean }> {
    const result = await this.em.fork().transactional(async (em) => {
      const { conversation } = await this.conversations.load(em, input.conversationId, input.actor, { lock: true });
      if (conversation.status === 'resolved') return { conversation, changed: false };
      if (conversation.status === 'spam') {
        throw new DomainError('UNPROCESSABLE', `status: conversation ${conversation.id} was closed as spam; reopen it first`, [
          { field: 'status', problem: 'is spam' },
        ]);
      }
      const from = conversation.status;
      conversation.status = 'resolved';
      conversation.resolvedAt = new Date();
      conversation.queuedAt = null;
      await recordDecision(em, { conversationId: conversation.id, kind: 'status', summary: `resolved by ${input.actor ? input.actor.name : 'the system'}`, actorUserId: input.actor?.userId });
      await recordConversationEvent(em, { conversationId: conversation.id, type: 'status_changed', data: { from: from, to: conversation.status }, actorUserId: input.actor?.userId, cause: input.cause });
      return { conversation, changed: true };
    });
    if (result.changed && !input.cause) await this.workflows.notifyChanged([result.conversation.id], `resolved by ${input.actor ? input.actor.name : 'the system'}`);
    return result;
  }
}
