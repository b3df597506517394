import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { DomainError } from '../../../common/domain-error';
import type { Actor } from '../../auth/actor';
import { Contact } from '../../contacts/contact.entity';
import { ConversationWorkflows } from '../../../temporal/conversation-workflows';
import { type EventCause, recordConversationEvent } from '../conversation-events';
import { recordDecision } from '../decision-log';
import { ConversationAccess } from '../conversation-access';
import { Conversation } from '../conversation.entity';

export interface ReopenConversationInput {
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
 * Reopens a resolved, spam or pending conversation (status open, resolvedAt cleared). Reopening a spam
 * conversation clears the contact's spam mark unless another of its conversations is still spam.
 * Reopening an open conversation changes nothing; a new one is not closed (422) unless an automation
 * rule opens it.
 */
@Injectable()
export class ReopenConversationUseCase {
  constructor(
    private readonly em: EntityManager,
    private readonly conversations: ConversationAccess,
    private readonly workflows: ConversationWorkflows,
  ) {}

  async execute(input: ReopenConversationInput): Promise<{ conversation: Conversation; changed: boolean }> {
    const result = await this.em.fork().transactional(async (em) => {
      const { conversation } = await this.conversations.load(em, input.conversationId, input.actor, { lock: true });
      if (conversation.status === 'open') return { conversation, changed: false };
      // Pending goes back to open (no longer waiting on the customer); a rule may also open a new one.
      const reopenable = ['resolved', 'spam', 'pending', ...(input.cause ? ['new'] : [])];
      if (!reopenable.includes(conversation.status)) {
        throw new DomainError('UNPROCESSABLE', `status: conversation ${conversation.id} is ${conversation.status}, not resolved, spam or pending`, [
          { field: 'status', problem: `is ${conversation.status}, not resolved, spam or pending` },
        ]);
      }
      const from = conversation.status;
      const wasSpam = conversation.status === 'spam';
      conversation.status = 'open';
      conversation.resolvedAt = null;
      await em.flush();
      if (wasSpam) {
        const stillSpam = await em.count(Conversation, { contact: conversation.contact.id, status: 'spam' });
        if (stillSpam === 0) await em.nativeUpdate(Contact, { id: conversation.contact.id }, { spam: false });
      }
      await recordDecision(em, { conversationId: conversation.id, kind: 'status', summary: `reopened by ${input.actor ? input.actor.name : 'the system'}`, actorUserId: input.actor?.userId });
      await recordConversationEvent(em, { conversationId: conversation.id, type: 'status_changed', data: { from: from, to: conversation.status }, actorUserId: input.actor?.userId, cause: input.cause });
      return { conversation, changed: true };
    });
    if (result.changed && !input.cause) await this.workflows.notifyChanged([result.conversation.id], `reopened by ${input.actor ? input.actor.name : 'the system'}`);
    return result;
  }
}
