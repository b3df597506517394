import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { DomainError } from '../../common/domain-error';
import { accountTimeZone, Account } from '../accounts/account.entity';
import { AccessPolicy } from '../auth/access-policy';
import type { Actor } from '../auth/actor';
import { InboxMembership } from '../inboxes/inbox-membership.entity';
import { type BusinessTimeMeter, businessTimeMeter } from '../inboxes/business-hours';
import type { BusinessHours } from '../inboxes/inbox-settings';
import { type CreatedSample, METRIC_DEFINITIONS, type MetricName, type MetricSample, type ReplayEvent, replayConversation, type Stats, statistics } from './conversation-metrics';
import { parseReportBound, type PeriodGroup, periodLookup } from './zoned-time';

export const CONVERSATION_REPORT_GROUPS = ['day', 'week', 'month'] as const;

export interface GetConversationReportInput {
  actor: Actor;
  /** ISO date (local midnight in the account's time zone) or date-time; default 30 days before `to`. */
  from?: string;
  /** ISO date-time (exclusive) or date (that whole local day included); default now. */
  to?: string;
  inboxId?: string;
  agentId?: string;
  teamId?: string;
  groupBy?: PeriodGroup;
}

export interface MetricFigures {
  calendar: Stats;
  business: Stats;
}

export interface ConversationReportRow {
  /** The period key ("2026-03-02", the week's Monday, "2026-03"), the inbox, agent or team id (null: no agent), or "total". */
  key: string | null;
  label: string;
  /** Conversations started; null on agent and team rows (and with an agent or team filter): starts belong to no agent. */
  created: number | null;
  resolved: number;
  firstResponse: MetricFigures;
  reply: MetricFigures;
  resolution: MetricFigures;
}

export interface ConversationReport {
  from: string;
  to: string;
  timezone: string;
  groupBy: PeriodGroup;
  definitions: typeof METRIC_DEFINITIONS;
  total: ConversationReportRow;
  periods: ConversationReportRow[];
  inboxes: ConversationReportRow[];
  agents: ConversationReportRow[];
  teams: ConversationReportRow[];
}

const DAY_MS = 86_400_000;
const MAX_RANGE_DAYS = 366;
const METRICS: MetricName[] = ['firstResponse', 'reply', 'resolution'];

/** The facts of `data` the replay reads, per event type, sent as two text columns (no JSON to parse for 10,000s of rows). */
const FACTS: Record<string, [string | null, string | null]> = {
  conversation_created: ['startedBy', null],
  message_sent: ['senderType', null],
  status_changed: ['from', 'to'],
  assigned: ['assigneeId', null],
  unassigned: ['assigneeId', null],
  moved: ['fromInboxId', 'toInboxId'],
};
const factSql = (i: 0 | 1) =>
  `case e.type ${Object.entries(FACTS)
    .filter(([, f]) => f[i])
    .map(([type, f]) => `when '${type}' then e.data->>'${f[i]}'`)
    .join(' ')} end`;

/** A measured sample with both durations, and whom it counts for. */
interface Measured {
  sample: MetricSample;
  calendarMs: number;
  businessMs: number;
}

/**
 * Conversation metrics of [from, to) recomputed from the event log at query time (see
 * conversation-metrics.ts for the definitions): the conversations with a start, a reply or a status
 * change in the range are replayed from their whole history up to `to`, the samples that ended in
 * the range are measured in calendar time and in the current business hours of their inbox, and
 * grouped by period (account time zone), inbox, agent and team.
 * Administrators: every inbox of the account; managers: the inboxes they manage; agents: refused.
 */
@Injectable()
export class GetConversationReportUseCase {
  constructor(
    private readonly em: EntityManager,
    private readonly access: AccessPolicy,
  ) {}

