import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import type { Actor } from '../../auth/actor';
import { ConversationAccess } from '../conversation-access';
import { ConversationReadModel, type ConversationItem } from '../conversation-read-model';
import { Message } from '../message.entity';

@Injectable()
export class GetConversationUseCase {
  constructor(
    private readonly em: EntityManager,
    private readonly conversations: ConversationAccess,
    private readonly readModel: ConversationReadModel,
  ) {}

  async execute(actor: Actor, id: string): Promise<{ conversation: ConversationItem; messages: Message[] }> {
    const em = this.em.fork();
    await this.conversations.load(em, id, actor);
    const messages = await em.find(Message, { conversation: id }, { orderBy: { id: 'asc' } });
    return { conversation: await this.readModel.item(id, actor.userId, em), messages };
  }
}
