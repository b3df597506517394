import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import type { Actor } from '../../auth/actor';
import { ConversationAccess } from '../conversation-access';

/** Pins the conversation for the caller only; pinning again keeps the first pin time. */
@Injectable()
export class PinConversationUseCase {
  constructor(
    private readonly em: EntityManager,
    private readonly conversations: ConversationAccess,
  ) {}

  async execute(input: { actor: Actor; conversationId: string }): Promise<void> {
    const em = this.em.fork();
    const { conversation } = await this.conversations.load(em, input.conversationId, input.actor);
    await em.execute(
      `insert into conversation_user_states as cus (id, conversation_id, "user", pinned_at) values (gen_random_uuid(), ?, ?, now())
       on conflict ("user", conversation_id) do update set pinned_at = coalesce(cus.pinned_at, excluded.pinned_at)`,
      [conversation.id, input.actor.userId],
    );
  }
}
