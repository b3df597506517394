import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import type { Actor } from '../../auth/actor';
import { ConversationWorkflows } from '../../../temporal/conversation-workflows';
import { ConversationAccess } from '../conversation-access';
import { type EventCause, recordConversationEvents } from '../conversation-events';
import { ConversationTag } from '../conversation.entity';
import { DomainError } from '../../../common/domain-error';
import { normaliseTags, TAGS_PER_CONVERSATION } from '../tags';

export interface SetConversationTagsInput {
  /** Absent for the system (automation). */
  actor?: Actor;
  conversationId: string;
  tags: string[];
  /** Set when an automation rule's action makes this change (the event log names the rule). */
  cause?: EventCause;
}

/** Replaces the conversation's tags (normalised, see tags.ts). Without an actor: the system. */
@Injectable()
export class SetConversationTagsUseCase {
  constructor(
    private readonly em: EntityManager,
    private readonly conversations: ConversationAccess,
    private readonly workflows: ConversationWorkflows,
  ) {}

  async execute(input: SetConversationTagsInput): Promise<string[]> {
    const tags = normaliseTags(input.tags);
    if (tags.length > TAGS_PER_CONVERSATION) throw DomainError.invalid('tags', `at most ${TAGS_PER_CONVERSATION} tags`);
    const changed = await this.em.fork().transactional(async (em) => {
      const { conversation } = await this.conversations.load(em, input.conversationId, input.actor, { lock: true });
      const before = (await em.find(ConversationTag, { conversation: conversation.id })).map((t) => t.tag);
      await em.nativeDelete(ConversationTag, { conversation: conversation.id, tag: { $nin: tags } });
      for (const tag of tags) {
        await em.execute(
          `insert into conversation_tags (id, conversation_id, tag) values (gen_random_uuid(), ?, ?) on conflict (conversation_id, tag) do nothing`,
          [conversation.id, tag],
        );
      }
      const events = tagEvents(conversation.id, before, tags, input);
      await recordConversationEvents(em, events);
      return events.length > 0;
    });
    // A rule's own change is picked up by the automation pass that made it (tags and priority are no search attributes).
    if (changed && !input.cause) await this.workflows.notifyChanged([input.conversationId], 'tags changed');
    return tags;
  }
}

/** tag_removed for every tag that went, tag_added for every tag that came (in the order given). */
export function tagEvents(conversationId: string, before: string[], after: string[], by: { actor?: Actor; cause?: EventCause }) {
  const had = new Set(before);
  const has = new Set(after);
  return [
    ...before.filter((t) => !has.has(t)).map((tag) => ({ conversationId, type: 'tag_removed' as const, data: { tag }, actorUserId: by.actor?.userId, cause: by.cause })),
    ...after.filter((t) => !had.has(t)).map((tag) => ({ conversationId, type: 'tag_added' as const, data: { tag }, actorUserId: by.actor?.userId, cause: by.cause })),
  ];
}
