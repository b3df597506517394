import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import type { Actor } from '../actor';
import { AuthToken } from '../auth-token.entity';
import { PresenceEvents } from '../presence-events';

export interface LogoutInput {
  actor: Actor;
}

/** Ends the caller's session; the token stops working at once. */
@Injectable()
export class LogoutUseCase {
  constructor(
    private readonly em: EntityManager,
    private readonly presence: PresenceEvents,
  ) {}

  async execute(input: LogoutInput): Promise<void> {
    const { actor } = input;
    const ended = await this.em
      .fork()
      .nativeUpdate(AuthToken, { id: actor.tokenId, kind: 'session', revokedAt: null }, { revokedAt: new Date(), endReason: 'logout' });
    if (ended > 0) {
      await this.presence.publish({ type: 'logout', userId: actor.userId, accountId: actor.accountId, tokenId: actor.tokenId, at: new Date() });
    }
  }
}
