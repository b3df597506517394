import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import type { Actor } from '../../auth/actor';
import { AccessPolicy } from '../../auth/access-policy';
import { Inbox } from '../inbox.entity';

/** Administrators delete an inbox with its conversations and messages (one transaction, by cascade). */
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
    await em.nativeDelete(Inbox, { id, account: actor.accountId });
  }
}
