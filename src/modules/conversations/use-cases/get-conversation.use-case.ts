import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import type { Actor } from '../../auth/actor';
import { ConversationAccess } from '../conversation-access';
import { ConversationReadModel, type ConversationItem } from '../conversation-read-model';
import { Message } from '../message.entity';

export interface GetConversationInput {
  actor: Actor;
  conversationId: string;
}

/** A conversation as the caller sees it, with all its messages in the order they were stored; members of its inbox. */
@Injectable()
export class GetConversationUseCase {
  constructor(
    private readonly em: EntityManager,
    private readonly conversations: ConversationAccess,
    private readonly readModel: ConversationReadModel,
  ) {}

  async execute(input: GetConversationInput): Promise<{ conversation: ConversationItem; messages: Message[] }> {
    const { actor, conversationId } = input;
    const em = this.em.fork();
    await this.conversations.load(em, conversationId, actor);
    const messages = await em.find(Message, { conversation: conversationId }, { orderBy: { id: 'asc' } });
    return { conversation: await this.readModel.item(conversationId, actor.userId, em), messages };
  }
}
