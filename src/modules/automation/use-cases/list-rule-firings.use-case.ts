import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { pgArrayLiteral } from '../../../common/pg-array';
import type { Actor } from '../../auth/actor';
import { decodeCursor, encodeCursor } from '../../conversations/cursor';
import { AutomationRuleAccess } from '../automation-rule-access';
import type { ActionOutcome } from '../automation-rule.types';
import { describeRunTrigger } from '../rule-description';

export interface ListRuleFiringsInput {
  actor: Actor;
  ruleId: string;
  conversationId?: string;
  cursor?: string;
  limit?: number;
}

export interface RuleFiring {
  id: string;
  conversationId: string;
  inboxId: string;
  at: string;
  finishedAt: string | null;
  version: number;
  status: string;
  trigger: string;
  depth: number;
  actions: ActionOutcome[];
  error: string | null;
}

const DEFAULT_LIMIT = 50;

interface Row {
  id: string;
  conversation_id: string;
  inbox_id: string;
  at_exact: string;
  created_at: Date;
  finished_at: Date | null;
  rule_version: number;
  status: string;
  depth: number;
  outcomes: ActionOutcome[] | null;
  error: string | null;
  trigger: Record<string, unknown> | null;
}

/**
 * The rule's firing log, newest first, paged by a keyset cursor on (time, id) as the other lists
 * are: each firing's conversation, time, the rule version that fired, what it fired on, the actions'
 * outcomes and the error. Readers of the rule; non-administrators see firings on conversations of
 * the inboxes they manage only (an account-wide rule also fires elsewhere).
 */
@Injectable()
export class ListRuleFiringsUseCase {
  constructor(
    private readonly em: EntityManager,
    private readonly rules: AutomationRuleAccess,
  ) {}

  async execute(input: ListRuleFiringsInput): Promise<{ items: RuleFiring[]; nextCursor: string | null }> {
    const { actor } = input;
    const em = this.em.fork();
    const rule = await this.rules.find(em, actor, input.ruleId);
    await this.rules.requireReader(em, actor, rule, 'reading the firing log of automation rules');
    const managed = await this.rules.managedInboxIds(em, actor);
    const limit = input.limit ?? DEFAULT_LIMIT;
    const after = input.cursor ? decodeCursor(input.cursor, 'rule-firings', ['timestamp', 'bigint']) : null;
    const where = ['f.rule_id = ?', 'f.account_id = ?'];
    const params: unknown[] = [rule.id, actor.accountId];
    if (managed !== 'all') {
      where.push('c.inbox_id = any(?::uuid[])');
      params.push(pgArrayLiteral(managed));
    }
    if (input.conversationId) {
      where.push('f.conversation_id = ?');
      params.push(input.conversationId);
    }
    if (after) {
      where.push('(f.created_at, f.id) < (?::timestamptz, ?::bigint)');
      params.push(after[0], after[1]);
    }
    const rows = await em.execute<Row[]>(
      `select f.id, f.conversation_id, c.inbox_id, f.created_at, f.finished_at, f.rule_version, f.status, f.depth, f.outcomes, f.error, run.trigger,
              to_char(f.created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as at_exact
         from automation_firings f
         join conversations c on c.id = f.conversation_id
         left join automation_runs run on run.id = f.run_id
        where ${where.join(' and ')}
        order by f.created_at desc, f.id desc
        limit ?`,
      [...params, limit + 1],
    );
    const more = rows.length > limit;
    const page = more ? rows.slice(0, limit) : rows;
    const last = page[page.length - 1];
    return {
      items: page.map((r) => ({
        id: String(r.id),
        conversationId: r.conversation_id,
        inboxId: r.inbox_id,
        at: new Date(r.created_at).toISOString(),
        finishedAt: r.finished_at ? new Date(r.finished_at).toISOString() : null,
        version: r.rule_version,
        status: r.status,
        trigger: describeRunTrigger(r.trigger ?? {}),
        depth: Number(r.depth),
        actions: r.outcomes ?? [],
        error: r.error,
      })),
      nextCursor: more && last ? encodeCursor('rule-firings', [last.at_exact, String(last.id)]) : null,
    };
  }
}
