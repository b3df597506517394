import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import type { Actor } from '../../auth/actor';
import { SavedReplyAccess } from '../saved-reply-access';

/** The same people who may create a reply in its scope delete it. */
@Injectable()
export class DeleteSavedReplyUseCase {
  constructor(
    private readonly em: EntityManager,
    private readonly replies: SavedReplyAccess,
  ) {}

  async execute(actor: Actor, id: string): Promise<void> {
    const em = this.em.fork();
    const reply = await this.replies.find(em, actor, id);
    await this.replies.requireEditor(em, actor, reply, `deleting ${reply.scope} saved replies`);
    em.remove(reply);
    await em.flush();
  }
}
