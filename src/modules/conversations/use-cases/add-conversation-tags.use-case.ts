import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { DomainError } from '../../../common/domain-error';
import type { Actor } from '../../auth/actor';
import { ConversationWorkflows } from '../../../temporal/conversation-workflows';
import { ConversationAccess } from '../conversation-access';
import { type EventCause, recordConversationEvents } from '../conversation-events';
import { tagEvents } from './set-conversation-tags.use-case';
import { ConversationTag } from '../conversation.entity';
import { normaliseTags, TAGS_PER_CONVERSATION } from '../tags';

export interface AddConversationTagsInput {
  /** Absent for the system (automation). */
  actor?: Actor;
  conversationId: string;
  tags: string[];
  /** Set when an automation rule's action makes this change (the event log names the rule). */
  cause?: EventCause;
}

/** Adds tags to the ones the conversation has (existing ones are kept once). Without an actor: the system. */
@Injectable()
export class AddConversationTagsUseCase {
  constructor(
    private readonly em: EntityManager,
    private readonly conversations: ConversationAccess,
    private readonly workflows: ConversationWorkflows,
  ) {}

  async execute(input: AddConversationTagsInput): Promise<void> {
    const tags = normaliseTags(input.tags);
    const changed = await this.em.fork().transactional(async (em) => {
      const { conversation } = await this.conversations.load(em, input.conversationId, input.actor, { lock: true });
      const existing = (await em.find(ConversationTag, { conversation: conversation.id })).map((t) => t.tag);
      const total = new Set([...existing, ...tags]).size;
      if (total > TAGS_PER_CONVERSATION) {
        throw DomainError.invalid('tags', `a conversation has at most ${TAGS_PER_CONVERSATION} tags (this would make ${total})`);
      }
      for (const tag of tags) {
        await em.execute(
          `insert into conversation_tags (id, conversation_id, tag) values (gen_random_uuid(), ?, ?) on conflict (conversation_id, tag) do nothing`,
          [conversation.id, tag],
        );
      }
      const events = tagEvents(conversation.id, existing, [...existing, ...tags.filter((t) => !existing.includes(t))], input);
      await recordConversationEvents(em, events);
      return events.length > 0;
    });
    // A rule's own change is picked up by the automation pass that made it (tags and priority are no search attributes).
    if (changed && !input.cause) await this.workflows.notifyChanged([input.conversationId], 'tags added');
  }
}
