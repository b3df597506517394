import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { AccessPolicy } from '../access-policy';
import type { Actor } from '../actor';
import { AuthToken } from '../auth-token.entity';
import { newToken } from '../token';

export interface CreateApiTokenInput {
  actor: Actor;
  name: string;
}

/**
 * A long-lived token for integrations, acting as the calling user. Shown once; stored hashed. Only
 * from a login session: a token minted by an API token would survive that token's revocation.
 */
@Injectable()
export class CreateApiTokenUseCase {
  constructor(
    private readonly em: EntityManager,
    private readonly access: AccessPolicy,
  ) {}

  async execute(input: CreateApiTokenInput): Promise<{ token: string; record: AuthToken }> {
    this.access.requireSession(input.actor, 'creating API tokens');
    const em = this.em.fork();
    const { token, hash } = newToken('api');
    const record = em.create(AuthToken, { user: input.actor.userId, kind: 'api', name: input.name, tokenHash: hash });
    await em.flush();
    return { token, record };
  }
}
