import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { DomainError } from '../../../common/domain-error';
import type { Actor } from '../../auth/actor';
import { ConversationAccess } from '../conversation-access';
import { ConversationTag } from '../conversation.entity';
import { normaliseTags, TAGS_PER_CONVERSATION } from '../tags';

export interface AddConversationTagsInput {
  /** Absent for the system (automation). */
  actor?: Actor;
  conversationId: string;
  tags: string[];
}

/** Adds tags to the ones the conversation has (existing ones are kept once). Without an actor: the system. */
@Injectable()
export class AddConversationTagsUseCase {
  constructor(
    private readonly em: EntityManager,
    private readonly conversations: ConversationAccess,
  ) {}

  async execute(input: AddConversationTagsInput): Promise<void> {
    const tags = normaliseTags(input.tags);
    await this.em.fork().transactional(async (em) => {
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
    });
  }
}
