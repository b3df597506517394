import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import type { Actor } from '../../auth/actor';
import { ConversationAccess } from '../conversation-access';

export interface SetConversationReadInput {
  actor: Actor;
  conversationId: string;
  /** true: read up to now (or its last activity if later); false: unread. */
  read: boolean;
}

/** Marks the conversation read or unread for the caller only; any member of its inbox. */
@Injectable()
export class SetConversationReadUseCase {
  constructor(
    private readonly em: EntityManager,
    private readonly conversations: ConversationAccess,
  ) {}

  async execute(input: SetConversationReadInput): Promise<void> {
    const em = this.em.fork();
    const { conversation } = await this.conversations.load(em, input.conversationId, input.actor);
    if (input.read) {
      await em.execute(
        `insert into conversation_user_states (id, conversation_id, "user", read_at)
         select gen_random_uuid(), c.id, ?, greatest(now(), c.last_activity_at) from conversations c where c.id = ?
         on conflict ("user", conversation_id) do update set read_at = excluded.read_at`,
        [input.actor.userId, conversation.id],
      );
    } else {
      await em.execute(
        `insert into conversation_user_states (id, conversation_id, "user", read_at) values (gen_random_uuid(), ?, ?, null)
         on conflict ("user", conversation_id) do update set read_at = null`,
        [conversation.id, input.actor.userId],
      );
    }
  }
}
