/** Builders for automation tests: rules straight into the table, and reads of firings and decisions. */
import { EntityManager } from '@mikro-orm/postgresql';
import type { RuleAction, RuleTrigger } from '../../src/modules/automation/automation-rule.types';
import type { ConditionNode } from '../../src/modules/routing/conditions';
import type { TestStack } from './test-stack';

export interface RuleSpec {
  accountId: string;
  inboxId?: string | null;
  name: string;
  trigger: RuleTrigger;
  conditions?: ConditionNode;
  actions: RuleAction[];
  position?: number;
  stopProcessing?: boolean;
  allowChaining?: boolean;
  enabled?: boolean;
}

const sql = <T>(stack: TestStack, query: string, params: unknown[] = []) => stack.api.get(EntityManager).fork().execute<T[]>(query, params);

/** Inserts an enabled rule (version 1) and answers its id. */
export async function insertRule(stack: TestStack, rule: RuleSpec): Promise<string> {
  const [row] = await sql<{ id: string }>(
    stack,
    `insert into automation_rules (id, account_id, inbox_id, name, enabled, position, stop_processing, allow_chaining, trigger, conditions, actions)
     values (gen_random_uuid(), ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) returning id`,
    [
      rule.accountId,
      rule.inboxId ?? null,
      rule.name,
      rule.enabled ?? true,
      rule.position ?? 0,
      rule.stopProcessing ?? false,
      rule.allowChaining ?? false,
      JSON.stringify(rule.trigger),
      JSON.stringify(rule.conditions ?? { all: [] }),
      JSON.stringify(rule.actions),
    ],
  );
  return row.id;
}

export function firings(stack: TestStack, conversationId: string) {
  return sql<{ rule_id: string; status: string; outcomes: { type: string; outcome: string; detail: string }[] | null; key: string; created_at: Date }>(
    stack,
    `select rule_id, status, outcomes, key, created_at from automation_firings where conversation_id = ? order by id`,
    [conversationId],
  );
}

export function decisionsOf(stack: TestStack, conversationId: string, kind?: string) {
  return sql<{ kind: string; summary: string; details: Record<string, unknown> | null; created_at: Date }>(
    stack,
    `select kind, summary, details, created_at from conversation_decisions where conversation_id = ? ${kind ? 'and kind = ?' : ''} order by id`,
    kind ? [conversationId, kind] : [conversationId],
  );
}

export function tagsOf(stack: TestStack, conversationId: string): Promise<string[]> {
  return sql<{ tag: string }>(stack, `select tag from conversation_tags where conversation_id = ? order by tag`, [conversationId]).then((r) => r.map((t) => t.tag));
}

export async function conversationRow(stack: TestStack, conversationId: string) {
  const [row] = await sql<{ status: string; assignee_id: string | null; priority: number; resolved_at: Date | null; queue_target: string | null }>(
    stack,
    `select status, assignee_id, priority, resolved_at, queue_target from conversations where id = ?`,
    [conversationId],
  );
  return row;
}

/** When the conversation's last status change to `to` was recorded (the event log's own clock). */
export async function statusChangedAt(stack: TestStack, conversationId: string, to: string): Promise<number | null> {
  const [row] = await sql<{ created_at: Date }>(
    stack,
    `select created_at from conversation_events where conversation_id = ? and type = 'status_changed' and data->>'to' = ? order by id desc limit 1`,
    [conversationId, to],
  );
  return row ? new Date(row.created_at).getTime() : null;
}
