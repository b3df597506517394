import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import type { Actor } from '../../auth/actor';
import { AccessPolicy, type EffectiveRole } from '../../auth/access-policy';
import { InboxMembership } from '../inbox-membership.entity';
import { Inbox } from '../inbox.entity';

export interface ListInboxesInput {
  actor: Actor;
}

/** The inboxes the caller belongs to (administrators: all of the account's), with the caller's role. */
@Injectable()
export class ListInboxesUseCase {
  constructor(
    private readonly em: EntityManager,
    private readonly access: AccessPolicy,
  ) {}

  async execute(input: ListInboxesInput): Promise<{ inbox: Inbox; role: EffectiveRole }[]> {
    const { actor } = input;
    const em = this.em.fork();
    const ids = await this.access.visibleInboxIds(actor, em);
    const inboxes = await em.find(Inbox, { id: { $in: ids } }, { orderBy: { createdAt: 'asc', id: 'asc' } });
    if (actor.isAdmin) return inboxes.map((inbox) => ({ inbox, role: 'admin' as const }));
    const roles = new Map((await em.find(InboxMembership, { user: actor.userId })).map((m) => [m.inbox.id, m.role]));
    return inboxes.map((inbox) => ({ inbox, role: roles.get(inbox.id)! }));
  }
}
