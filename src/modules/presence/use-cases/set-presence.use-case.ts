import { EntityManager } from '@mikro-orm/postgresql';
import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, ServiceConfig } from '../../../config/config';
import type { Actor } from '../../auth/actor';
import { PresenceEvents } from '../../auth/presence-events';

export interface PresenceState {
  online: boolean;
  offlineSince: string | null;
  offlineReason: string | null;
  heartbeatTimeoutSeconds: number;
}

/**
 * The agent's own presence switch: going offline is what a logout does to routing (no new
 * conversations, auto-unassign after the grace period) while the session stays; going online is
 * what a login does.
 */
@Injectable()
export class SetPresenceUseCase {
  constructor(
    private readonly em: EntityManager,
    private readonly events: PresenceEvents,
    @Inject(APP_CONFIG) private readonly config: ServiceConfig,
  ) {}

  async get(actor: Actor): Promise<PresenceState> {
    const [row] = await this.em
      .fork()
      .execute<{ online: boolean; offline_since: Date | null; offline_reason: string | null }[]>(`select online, offline_since, offline_reason from agent_presence where user_id = ?`, [actor.userId]);
    return {
      online: row?.online ?? false,
      offlineSince: row?.offline_since ? new Date(row.offline_since).toISOString() : null,
      offlineReason: row?.offline_reason ?? null,
      heartbeatTimeoutSeconds: this.config.lifecycle.heartbeatTimeoutSeconds,
    };
  }

  async set(actor: Actor, online: boolean): Promise<PresenceState> {
    const current = await this.get(actor);
    if (current.online !== online) {
      await this.events.publish({ type: online ? 'login' : 'logout', userId: actor.userId, accountId: actor.accountId, tokenId: actor.tokenId, at: new Date() });
    }
    return this.get(actor);
  }
}
