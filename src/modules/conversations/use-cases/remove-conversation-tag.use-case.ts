import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import type { Actor } from '../../auth/actor';
import { ConversationWorkflows } from '../../../temporal/conversation-workflows';
import { ConversationAccess } from '../conversation-access';
import { type EventCause, recordConversationEvents } from '../conversation-events';
import { ConversationTag } from '../conversation.entity';
import { normaliseTag } from '../tags';

export interface RemoveConversationTagInput {
  /** Absent for the system (automation). */
  actor?: Actor;
  conversationId: string;
  tag: string;
  /** Set when an automation rule's action makes this change (the event log names the rule). */
  cause?: EventCause;
}

/** Removes one tag (a no-op when the conversation does not have it). Without an actor: the system. */
@Injectable()
export class RemoveConversationTagUseCase {
  constructor(
    private readonly em: EntityManager,
    private readonly conversations: ConversationAccess,
    private readonly workflows: ConversationWorkflows,
  ) {}

  async execute(input: RemoveConversationTagInput): Promise<void> {
    const tag = normaliseTag(input.tag);
    const removed = await this.em.fork().transactional(async (em) => {
      const { conversation } = await this.conversations.load(em, input.conversationId, input.actor, { lock: true });
      const n = await em.nativeDelete(ConversationTag, { conversation: conversation.id, tag });
      if (n > 0) await recordConversationEvents(em, [{ conversationId: conversation.id, type: 'tag_removed', data: { tag }, actorUserId: input.actor?.userId, cause: input.cause }]);
      return n > 0;
    });
    // A rule's own change is picked up by the automation pass that made it (tags and priority are no search attributes).
    if (removed && !input.cause) await this.workflows.notifyChanged([input.conversationId], `tag ${tag} removed`);
  }
}
