import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import type { Actor } from '../../auth/actor';
import { AccessPolicy } from '../../auth/access-policy';
import { InboxMembership } from '../inbox-membership.entity';

export interface ListInboxMembersInput {
  actor: Actor;
  inboxId: string;
}

/** The inbox's members with their roles, oldest membership first; any member of the inbox. */
@Injectable()
export class ListInboxMembersUseCase {
  constructor(
    private readonly em: EntityManager,
    private readonly access: AccessPolicy,
  ) {}

  async execute(input: ListInboxMembersInput): Promise<InboxMembership[]> {
    const { actor, inboxId } = input;
    const em = this.em.fork();
    await this.access.requireMember(actor, inboxId, em);
    return em.find(InboxMembership, { inbox: inboxId }, { populate: ['user'], orderBy: { createdAt: 'asc' } });
  }
}
