import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { AccessPolicy } from '../access-policy';
import type { Actor } from '../actor';
import { AuthToken } from '../auth-token.entity';

export interface ListApiTokensInput {
  actor: Actor;
}

/** The caller's API tokens, revoked ones included, oldest first (from a login session). */
@Injectable()
export class ListApiTokensUseCase {
  constructor(
    private readonly em: EntityManager,
    private readonly access: AccessPolicy,
  ) {}

  async execute(input: ListApiTokensInput): Promise<AuthToken[]> {
    this.access.requireSession(input.actor, 'listing API tokens');
    return this.em.fork().find(AuthToken, { user: input.actor.userId, kind: 'api' }, { orderBy: { createdAt: 'asc' } });
  }
}
