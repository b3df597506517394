import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { AccessPolicy } from '../../auth/access-policy';
import type { Actor } from '../../auth/actor';

export interface ListInboxAgentsInput {
  actor: Actor;
  inboxId: string;
}

export interface InboxAgent {
  userId: string;
  name: string;
  role: string;
  online: boolean;
  offlineSince: string | null;
  offlineReason: string | null;
  /** Conversations new, open or pending held in this inbox. */
  load: number;
  capacity: number;
}

export interface InboxAgents {
  inboxId: string;
  distribution: string;
  /** Conversations waiting in the queue for an agent. */
  waiting: number;
  agents: InboxAgent[];
}

/** Who works an inbox right now: presence, load against capacity, and how many conversations wait. */
@Injectable()
export class ListInboxAgentsUseCase {
  constructor(
    private readonly em: EntityManager,
    private readonly access: AccessPolicy,
  ) {}

  async execute(input: ListInboxAgentsInput): Promise<InboxAgents> {
    const em = this.em.fork();
    const { inbox } = await this.access.requireMember(input.actor, input.inboxId, em);
    const rows = await em.execute<{ user_id: string; name: string; role: string; online: boolean | null; offline_since: Date | null; offline_reason: string | null; load: string }[]>(
      `select u.id as user_id, u.name, m.role, p.online, p.offline_since, p.offline_reason,
              (select count(*) from conversations c where c.inbox_id = m.inbox_id and c.assignee_id = u.id and c.status in ('new', 'open', 'pending')) as load
         from inbox_memberships m join users u on u.id = m.user_id and u.disabled_at is null
         left join agent_presence p on p.user_id = u.id
        where m.inbox_id = ? order by u.name, u.id`,
      [inbox.id],
    );
    const [waiting] = await em.execute<{ n: string }[]>(
      `select count(*) as n from conversations where inbox_id = ? and queued_at is not null and assignee_id is null and status in ('new', 'open', 'pending')`,
      [inbox.id],
    );
    return {
      inboxId: inbox.id,
      distribution: inbox.settings.routing.distribution,
      waiting: Number(waiting.n),
      agents: rows.map((r) => ({
        userId: r.user_id,
        name: r.name,
        role: r.role,
        online: r.online === true,
        offlineSince: r.offline_since ? new Date(r.offline_since).toISOString() : null,
        offlineReason: r.offline_reason,
        load: Number(r.load),
        capacity: inbox.settings.routing.capacityPerAgent,
      })),
    };
  }
}
