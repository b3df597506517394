import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { DomainError } from '../../../common/domain-error';
import { AccessPolicy } from '../access-policy';
import type { Actor } from '../actor';
import { AuthToken } from '../auth-token.entity';

export interface RevokeApiTokenInput {
  actor: Actor;
  tokenId: string;
}

/** Revokes one of the caller's API tokens (admins: any token of their account), from a login session. */
@Injectable()
export class RevokeApiTokenUseCase {
  constructor(
    private readonly em: EntityManager,
    private readonly access: AccessPolicy,
  ) {}

  async execute(input: RevokeApiTokenInput): Promise<void> {
    const { actor, tokenId } = input;
    this.access.requireSession(actor, 'revoking API tokens');
    const em = this.em.fork();
    const token = await em.findOne(AuthToken, { id: tokenId, kind: 'api' }, { populate: ['user'] });
    const owner = token?.user.getEntity();
    if (!token || !owner || owner.account.id !== actor.accountId) throw DomainError.notFound('API token', tokenId);
    if (owner.id !== actor.userId && !actor.isAdmin) throw new DomainError('FORBIDDEN', 'revoking another user\'s API token needs the account administrator role');
    if (!token.revokedAt) {
      token.revokedAt = new Date();
      token.endReason = 'revoked';
      await em.flush();
    }
  }
}
