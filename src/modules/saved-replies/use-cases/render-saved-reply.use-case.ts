import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { DomainError } from '../../../common/domain-error';
import { AccessPolicy } from '../../auth/access-policy';
import type { Actor } from '../../auth/actor';
import { Conversation } from '../../conversations/conversation.entity';
import { VariablesService } from '../../variables/variables.service';
import { SavedReplyAccess } from '../saved-reply-access';

export interface RenderSavedReplyInput {
  actor: Actor;
  replyId: string;
  /** The conversation whose contact the variables are rendered for. */
  conversationId: string;
}

/**
 * The reply's text with the variables of the conversation's contact and the account (what the agent
 * inserts). For anyone but an administrator a hidden contact attribute renders as its default (else
 * empty) rather than refusing the reply: inbox and team replies may be written by administrators, and
 * an attribute may be hidden after a reply naming it was saved; the reply stays usable, the value stays
 * with the administrators. (Saving a reply that names a hidden attribute is refused for non-administrators.)
 */
@Injectable()
export class RenderSavedReplyUseCase {
  constructor(
    private readonly em: EntityManager,
    private readonly access: AccessPolicy,
    private readonly replies: SavedReplyAccess,
    private readonly variables: VariablesService,
  ) {}

  async execute(input: RenderSavedReplyInput): Promise<string> {
    const { actor } = input;
    const em = this.em.fork();
    const reply = await this.replies.find(em, actor, input.replyId);
    await this.replies.requireReader(em, actor, reply);
    const conversation = await em.findOne(Conversation, { id: input.conversationId, account: actor.accountId });
    if (!conversation) throw DomainError.notFound('conversation', input.conversationId);
    await this.access.requireMember(actor, conversation.inbox.id, em);
    return this.variables.renderFor(em, { accountId: actor.accountId, contactId: conversation.contact.id, viewer: actor }, reply.content);
  }
}
