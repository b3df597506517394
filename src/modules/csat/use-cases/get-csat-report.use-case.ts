import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { DomainError } from '../../../common/domain-error';
import { AccessPolicy } from '../../auth/access-policy';
import type { Actor } from '../../auth/actor';
import { Account, accountTimeZone } from '../../accounts/account.entity';
import { InboxMembership } from '../../inboxes/inbox-membership.entity';
import { parseReportBound, sqlPeriod } from '../../reports/zoned-time';

export const CSAT_REPORT_GROUPS = ['inbox', 'agent', 'day', 'week', 'month'] as const;
export type CsatReportGroup = (typeof CSAT_REPORT_GROUPS)[number];

export interface GetCsatReportInput {
  actor: Actor;
  /** ISO date or date-time; default 30 days before `to`. */
  from?: string;
  /** ISO date-time (exclusive) or date (that whole day included); default now. */
  to?: string;
  inboxId?: string;
  agentId?: string;
  groupBy?: CsatReportGroup;
}

export interface CsatReportRow {
  /** The inbox or agent id (null: surveys with no agent), or the period: "2026-03-02" (day, week's Monday), "2026-03" (month); "total". */
  key: string | null;
  label: string;
  surveysSent: number;
  responses: number;
  /** Mean rating of the responses, 2 decimals; null without responses. */
  averageRating: number | null;
  /** Share of responses rated 4 or 5 (0-1, 2 decimals); null without responses. */
  satisfiedShare: number | null;
  /** responses / surveysSent (0-1, 2 decimals); null when nothing was sent. */
  responseRate: number | null;
}

export interface CsatReport {
  from: string;
  to: string;
  /** The account's time zone the periods (and date-only bounds) are in. */
  timezone: string;
  groupBy: CsatReportGroup;
  rows: CsatReportRow[];
  total: CsatReportRow;
}

const DAY_MS = 86_400_000;

/** key and label of each grouping, over csat_surveys s, inboxes i and users u; periods in the account's time zone. */
function grouping(group: CsatReportGroup, timeZone: string): { key: string; label: string; order: string } {
  if (group === 'inbox') return { key: 's.inbox_id::text', label: 'i.name', order: 'g.label, g.key' };
  if (group === 'agent') return { key: 's.agent_id::text', label: `coalesce(u.name, 'No agent')`, order: 'g.key is null, g.label, g.key' };
  return { ...sqlPeriod('s.sent_at', group, timeZone), order: 'g.key' };
}

interface ReportSqlRow {
  is_total: number;
  key: string | null;
  label: string | null;
  surveys_sent: number;
  responses: number;
  average_rating: string | null;
  satisfied_share: string | null;
  response_rate: string | null;
}

/**
 * CSAT figures of the surveys sent in [from, to), by inbox, agent or period, with a total, in one
 * aggregate query. Administrators see every inbox of their account; managers the inboxes they manage.
 */
@Injectable()
export class GetCsatReportUseCase {
  constructor(
    private readonly em: EntityManager,
    private readonly access: AccessPolicy,
  ) {}

  async execute(input: GetCsatReportInput): Promise<CsatReport> {
    const { actor } = input;
    const em = this.em.fork();
    const groupBy = input.groupBy ?? 'inbox';
    const account = await em.findOneOrFail(Account, { id: actor.accountId });
    const timezone = accountTimeZone(account.settings);
    const to = new Date(input.to === undefined ? Date.now() : parseReportBound('to', input.to, true, timezone));
    const from = new Date(input.from === undefined ? to.getTime() - 30 * DAY_MS : parseReportBound('from', input.from, false, timezone));
    if (from.getTime() >= to.getTime()) throw DomainError.invalid('from', `must be before to (${to.toISOString()})`);

    const inboxIds = await this.reportableInboxes(em, actor, input.inboxId);
    const where = ['s.account_id = ?', 's.sent_at >= ?', 's.sent_at < ?'];
    const params: unknown[] = [actor.accountId, from, to];
    if (inboxIds) {
      where.push('s.inbox_id in (?)');
      params.push(inboxIds);
    }
    if (input.agentId) {
      where.push('s.agent_id = ?');
      params.push(input.agentId);
    }
    const g = grouping(groupBy, timezone);
    const rows = await em.execute<ReportSqlRow[]>(
      `select grouping(g.key) as is_total, g.key, g.label,
              count(*)::int as surveys_sent,
              count(s.rating)::int as responses,
              round(avg(s.rating), 2) as average_rating,
              round(count(*) filter (where s.rating >= 4)::numeric / nullif(count(s.rating), 0), 2) as satisfied_share,
              round(count(s.rating)::numeric / nullif(count(*), 0), 2) as response_rate
         from csat_surveys s
         join inboxes i on i.id = s.inbox_id
         left join users u on u.id = s.agent_id
         cross join lateral (select ${g.key} as key, ${g.label} as label) g
        where ${where.join(' and ')}
        group by grouping sets ((g.key, g.label), ())
        order by grouping(g.key), ${g.order}`,
      params,
    );
    const toRow = (r: ReportSqlRow, total: boolean): CsatReportRow => ({
      key: total ? 'total' : r.key,
      label: total ? 'Total' : (r.label ?? ''),
      surveysSent: Number(r.surveys_sent),
      responses: Number(r.responses),
      averageRating: numberOrNull(r.average_rating),
      satisfiedShare: numberOrNull(r.satisfied_share),
      responseRate: numberOrNull(r.response_rate),
    });
    const totalRow = rows.find((r) => Number(r.is_total) === 1)!;
    return {
      from: from.toISOString(),
      to: to.toISOString(),
      timezone,
      groupBy,
      rows: rows.filter((r) => Number(r.is_total) !== 1).map((r) => toRow(r, false)),
      total: toRow(totalRow, true),
    };
  }

  /** null: the whole account (administrators); otherwise the inboxes the report may cover. */
  private async reportableInboxes(em: EntityManager, actor: Actor, inboxId?: string): Promise<string[] | null> {
    if (inboxId) {
      await this.access.requireManager(actor, inboxId, 'the CSAT report', em);
      return [inboxId];
    }
    if (actor.isAdmin) return null;
    const managed = await em.find(InboxMembership, { user: actor.userId, role: 'manager' }, { fields: ['inbox'] });
    if (managed.length === 0) throw new DomainError('FORBIDDEN', 'the CSAT report needs the manager role in an inbox or the administrator role');
    return managed.map((m) => m.inbox.id);
  }
}

const numberOrNull = (v: string | number | null): number | null => (v === null ? null : Number(v));
