import { EntityManager } from '@mikro-orm/postgresql';
import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, ServiceConfig } from '../../../config/config';

export type HeartbeatCheck =
  | { state: 'online'; checkAgainInMs: number; lastHeartbeatAt: string }
  | { state: 'session_lost'; offlineSince: number; lastHeartbeatAt: string; timeoutSeconds: number }
  | { state: 'offline'; offlineSince: number | null };

/**
 * Called by agent-presence:<userId> when the heartbeat window may have run out: an online agent
 * whose last heartbeat is older than the timeout goes offline now (reason session_lost), in one
 * conditional update, so a heartbeat arriving at the same moment wins or loses cleanly.
 */
@Injectable()
export class CheckHeartbeatUseCase {
  constructor(
    private readonly em: EntityManager,
    @Inject(APP_CONFIG) private readonly config: ServiceConfig,
  ) {}

  async execute(input: { userId: string }): Promise<HeartbeatCheck> {
    const em = this.em.fork();
    const timeout = this.config.lifecycle.heartbeatTimeoutSeconds;
    const lost = await em.execute<{ offline_since: Date; last_heartbeat_at: Date }[]>(
      `update agent_presence set online = false, offline_since = now(), offline_reason = 'session_lost', changed_at = now()
        where user_id = ? and online and last_heartbeat_at < now() - make_interval(secs => ?)
        returning offline_since, last_heartbeat_at`,
      [input.userId, timeout],
    );
    if (lost.length) {
      return {
        state: 'session_lost',
        offlineSince: new Date(lost[0].offline_since).getTime(),
        lastHeartbeatAt: new Date(lost[0].last_heartbeat_at).toISOString(),
        timeoutSeconds: timeout,
      };
    }
    const [row] = await em.execute<{ online: boolean; offline_since: Date | null; last_heartbeat_at: Date; due_ms: string }[]>(
      `select online, offline_since, last_heartbeat_at,
              extract(epoch from (last_heartbeat_at + make_interval(secs => ?) - now())) * 1000 as due_ms
         from agent_presence where user_id = ?`,
      [timeout, input.userId],
    );
    if (!row || !row.online) return { state: 'offline', offlineSince: row?.offline_since ? new Date(row.offline_since).getTime() : null };
    return { state: 'online', checkAgainInMs: Math.max(250, Math.ceil(Number(row.due_ms)) + 250), lastHeartbeatAt: new Date(row.last_heartbeat_at).toISOString() };
  }
}
