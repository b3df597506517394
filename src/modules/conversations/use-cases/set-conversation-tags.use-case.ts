import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import type { Actor } from '../../auth/actor';
import { ConversationAccess } from '../conversation-access';
import { ConversationTag } from '../conversation.entity';
import { DomainError } from '../../../common/domain-error';
import { normaliseTags, TAGS_PER_CONVERSATION } from '../tags';

export interface SetConversationTagsInput {
  /** Absent for the system (automation). */
  actor?: Actor;
  conversationId: string;
  tags: string[];
}

/** Replaces the conversation's tags (normalised, see tags.ts). Without an actor: the system. */
@Injectable()
export class SetConversationTagsUseCase {
  constructor(
    private readonly em: EntityManager,
    private readonly conversations: ConversationAccess,
  ) {}

  async execute(input: SetConversationTagsInput): Promise<string[]> {
    const tags = normaliseTags(input.tags);
    if (tags.length > TAGS_PER_CONVERSATION) throw DomainError.invalid('tags', `at most ${TAGS_PER_CONVERSATION} tags`);
    return this.em.fork().transactional(async (em) => {
      const { conversation } = await this.conversations.load(em, input.conversationId, input.actor, { lock: true });
      await em.nativeDelete(ConversationTag, { conversation: conversation.id, tag: { $nin: tags } });
      for (const tag of tags) {
        await em.execute(
          `insert into conversation_tags (id, conversation_id, tag) values (gen_random_uuid(), ?, ?) on conflict (conversation_id, tag) do nothing`,
          [conversation.id, tag],
        );
      }
      return tags;
    });
  }
}
