import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import type { Actor } from '../actor';
import { AuthToken } from '../auth-token.entity';

export interface ListApiTokensInput {
  actor: Actor;
}

/** The caller's API tokens, revoked ones included, oldest first. */
@Injectable()
export class ListApiTokensUseCase {
  constructor(private readonly em: EntityManager) {}

  async execute(input: ListApiTokensInput): Promise<AuthToken[]> {
    return this.em.fork().find(AuthToken, { user: input.actor.userId, kind: 'api' }, { orderBy: { createdAt: 'asc' } });
  }
}