  async execute(input: GetConversationReportInput): Promise<ConversationReport> {
    const { actor } = input;
    const em = this.em.fork();
    const account = await em.findOneOrFail(Account, { id: actor.accountId });
    const timezone = accountTimeZone(account.settings);
    const groupBy = input.groupBy ?? 'day';
    const to = input.to === undefined ? Date.now() : parseReportBound('to', input.to, true, timezone);
    const from = input.from === undefined ? to - 30 * DAY_MS : parseReportBound('from', input.from, false, timezone);
    if (from >= to) throw DomainError.invalid('from', `must be before to (${new Date(to).toISOString()})`);
    if (to - from > MAX_RANGE_DAYS * DAY_MS) throw DomainError.invalid('from', `the range must be at most ${MAX_RANGE_DAYS} days`);

    // The access check, the account's users, teams and inboxes (with their hours) and, when the scope
    // is known without the check (one inbox, or an administrator's whole account), the event log: at once.
    // The log's answer is used only once the check passed.
    const knownScope = input.inboxId ? [input.inboxId] : actor.isAdmin ? null : undefined;
    const early = knownScope !== undefined ? this.loadEvents(em, actor.accountId, knownScope, from, to) : undefined;
    early?.catch(() => undefined); // awaited below; a failed access check must not leave it unhandled
    const [allowed, userRows, teamRows, inboxRows] = await Promise.all([
      this.reportableInboxes(em, actor, input.inboxId),
      em.execute<{ id: string; name: string }[]>(`select id, name from users where account_id = ?`, [actor.accountId]),
      em.execute<{ id: string; name: string; user_id: string | null }[]>(
        `select t.id, t.name, m.user_id from teams t left join team_members m on m.team_id = t.id where t.account_id = ? order by t.name, t.id`,
        [actor.accountId],
      ),
      em.execute<{ id: string; name: string; hours: BusinessHours | null }[]>(
        `select id, name, settings->'businessHours' as hours from inboxes where account_id = ? order by name, id`,
        [actor.accountId],
      ),
    ]);
    const inboxIds = input.inboxId ? [input.inboxId] : allowed;
    const users = new Map(userRows.map((u) => [u.id, u.name]));
    if (input.agentId && !users.has(input.agentId)) throw DomainError.notFound('agent', input.agentId);
    const teams = new Map<string, { name: string; members: Set<string> }>();
    for (const r of teamRows) {
      if (!teams.has(r.id)) teams.set(r.id, { name: r.name, members: new Set() });
      if (r.user_id) teams.get(r.id)!.members.add(r.user_id);
    }
    if (input.teamId && !teams.has(input.teamId)) throw DomainError.notFound('team', input.teamId);
    const teamsOf = new Map<string, string[]>();
    for (const [id, t] of teams) for (const u of t.members) teamsOf.set(u, [...(teamsOf.get(u) ?? []), id]);

    const inboxes = new Map(inboxRows.map((i) => [i.id, i]));

    const events = await (early ?? this.loadEvents(em, actor.accountId, inboxIds, from, to));
    const measured: Measured[] = [];
    const created: CreatedSample[] = [];
    const meters = new Map<string, BusinessTimeMeter>();
    let earliest = from;
    const replays: { samples: MetricSample[]; created: CreatedSample | null }[] = [];
    for (const { inboxId, list } of events) {
      const replay = replayConversation(list, inboxId);
      replays.push(replay);
      for (const s of replay.samples) if (s.end >= from && s.end < to) earliest = Math.min(earliest, s.start);
    }
    const meterFor = (inboxId: string) => {
      let m = meters.get(inboxId);
      if (!m) meters.set(inboxId, (m = businessTimeMeter(inboxes.get(inboxId)?.hours ?? null, earliest, to)));
      return m;
    };
    const inScope = (inboxId: string) => !inboxIds || inboxIds.includes(inboxId);
    const forAgent = (agentId: string | null) =>
      (!input.agentId || agentId === input.agentId) && (!input.teamId || (agentId !== null && teams.get(input.teamId)!.members.has(agentId)));
    for (const replay of replays) {
      if (replay.created && replay.created.at >= from && replay.created.at < to && inScope(replay.created.inboxId)) created.push(replay.created);
      for (const s of replay.samples) {
        if (s.end < from || s.end >= to || !inScope(s.inboxId) || !forAgent(s.agentId)) continue;
        measured.push({ sample: s, calendarMs: s.end - s.start, businessMs: meterFor(s.inboxId).between(s.start, s.end) });
      }
    }

    const filtered = Boolean(input.agentId || input.teamId);
    const periodLabels = new Map<string, string>();
    const lookup = periodLookup(from, to, groupBy, timezone);
    const period = (t: number) => {
      const p = lookup(t);
      periodLabels.set(p.key, p.label);
      return p.key;
    };
    const periodRows = group(measured, created, (m) => [period(m.sample.end)], (c) => [period(c.at)], (key) => periodLabels.get(key!) ?? String(key), !filtered).sort((a, b) => String(a.key).localeCompare(String(b.key)));
    const inboxResult = group(measured, created, (m) => [m.sample.inboxId], (c) => [c.inboxId], (key) => inboxes.get(key!)?.name ?? 'Deleted inbox', !filtered).sort(byLabel);
    const agentResult = group(measured, [], (m) => [m.sample.agentId], () => [], (key) => (key === null ? 'No agent' : (users.get(key) ?? 'Deleted user')), false).sort(
      (a, b) => Number(a.key === null) - Number(b.key === null) || byLabel(a, b),
    );
    const teamResult = group(measured, [], (m) => (m.sample.agentId ? (teamsOf.get(m.sample.agentId) ?? []) : []), () => [], (key) => teams.get(key!)?.name ?? '', false).sort(byLabel);
    const total = group(measured, created, () => ['total'], () => ['total'], () => 'Total', !filtered)[0] ?? emptyRow('total', 'Total', !filtered);

    return {
      from: new Date(from).toISOString(),
      to: new Date(to).toISOString(),
      timezone,
      groupBy,
      definitions: METRIC_DEFINITIONS,
      total,
      periods: periodRows,
      inboxes: inboxResult,
      agents: agentResult,
      teams: teamResult,
    };
  }

