import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import type { Actor } from '../../auth/actor';
import { ConversationAccess } from '../conversation-access';
import { ConversationTag } from '../conversation.entity';
import { normaliseTag } from '../tags';

export interface RemoveConversationTagInput {
  /** Absent for the system (automation). */
  actor?: Actor;
  conversationId: string;
  tag: string;
}

/** Removes one tag (a no-op when the conversation does not have it). Without an actor: the system. */
@Injectable()
export class RemoveConversationTagUseCase {
  constructor(
    private readonly em: EntityManager,
    private readonly conversations: ConversationAccess,
  ) {}

  async execute(input: RemoveConversationTagInput): Promise<void> {
    const tag = normaliseTag(input.tag);
    const em = this.em.fork();
    const { conversation } = await this.conversations.load(em, input.conversationId, input.actor);
    await em.nativeDelete(ConversationTag, { conversation: conversation.id, tag });
  }
}
