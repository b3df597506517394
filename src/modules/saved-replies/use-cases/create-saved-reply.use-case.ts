import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { DomainError } from '../../../common/domain-error';
import type { Actor } from '../../auth/actor';
import { VariablesService } from '../../variables/variables.service';
import { flushReply, SavedReplyAccess, type ReplyTarget } from '../saved-reply-access';
import { SavedReply, type SavedReplyScope } from '../saved-reply.entity';

export interface CreateSavedReplyInput {
  actor: Actor;
  scope: SavedReplyScope;
  inboxId?: string;
  teamId?: string;
  shortcut: string;
  content: string;
}

/** Personal replies: anyone; inbox replies: managers of the inbox and administrators; team replies: administrators. */
@Injectable()
export class CreateSavedReplyUseCase {
  constructor(
    private readonly em: EntityManager,
    private readonly replies: SavedReplyAccess,
    private readonly variables: VariablesService,
  ) {}

  async execute(input: CreateSavedReplyInput): Promise<SavedReply> {
    const { actor } = input;
    const target = targetOf(actor, input);
    const em = this.em.fork();
    await this.replies.requireEditor(em, actor, target, `creating ${input.scope} saved replies`);
    await this.variables.assertTemplate(em, actor, 'content', input.content);
    const reply = em.create(SavedReply, {
      account: actor.accountId,
      ...target,
      shortcut: input.shortcut,
      content: input.content,
      createdByUserId: actor.userId,
    });
    await flushReply(em, input.shortcut);
    return reply;
  }
}

function targetOf(actor: Actor, input: CreateSavedReplyInput): ReplyTarget {
  const { scope, inboxId, teamId } = input;
  if (scope !== 'inbox' && inboxId !== undefined) throw DomainError.invalid('inboxId', `only allowed with scope "inbox", not "${scope}"`);
  if (scope !== 'team' && teamId !== undefined) throw DomainError.invalid('teamId', `only allowed with scope "team", not "${scope}"`);
  if (scope === 'inbox') {
    if (!inboxId) throw DomainError.invalid('inboxId', 'is required for scope "inbox"');
    return { scope, scopeId: inboxId };
  }
  if (scope === 'team') {
    if (!teamId) throw DomainError.invalid('teamId', 'is required for scope "team"');
    return { scope, scopeId: teamId };
  }
  return { scope, scopeId: actor.userId };
}
