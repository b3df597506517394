import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import type { Actor } from '../../auth/actor';
import { ConversationAccess } from '../conversation-access';

export interface SetConversationPinnedInput {
  actor: Actor;
  conversationId: string;
  /** true: pin (pinning again keeps the first pin time); false: remove the pin (a no-op when there is none). */
  pinned: boolean;
}

/** Pins or unpins the conversation for the caller only; any member of its inbox. */
@Injectable()
export class SetConversationPinnedUseCase {
  constructor(
    private readonly em: EntityManager,
    private readonly conversations: ConversationAccess,
  ) {}

  async execute(input: SetConversationPinnedInput): Promise<void> {
    const em = this.em.fork();
    const { conversation } = await this.conversations.load(em, input.conversationId, input.actor);
    if (input.pinned) {
      await em.execute(
        `insert into conversation_user_states as cus (id, conversation_id, "user", pinned_at) values (gen_random_uuid(), ?, ?, now())
         on conflict ("user", conversation_id) do update set pinned_at = coalesce(cus.pinned_at, excluded.pinned_at)`,
        [conversation.id, input.actor.userId],
      );
    } else {
      await em.execute(`update conversation_user_states set pinned_at = null where conversation_id = ? and "user" = ?`, [
        conversation.id,
        input.actor.userId,
      ]);
    }
  }
}