  /**
   * Every relevant event (and the AI agent's handovers) up to `to` of the conversations that have a
   * start, a message or a status change in [from, to), grouped per conversation, oldest first.
   * With an inbox scope, conversations now in another inbox are kept when they were ever moved (the
   * replay decides where each sample belongs).
   */
  private async loadEvents(em: EntityManager, accountId: string, inboxIds: string[] | null, from: number, to: number) {
    const range = [new Date(from), new Date(to)];
    // Conversations ever moved into or out of the scope (rare: a partial index holds moves only).
    const moved = inboxIds
      ? (
          await em.execute<{ id: string }[]>(
            `select distinct conversation_id as id from conversation_events
              where type = 'moved' and (data->>'fromInboxId' = any(?::text[]) or data->>'toInboxId' = any(?::text[]))`,
            [`{${inboxIds.join(',')}}`, `{${inboxIds.join(',')}}`],
          )
        ).map((r) => r.id)
      : [];
    // The conversations with a start, a message or a status change in the range: an index-only scan of
    // the log's time index (created_at, conversation_id, type), then the account and inbox on each.
    const scope = inboxIds ? 'and (c.inbox_id = any(?::uuid[]) or c.id = any(?::uuid[]))' : '';
    const candidates = await em.execute<{ id: string; inbox_id: string }[]>(
      `with ids as (
         select distinct e.conversation_id as id from conversation_events e
          where e.created_at >= ? and e.created_at < ? and e.type in ('conversation_created', 'message_received', 'message_sent', 'status_changed')
       )
       select c.id, c.inbox_id from ids join conversations c on c.id = ids.id where c.account_id = ? ${scope}`,
      [...range, accountId, ...(inboxIds ? [`{${inboxIds.join(',')}}`, `{${moved.join(',')}}`] : [])],
    );
    if (candidates.length === 0) return [];
    const inboxOf = new Map(candidates.map((c) => [c.id, c.inbox_id]));
    const ids = `{${candidates.map((c) => c.id).join(',')}}`;
    // Their whole history up to `to`, and the AI agent's handovers, oldest first: one row per
    // conversation, its events as lines of tab-separated fields (type, ms, fact a, fact b, actor,
    // rule), which is far cheaper to read than one row per event.
    const clean = (v: string) => `coalesce(translate(${v}, E'\\t\\n', '  '), '')`;
    const rows = await em.execute<{ conversation_id: string; log: string }[]>(
      `select x.conversation_id, string_agg(x.line, E'\\n' order by x.at, x.seq) as log from (
         select e.conversation_id, e.created_at as at, e.id as seq,
                concat_ws(E'\\t', e.type, ((extract(epoch from e.created_at) * 1000)::float8)::text, ${clean(factSql(0))}, ${clean(factSql(1))},
                          coalesce(e.actor_user_id::text, ''), coalesce(e.cause_rule_id::text, '')) as line
           from conversation_events e
          where e.conversation_id = any(?::uuid[]) and e.created_at < ?
            and e.type in ('conversation_created', 'message_received', 'message_sent', 'status_changed', 'assigned', 'unassigned', 'moved')
         union all
         select d.conversation_id, d.created_at, d.id, concat_ws(E'\\t', 'handover', ((extract(epoch from d.created_at) * 1000)::float8)::text, '', '', '', '')
           from conversation_decisions d
          where d.conversation_id = any(?::uuid[]) and d.kind = 'handover' and d.created_at < ?
       ) x group by x.conversation_id`,
      [ids, range[1], ids, range[1]],
    );
    return rows.map((r) => ({
      inboxId: inboxOf.get(r.conversation_id)!,
      list: r.log.split('\n').map((line): ReplayEvent => {
        const [type, at, a, b, actor, rule] = line.split('\t');
        const facts = FACTS[type];
        const data: Record<string, unknown> = {};
        if (facts?.[0] && a) data[facts[0]] = a;
        if (facts?.[1] && b) data[facts[1]] = b;
        return { type, at: Number(at), data, actorUserId: actor || null, causeRuleId: rule || null };
      }),
    }));
  }

