import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { pgArrayLiteral } from '../../../common/pg-array';
import type { Actor } from '../../auth/actor';
import { AutomationRuleAccess } from '../automation-rule-access';

export interface GetRuleStatsInput {
  actor: Actor;
  ruleId: string;
  /** Days back from today (UTC), today included. */
  days?: number;
}

export interface RuleCounts {
  evaluations: number;
  matched: number;
  skipped: number;
  firings: number;
  failed: number;
}

export interface RuleStats {
  ruleId: string;
  days: number;
  timezone: 'UTC';
  totals: RuleCounts;
  perDay: (RuleCounts & { date: string })[];
  scope: string;
}

export const STATS_DEFAULT_DAYS = 14;

/**
 * Counts per UTC day for the last N days: evaluations (events and timers whose trigger matched the
 * rule, from automation_runs.evaluations), of those matched and skipped, firings and failed firings
 * (automation_firings). Runs are read through their (inbox_id, created_at) index for the inboxes the
 * rule covers, so the cost grows with that inboxes' traffic in the period, never with other
 * accounts'. Non-administrators count the conversations of the inboxes they manage only.
 */
@Injectable()
export class GetRuleStatsUseCase {
  constructor(
    private readonly em: EntityManager,
    private readonly rules: AutomationRuleAccess,
  ) {}

  async execute(input: GetRuleStatsInput): Promise<RuleStats> {
    const { actor } = input;
    const em = this.em.fork();
    const rule = await this.rules.find(em, actor, input.ruleId);
    await this.rules.requireReader(em, actor, rule, 'reading the counts of automation rules');
    const managed = await this.rules.managedInboxIds(em, actor);
    const days = input.days ?? STATS_DEFAULT_DAYS;
    // The inboxes counted: the rule's own, or (account-wide) every inbox of the account the caller may count.
    const inboxes = rule.inbox
      ? [rule.inbox.id]
      : managed === 'all'
        ? (await em.execute<{ id: string }[]>(`select id from inboxes where account_id = ?`, [actor.accountId])).map((i) => i.id)
        : managed;
    const start = `date_trunc('day', now() at time zone 'UTC') - (?::int - 1) * interval '1 day'`;
    const evaluationRows = inboxes.length
      ? await em.execute<{ day: string; evaluations: string; matched: string; skipped: string }[]>(
          `select to_char(date_trunc('day', r.created_at at time zone 'UTC'), 'YYYY-MM-DD') as day,
                  count(*) as evaluations,
                  count(*) filter (where e.value->>'matched' = 'true') as matched,
                  count(*) filter (where e.value->>'skipped' is not null) as skipped
             from automation_runs r
             cross join lateral jsonb_array_elements(r.evaluations) e
            where r.inbox_id = any(?::uuid[]) and r.account_id = ?
              and r.created_at >= (${start}) at time zone 'UTC'
              and r.evaluations @> ?::jsonb and e.value->>'ruleId' = ?
            group by 1`,
          [pgArrayLiteral(inboxes), actor.accountId, days, JSON.stringify([{ ruleId: rule.id }]), rule.id],
        )
      : [];
    const firingRows = await em.execute<{ day: string; firings: string; failed: string }[]>(
      `select to_char(date_trunc('day', f.created_at at time zone 'UTC'), 'YYYY-MM-DD') as day, count(*) as firings, count(*) filter (where f.status = 'failed') as failed
         from automation_firings f
         ${managed === 'all' ? '' : 'join conversations c on c.id = f.conversation_id and c.inbox_id = any(?::uuid[])'}
        where f.rule_id = ? and f.account_id = ? and f.created_at >= (${start}) at time zone 'UTC'
        group by 1`,
      [...(managed === 'all' ? [] : [pgArrayLiteral(managed)]), rule.id, actor.accountId, days],
    );
    const [{ today }] = await em.execute<{ today: string }[]>(`select to_char(now() at time zone 'UTC', 'YYYY-MM-DD') as today`);
    const perDay: (RuleCounts & { date: string })[] = [];
    for (let i = days - 1; i >= 0; i--) {
      const date = new Date(Date.parse(`${today}T00:00:00Z`) - i * 86_400_000).toISOString().slice(0, 10);
      const e = evaluationRows.find((r) => r.day === date);
      const f = firingRows.find((r) => r.day === date);
      perDay.push({
        date,
        evaluations: Number(e?.evaluations ?? 0),
        matched: Number(e?.matched ?? 0),
        skipped: Number(e?.skipped ?? 0),
        firings: Number(f?.firings ?? 0),
        failed: Number(f?.failed ?? 0),
      });
    }
    const totals = perDay.reduce<RuleCounts>(
      (t, d) => ({ evaluations: t.evaluations + d.evaluations, matched: t.matched + d.matched, skipped: t.skipped + d.skipped, firings: t.firings + d.firings, failed: t.failed + d.failed }),
      { evaluations: 0, matched: 0, skipped: 0, firings: 0, failed: 0 },
    );
    return {
      ruleId: rule.id,
      days,
      timezone: 'UTC',
      totals,
      perDay,
      scope: managed === 'all' ? 'every conversation the rule covers' : 'conversations of the inboxes you manage',
    };
  }
}
