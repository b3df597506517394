import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import type { Actor } from '../../auth/actor';
import { ConversationAccess } from '../conversation-access';

/** Marks the conversation unread for the caller only. */
@Injectable()
export class MarkConversationUnreadUseCase {
  constructor(
    private readonly em: EntityManager,
    private readonly conversations: ConversationAccess,
  ) {}

  async execute(input: { actor: Actor; conversationId: string }): Promise<void> {
    const em = this.em.fork();
    const { conversation } = await this.conversations.load(em, input.conversationId, input.actor);
    await em.execute(
      `insert into conversation_user_states (id, conversation_id, "user", read_at) values (gen_random_uuid(), ?, ?, null)
       on conflict ("user", conversation_id) do update set read_at = null`,
      [conversation.id, input.actor.userId],
    );
  }
}
