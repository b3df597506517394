import { EntityManager } from '@mikro-orm/postgresql';
import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, ServiceConfig } from '../../../config/config';
import type { Actor } from '../../auth/actor';
import { RecordPresenceChangeUseCase } from './record-presence-change.use-case';

export interface HeartbeatInput {
  actor: Actor;
}

export interface HeartbeatResult {
  online: boolean;
  lastHeartbeatAt: string;
  /** Send the next heartbeat well within this many seconds, or the session counts as lost. */
  heartbeatTimeoutSeconds: number;
  /** True when this heartbeat brought back an agent whose session had been declared lost. */
  resumed: boolean;
}

/**
 * The console calls this every few tens of seconds while an agent works. An agent whose session
 * was declared lost (no heartbeat for PRESENCE_HEARTBEAT_TIMEOUT_SECONDS) comes back online with
 * it, like a login.
 */
@Injectable()
export class HeartbeatUseCase {
  constructor(
    private readonly em: EntityManager,
    private readonly presence: RecordPresenceChangeUseCase,
    @Inject(APP_CONFIG) private readonly config: ServiceConfig,
  ) {}

  async execute(input: HeartbeatInput): Promise<HeartbeatResult> {
    const { actor } = input;
    const em = this.em.fork();
    const rows = await em.execute<{ online: boolean; last_heartbeat_at: Date }[]>(
      `update agent_presence set last_heartbeat_at = now() where user_id = ? and online returning online, last_heartbeat_at`,
      [actor.userId],
    );
    let resumed = false;
    if (rows.length === 0) {
      // Offline (session lost, or never recorded): this heartbeat is proof of a live session again.
      await this.presence.execute({ type: 'login', userId: actor.userId, accountId: actor.accountId });
      resumed = true;
    }
    const [now] = await em.execute<{ last_heartbeat_at: Date }[]>(`select last_heartbeat_at from agent_presence where user_id = ?`, [actor.userId]);
    return {
      online: true,
      lastHeartbeatAt: new Date(now.last_heartbeat_at).toISOString(),
      heartbeatTimeoutSeconds: this.config.lifecycle.heartbeatTimeoutSeconds,
      resumed,
    };
  }
}
