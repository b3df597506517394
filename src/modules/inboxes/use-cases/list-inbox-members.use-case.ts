import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import type { Actor } from '../../auth/actor';
import { AccessPolicy } from '../../auth/access-policy';
import { InboxMembership } from '../inbox-membership.entity';

@Injectable()
export class ListInboxMembersUseCase {
  constructor(
    private readonly em: EntityManager,
    private readonly access: AccessPolicy,
  ) {}

  async execute(actor: Actor, inboxId: string): Promise<InboxMembership[]> {
    const em = this.em.fork();
    await this.access.requireMember(actor, inboxId, em);
    return em.find(InboxMembership, { inbox: inboxId }, { populate: ['user'], orderBy: { createdAt: 'asc' } });
  }
}
