/**
 * What the record (PostgreSQL) says about an inbox after a lifecycle run: open conversations, how
 * many are assigned, the decisions made, and the invariants a correct run keeps (no conversation
 * queued again after its assignment, none assigned twice), with the open load per agent.
 */
import type { Client as PgClient } from 'pg';

const OPEN = `status in ('new','open','pending')`;

const count = async (db: PgClient, sql: string, params: unknown[]) => Number((await db.query<{ n: string }>(sql, params)).rows[0].n);

export function openConversations(db: PgClient, inboxId: string): Promise<number> {
  return count(db, `select count(*) as n from conversations where inbox_id = $1 and ${OPEN}`, [inboxId]);
}

export function assignedOpenConversations(db: PgClient, inboxId: string): Promise<number> {
  return count(db, `select count(*) as n from conversations where inbox_id = $1 and ${OPEN} and assignee_id is not null`, [inboxId]);
}

export function onlineAgents(db: PgClient, userIds: string[]): Promise<number> {
  return count(db, `select count(*) as n from agent_presence where online and user_id = any($1::uuid[])`, [userIds]);
}

export async function readRecord(db: PgClient, inboxId: string) {
  const decisionCounts = await db.query<{ kind: string; n: string }>(
    `select d.kind, count(*) as n from conversation_decisions d join conversations c on c.id = d.conversation_id where c.inbox_id = $1 group by d.kind order by d.kind`,
    [inboxId],
  );
  const queuedAfterAssigned = await count(
    db,
    `select count(distinct a.conversation_id) as n
       from conversation_decisions a join conversation_decisions q on q.conversation_id = a.conversation_id and q.kind = 'queued' and q.id > a.id
       join conversations c on c.id = a.conversation_id
      where a.kind = 'assigned' and c.inbox_id = $1`,
    [inboxId],
  );
  const doubleAssigned = await count(
    db,
    `select count(*) as n from (select d.conversation_id from conversation_decisions d join conversations c on c.id = d.conversation_id
       where c.inbox_id = $1 and d.kind = 'assigned' group by d.conversation_id having count(*) > 1) x`,
    [inboxId],
  );
  const loads = await db.query<{ n: string }>(
    `select count(*) as n from conversations where inbox_id = $1 and ${OPEN} and assignee_id is not null group by assignee_id order by 1`,
    [inboxId],
  );
  return {
    decisions: Object.fromEntries(decisionCounts.rows.map((r) => [r.kind, Number(r.n)])),
    conversationsWithAQueuedDecisionAfterTheirAssignedOne: queuedAfterAssigned,
    conversationsAssignedTwice: doubleAssigned,
    openLoadPerAgent: loads.rows.map((r) => Number(r.n)),
  };
}
