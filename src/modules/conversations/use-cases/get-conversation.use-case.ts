import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { DomainError } from '../../../common/domain-error';
import { AccessPolicy } from '../../auth/access-policy';
import type { Actor } from '../../auth/actor';
import { Conversation } from '../conversation.entity';
import { Message } from '../message.entity';

@Injectable()
export class GetConversationUseCase {
  constructor(
    private readonly em: EntityManager,
    private readonly access: AccessPolicy,
  ) {}

  async execute(actor: Actor, id: string): Promise<{ conversation: Conversation; messages: Message[] }> {
    const em = this.em.fork();
    const conversation = await em.findOne(Conversation, { id, account: actor.accountId });
    if (!conversation) throw DomainError.notFound('conversation', id);
    await this.access.requireMember(actor, conversation.inbox.id, em);
    const messages = await em.find(Message, { conversation: id }, { orderBy: { id: 'asc' } });
    return { conversation, messages };
  }
}
