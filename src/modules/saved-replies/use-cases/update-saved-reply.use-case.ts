import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import type { Actor } from '../../auth/actor';
import { VariablesService } from '../../variables/variables.service';
import { flushReply, SavedReplyAccess } from '../saved-reply-access';
import type { SavedReply } from '../saved-reply.entity';

export interface UpdateSavedReplyInput {
  actor: Actor;
  replyId: string;
  shortcut?: string;
  content?: string;
}

/** Changes shortcut and/or text; the same people who may create a reply in its scope. */
@Injectable()
export class UpdateSavedReplyUseCase {
  constructor(
    private readonly em: EntityManager,
    private readonly replies: SavedReplyAccess,
    private readonly variables: VariablesService,
  ) {}

  async execute(input: UpdateSavedReplyInput): Promise<SavedReply> {
    const { actor } = input;
    const em = this.em.fork();
    const reply = await this.replies.find(em, actor, input.replyId);
    await this.replies.requireEditor(em, actor, reply, `changing ${reply.scope} saved replies`);
    if (input.content !== undefined) await this.variables.assertTemplate(em, actor, 'content', input.content);
    if (input.shortcut !== undefined) reply.shortcut = input.shortcut;
    if (input.content !== undefined) reply.content = input.content;
    await flushReply(em, reply.shortcut);
    return reply;
  }
}
