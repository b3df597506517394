import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { DomainError } from '../../../common/domain-error';
import { Conversation } from '../conversation.entity';
import { Message } from '../message.entity';

@Injectable()
export class GetConversationUseCase {
  constructor(private readonly em: EntityManager) {}

  async execute(id: string): Promise<{ conversation: Conversation; messages: Message[] }> {
    const em = this.em.fork();
    const conversation = await em.findOne(Conversation, { id });
    if (!conversation) throw DomainError.notFound('conversation', id);
    const messages = await em.find(Message, { conversation: id }, { orderBy: { id: 'asc' } });
    return { conversation, messages };
  }
}
