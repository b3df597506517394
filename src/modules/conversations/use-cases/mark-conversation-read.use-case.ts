import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import type { Actor } from '../../auth/actor';
import { ConversationAccess } from '../conversation-access';

/** Marks the conversation read for the caller only (up to now, or its last activity if later). */
@Injectable()
export class MarkConversationReadUseCase {
  constructor(
    private readonly em: EntityManager,
    private readonly conversations: ConversationAccess,
  ) {}

  async execute(input: { actor: Actor; conversationId: string }): Promise<void> {
    const em = this.em.fork();
    const { conversation } = await this.conversations.load(em, input.conversationId, input.actor);
    await em.execute(
      `insert into conversation_user_states (id, conversation_id, "user", read_at)
       select gen_random_uuid(), c.id, ?, greatest(now(), c.last_activity_at) from conversations c where c.id = ?
       on conflict ("user", conversation_id) do update set read_at = excluded.read_at`,
      [input.actor.userId, conversation.id],
    );
  }
}
