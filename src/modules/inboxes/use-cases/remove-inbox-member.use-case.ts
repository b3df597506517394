import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { DomainError } from '../../../common/domain-error';
import type { Actor } from '../../auth/actor';
import { AccessPolicy } from '../../auth/access-policy';
import { InboxMembership } from '../inbox-membership.entity';

export interface RemoveInboxMemberInput {
  actor: Actor;
  inboxId: string;
  userId: string;
}

/** Removes a user from the inbox (404 when not a member): managers of the inbox and admins. */
@Injectable()
export class RemoveInboxMemberUseCase {
  constructor(
    private readonly em: EntityManager,
    private readonly access: AccessPolicy,
  ) {}

  async execute(input: RemoveInboxMemberInput): Promise<void> {
    const { actor, inboxId, userId } = input;
    const em = this.em.fork();
    await this.access.requireManager(actor, inboxId, 'removing members', em);
    const removed = await em.nativeDelete(InboxMembership, { inbox: inboxId, user: userId });
    if (removed === 0) throw DomainError.notFound('member', userId);
  }
}
