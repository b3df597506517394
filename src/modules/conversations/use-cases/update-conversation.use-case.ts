import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { DomainError } from '../../../common/domain-error';
import type { Actor } from '../../auth/actor';
import { ConversationWorkflows } from '../../../temporal/conversation-workflows';
import { ConversationAccess } from '../conversation-access';
import { type EventCause, recordConversationEvents } from '../conversation-events';

export interface UpdateConversationInput {
  /** Absent for the system (automation). */
  actor?: Actor;
  conversationId: string;
  /** 0 none .. 4 urgent; required (the only field that can be changed). */
  priority?: number;
  /** Set when an automation rule's action makes this change (the event log names the rule). */
  cause?: EventCause;
}

/** Changes a conversation's own attributes (today: priority 0..4). Any member of its inbox may. */
@Injectable()
export class UpdateConversationUseCase {
  constructor(
    private readonly em: EntityManager,
    private readonly conversations: ConversationAccess,
    private readonly workflows: ConversationWorkflows,
  ) {}

  async execute(input: UpdateConversationInput): Promise<void> {
    if (input.priority === undefined) throw DomainError.invalid('priority', 'is required (the only field that can be changed)');
    if (!Number.isInteger(input.priority) || input.priority < 0 || input.priority > 4) {
      throw DomainError.invalid('priority', 'must be an integer from 0 (none) to 4 (urgent)');
    }
    const changed = await this.em.fork().transactional(async (em) => {
      const { conversation } = await this.conversations.load(em, input.conversationId, input.actor, { lock: true });
      const from = conversation.priority;
      if (from === input.priority) return false;
      conversation.priority = input.priority!;
      await recordConversationEvents(em, [{ conversationId: conversation.id, type: 'priority_changed', data: { from, to: input.priority }, actorUserId: input.actor?.userId, cause: input.cause }]);
      return true;
    });
    // A rule's own change is picked up by the automation pass that made it (tags and priority are no search attributes).
    if (changed && !input.cause) await this.workflows.notifyChanged([input.conversationId], `priority set to ${input.priority}`);
  }
}
