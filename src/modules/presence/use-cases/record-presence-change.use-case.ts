import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable, Logger } from '@nestjs/common';
import { PresenceWorkflows } from '../../../temporal/presence-workflows';
import type { PresenceEvent } from '../../auth/presence-events';

export type RecordPresenceChangeInput = Pick<PresenceEvent, 'type' | 'userId' | 'accountId'>;

/**
 * Login and logout as the router sees them: the agent_presence row changes at once (a logged-out
 * agent gets no new conversations from that moment), then agent-presence:<userId> is told, which
 * owns what happens later (the grace period, the heartbeat check).
 */
@Injectable()
export class RecordPresenceChangeUseCase {
  private readonly logger = new Logger(RecordPresenceChangeUseCase.name);

  constructor(
    private readonly em: EntityManager,
    private readonly workflows: PresenceWorkflows,
  ) {}

  async execute(event: RecordPresenceChangeInput): Promise<void> {
    const em = this.em.fork();
    if (event.type === 'login') {
      const [row] = await em.execute<{ at: Date }[]>(
        `insert into agent_presence (user_id, account_id, online, last_heartbeat_at, offline_since, offline_reason, changed_at)
         values (?, ?, true, now(), null, null, now())
         on conflict (user_id) do update set online = true, last_heartbeat_at = now(), offline_since = null, offline_reason = null, changed_at = now()
         returning changed_at as at`,
        [event.userId, event.accountId],
      );
      await this.workflows.notify(event, { type: 'login', at: new Date(row.at).getTime() });
      return;
    }
    const reason = event.type === 'logout' ? 'logout' : 'session_lost';
    const [row] = await em.execute<{ at: Date }[]>(
      `insert into agent_presence (user_id, account_id, online, offline_since, offline_reason, changed_at)
       values (?, ?, false, now(), ?, now())
       on conflict (user_id) do update set online = false,
         offline_since = case when agent_presence.online then now() else coalesce(agent_presence.offline_since, now()) end,
         offline_reason = case when agent_presence.online then excluded.offline_reason else coalesce(agent_presence.offline_reason, excluded.offline_reason) end,
         changed_at = now()
       returning offline_since as at`,
      [event.userId, event.accountId, reason],
    );
    await this.workflows.notify(event, { type: 'logout', at: new Date(row.at).getTime() });
  }
}
