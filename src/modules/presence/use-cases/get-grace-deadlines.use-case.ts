import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';

export interface GraceDeadline {
  graceSeconds: number;
  inboxIds: string[];
}

/**
 * The auto-unassign grace periods of an agent's inboxes, grouped by length, shortest first (inboxes
 * with auto-unassign off are left out): the agent-presence workflow waits for each on a timer.
 */
@Injectable()
export class GetGraceDeadlinesUseCase {
  constructor(private readonly em: EntityManager) {}

  async execute(input: { userId: string }): Promise<GraceDeadline[]> {
    const rows = await this.em.fork().execute<{ inbox_id: string; grace: number }[]>(
      `select i.id as inbox_id, (i.settings -> 'autoUnassign' ->> 'graceSeconds')::int as grace
         from inbox_memberships m join inboxes i on i.id = m.inbox_id
        where m.user_id = ? and coalesce((i.settings -> 'autoUnassign' ->> 'enabled')::boolean, true)
        order by grace, i.id`,
      [input.userId],
    );
    const groups = new Map<number, string[]>();
    for (const r of rows) groups.set(r.grace, [...(groups.get(r.grace) ?? []), r.inbox_id]);
    return [...groups.entries()].map(([graceSeconds, inboxIds]) => ({ graceSeconds, inboxIds }));
  }
}
