import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import type { Actor } from '../../auth/actor';
import { ConversationAccess } from '../conversation-access';

/** Removes the caller's pin (a no-op when it was not pinned). */
@Injectable()
export class UnpinConversationUseCase {
  constructor(
    private readonly em: EntityManager,
    private readonly conversations: ConversationAccess,
  ) {}

  async execute(input: { actor: Actor; conversationId: string }): Promise<void> {
    const em = this.em.fork();
    const { conversation } = await this.conversations.load(em, input.conversationId, input.actor);
    await em.execute(`update conversation_user_states set pinned_at = null where conversation_id = ? and "user" = ?`, [
      conversation.id,
      input.actor.userId,
    ]);
  }
}
