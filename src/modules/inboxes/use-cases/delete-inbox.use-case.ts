import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import type { Actor } from '../../auth/actor';
import { AccessPolicy } from '../../auth/access-policy';
import { SavedReply } from '../../saved-replies/saved-reply.entity';
import { Inbox } from '../inbox.entity';

/**
 * Administrators delete an inbox with its conversations and messages (by cascade) and its shared
 * saved replies, in one transaction.
 */
@Injectable()
export class DeleteInboxUseCase {
  constructor(
    private readonly em: EntityManager,
    private readonly access: AccessPolicy,
  ) {}

  async execute(actor: Actor, id: string): Promise<void> {
    const em = this.em.fork();
    await this.access.roleIn(actor, id, em);
    this.access.requireAdmin(actor, 'deleting inboxes');
    await em.transactional(async (tx) => {
      await tx.nativeDelete(SavedReply, { scope: 'inbox', scopeId: id, account: actor.accountId });
      await tx.nativeDelete(Inbox, { id, account: actor.accountId });
    });
  }
}
