import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { DomainError } from '../../../common/domain-error';
import { AccessPolicy } from '../../auth/access-policy';
import type { Actor } from '../../auth/actor';
import { Conversation } from '../../conversations/conversation.entity';
import { VariablesService } from '../../variables/variables.service';
import { SavedReplyAccess } from '../saved-reply-access';

/** The reply's text with the variables of the conversation's contact and the account (what the agent inserts). */
@Injectable()
export class RenderSavedReplyUseCase {
  constructor(
    private readonly em: EntityManager,
    private readonly access: AccessPolicy,
    private readonly replies: SavedReplyAccess,
    private readonly variables: VariablesService,
  ) {}

  async execute(actor: Actor, id: string, input: { conversationId: string }): Promise<string> {
    const em = this.em.fork();
    const reply = await this.replies.find(em, actor, id);
    await this.replies.requireReader(em, actor, reply);
    const conversation = await em.findOne(Conversation, { id: input.conversationId, account: actor.accountId });
    if (!conversation) throw DomainError.notFound('conversation', input.conversationId);
    await this.access.requireMember(actor, conversation.inbox.id, em);
    return this.variables.renderFor(em, { accountId: actor.accountId, contactId: conversation.contact.id }, reply.content);
  }
}
