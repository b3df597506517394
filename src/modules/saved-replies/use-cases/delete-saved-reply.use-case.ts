import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import type { Actor } from '../../auth/actor';
import { SavedReplyAccess } from '../saved-reply-access';

export interface DeleteSavedReplyInput {
  actor: Actor;
  replyId: string;
}

/** The same people who may create a reply in its scope delete it. */
@Injectable()
export class DeleteSavedReplyUseCase {
  constructor(
    private readonly em: EntityManager,
    private readonly replies: SavedReplyAccess,
  ) {}

  async execute(input: DeleteSavedReplyInput): Promise<void> {
    const { actor } = input;
    const em = this.em.fork();
    const reply = await this.replies.find(em, actor, input.replyId);
    await this.replies.requireEditor(em, actor, reply, `deleting ${reply.scope} saved replies`);
    em.remove(reply);
    await em.flush();
  }
}
