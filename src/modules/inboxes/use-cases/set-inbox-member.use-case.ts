import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { DomainError } from '../../../common/domain-error';
import type { Actor } from '../../auth/actor';
import { AccessPolicy } from '../../auth/access-policy';
import { User } from '../../users/user.entity';
import { InboxMembership, type InboxRole } from '../inbox-membership.entity';

export interface SetInboxMemberInput {
  actor: Actor;
  inboxId: string;
  userId: string;
  role: InboxRole;
}

/** Adds a user of the account to the inbox or changes their role: managers of the inbox and admins. */
@Injectable()
export class SetInboxMemberUseCase {
  constructor(
    private readonly em: EntityManager,
    private readonly access: AccessPolicy,
  ) {}

  async execute(input: SetInboxMemberInput): Promise<InboxMembership> {
    const { actor, inboxId, userId, role } = input;
    const em = this.em.fork();
    const { inbox } = await this.access.requireManager(actor, inboxId, 'assigning roles', em);
    const user = await em.findOne(User, { id: userId, account: actor.accountId });
    if (!user) throw DomainError.notFound('user', userId);
    const existing = await em.findOne(InboxMembership, { inbox: inbox.id, user: user.id });
    const membership = existing ?? em.create(InboxMembership, { inbox, user, role });
    membership.role = role;
    await em.flush();
    return membership;
  }
}
