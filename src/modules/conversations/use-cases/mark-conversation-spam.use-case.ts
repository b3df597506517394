import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import type { Actor } from '../../auth/actor';
import { Contact } from '../../contacts/contact.entity';
import { ConversationWorkflows } from '../../../temporal/conversation-workflows';
import { type EventCause, recordConversationEvent } from '../conversation-events';
import { recordDecision } from '../decision-log';
import { ConversationAccess } from '../conversation-access';
import type { Conversation } from '../conversation.entity';

export interface MarkConversationSpamInput {
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
 * Close as spam: status spam (gone from the default lists, listed only with status=spam) and the
 * contact marked spam. Any member of the inbox may. A later message from the contact starts a new
 * conversation (the inbound path skips spam conversations).
 */
@Injectable()
export class MarkConversationSpamUseCase {
  constructor(
    private readonly em: EntityManager,
    private readonly conversations: ConversationAccess,
    private readonly workflows: ConversationWorkflows,
  ) {}

  async execute(input: MarkConversationSpamInput): Promise<{ conversation: Conversation; changed: boolean }> {
    const result = await this.em.fork().transactional(async (em) => {
      const { conversation } = await this.conversations.load(em, input.conversationId, input.actor, { lock: true });
      await em.nativeUpdate(Contact, { id: conversation.contact.id }, { spam: true });
      if (conversation.status === 'spam') return { conversation, changed: false };
      const from = conversation.status;
      conversation.status = 'spam';
      conversation.queuedAt = null;
      await recordDecision(em, { conversationId: conversation.id, kind: 'status', summary: `marked as spam by ${input.actor ? input.actor.name : 'the system'}`, actorUserId: input.actor?.userId });
      await recordConversationEvent(em, { conversationId: conversation.id, type: 'status_changed', data: { from: from, to: conversation.status }, actorUserId: input.actor?.userId, cause: input.cause });
      return { conversation, changed: true };
    });
    if (result.changed && !input.cause) await this.workflows.notifyChanged([result.conversation.id], `marked as spam by ${input.actor ? input.actor.name : 'the system'}`);
    return result;
  }
}
