import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { DomainError } from '../../../common/domain-error';
import type { Actor } from '../../auth/actor';
import { ConversationWorkflows } from '../../../temporal/conversation-workflows';
import { type EventCause, recordConversationEvent } from '../conversation-events';
import { recordDecision } from '../decision-log';
import { ConversationAccess } from '../conversation-access';
import type { Conversation } from '../conversation.entity';

export interface SetConversationPendingInput {
  /**
   * Set when an automation rule's action makes this change (the event log names the rule). Its workflow is not
   * signalled: the automation pass that ran the action answers the change in the same workflow task.
   */
  cause?: EventCause;
  /** Absent for the system (automation rules). */
  actor?: Actor;
  conversationId: string;
}

/**
 * Sets a conversation to `pending`: the agent (or a rule) waits on the customer. Who may: any member
 * of the inbox, in either assignment mode, as for resolve. A new or open conversation becomes
 * pending; a pending one changes nothing; a resolved or spam one must be reopened first (422 naming
 * status). The customer's next message moves it back to new (ReceiveInboundMessageUseCase). The
 * conversation workflow is told (conversationChanged), so its search attributes follow.
 */
@Injectable()
export class SetConversationPendingUseCase {
  constructor(
    private readonly em: EntityManager,
    private readonly conversations: ConversationAccess,
    private readonly workflows: ConversationWorkflows,
  ) {}

  async execute(input: SetConversationPendingInput): Promise<{ conversation: Conversation; changed: boolean }> {
    const by = input.actor ? input.actor.name : 'the system';
    const result = await this.em.fork().transactional(async (em) => {
      const { conversation } = await this.conversations.load(em, input.conversationId, input.actor, { lock: true });
      if (conversation.status === 'pending') return { conversation, changed: false };
      if (conversation.status === 'resolved' || conversation.status === 'spam') {
        const what = conversation.status === 'spam' ? 'was closed as spam' : 'is resolved';
        throw new DomainError('UNPROCESSABLE', `status: conversation ${conversation.id} ${what}; reopen it before setting it pending`, [
          { field: 'status', problem: `is ${conversation.status}` },
        ]);
      }
      const from = conversation.status;
      conversation.status = 'pending';
      await recordDecision(em, {
        conversationId: conversation.id,
        kind: 'status',
        summary: `set to pending by ${by} (was ${from}): waiting on the customer`,
        details: { from, to: 'pending' },
        actorUserId: input.actor?.userId,
      });
      await recordConversationEvent(em, { conversationId: conversation.id, type: 'status_changed', data: { from: from, to: conversation.status }, actorUserId: input.actor?.userId, cause: input.cause });
      return { conversation, changed: true };
    });
    if (result.changed && !input.cause) await this.workflows.notifyChanged([result.conversation.id], `set to pending by ${by}`);
    return result;
  }
}