  /** null: the whole account (administrators); otherwise the inboxes the report may cover. */
  private async reportableInboxes(em: EntityManager, actor: Actor, inboxId?: string): Promise<string[] | null> {
    if (inboxId) {
      await this.access.requireManager(actor, inboxId, 'the conversation report', em);
      return [inboxId];
    }
    if (actor.isAdmin) return null;
    const managed = await em.find(InboxMembership, { user: actor.userId, role: 'manager' }, { fields: ['inbox'] });
    if (managed.length === 0) throw new DomainError('FORBIDDEN', 'the conversation report needs the manager role in an inbox or the administrator role');
    return managed.map((m) => m.inbox.id);
  }
}

const byLabel = (a: ConversationReportRow, b: ConversationReportRow) => a.label.localeCompare(b.label) || String(a.key).localeCompare(String(b.key));

function emptyRow(key: string | null, label: string, withCreated: boolean): ConversationReportRow {
  const none = (): MetricFigures => ({ calendar: statistics([]), business: statistics([]) });
  return { key, label, created: withCreated ? 0 : null, resolved: 0, firstResponse: none(), reply: none(), resolution: none() };
}

/** Rows of one grouping: each sample (and each start) counts under every key it maps to. */
function group(
  measured: Measured[],
  created: CreatedSample[],
  keysOf: (m: Measured) => (string | null)[],
  createdKeys: (c: CreatedSample) => string[],
  labelOf: (key: string | null) => string,
  withCreated: boolean,
): ConversationReportRow[] {
  const acc = new Map<string | null, { created: number; values: Record<MetricName, { calendar: number[]; business: number[] }> }>();
  const slot = (key: string | null) => {
    let a = acc.get(key);
    if (!a) acc.set(key, (a = { created: 0, values: { firstResponse: { calendar: [], business: [] }, reply: { calendar: [], business: [] }, resolution: { calendar: [], business: [] } } }));
    return a;
  };
  for (const m of measured) {
    for (const key of keysOf(m)) {
      const v = slot(key).values[m.sample.metric];
      v.calendar.push(m.calendarMs);
      v.business.push(m.businessMs);
    }
  }
  if (withCreated) for (const c of created) for (const key of createdKeys(c)) slot(key).created += 1;
  return [...acc.entries()].map(([key, a]) => {
    const row = emptyRow(key, labelOf(key), withCreated);
    row.created = withCreated ? a.created : null;
    for (const metric of METRICS) row[metric] = { calendar: statistics(a.values[metric].calendar), business: statistics(a.values[metric].business) };
    row.resolved = a.values.resolution.calendar.length;
    return row;
  });
}

