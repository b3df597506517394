import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import type { Actor } from '../../auth/actor';
import { VariablesService } from '../../variables/variables.service';
import { flushReply, SavedReplyAccess } from '../saved-reply-access';
import type { SavedReply } from '../saved-reply.entity';

/** Changes shortcut and/or text; the same people who may create a reply in its scope. */
@Injectable()
export class UpdateSavedReplyUseCase {
  constructor(
    private readonly em: EntityManager,
    private readonly replies: SavedReplyAccess,
    private readonly variables: VariablesService,
  ) {}

  async execute(actor: Actor, id: string, input: { shortcut?: string; content?: string }): Promise<SavedReply> {
    const em = this.em.fork();
    const reply = await this.replies.find(em, actor, id);
    await this.replies.requireEditor(em, actor, reply, `changing ${reply.scope} saved replies`);
    if (input.content !== undefined) await this.variables.assertTemplate(em, actor.accountId, 'content', input.content);
    if (input.shortcut !== undefined) reply.shortcut = input.shortcut;
    if (input.content !== undefined) reply.content = input.content;
    await flushReply(em, reply.shortcut);
    return reply;
  }
}
