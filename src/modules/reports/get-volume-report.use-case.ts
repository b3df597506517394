import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { DomainError } from '../../common/domain-error';
import { AccessPolicy } from '../auth/access-policy';
import type { Actor } from '../auth/actor';
import { Account, accountTimeZone } from '../accounts/account.entity';
import { InboxMembership } from '../inboxes/inbox-membership.entity';
import { parseReportBound, sqlPeriod } from './zoned-time';

export const VOLUME_REPORT_GROUPS = ['day', 'week'] as const;
export type VolumeReportGroup = (typeof VOLUME_REPORT_GROUPS)[number];

export interface GetVolumeReportInput {
  actor: Actor;
  /** ISO date or date-time; default 30 days before `to`. */
  from?: string;
  /** ISO date-time (exclusive) or date (that whole day included); default now. */
  to?: string;
  inboxId?: string;
  groupBy?: VolumeReportGroup;
}

export interface VolumePeriodRow {
  /** "2026-03-02": the day in the account's time zone, or the Monday of the ISO week. */
  period: string;
  label: string;
  created: number;
  resolved: number;
}

export interface VolumeInboxRow {
  inboxId: string;
  name: string;
  channelType: string;
  created: number;
  resolved: number;
}

export interface VolumeReport {
  from: string;
  to: string;
  /** The account's time zone the periods are in. */
  timezone: string;
  groupBy: VolumeReportGroup;
  periods: VolumePeriodRow[];
  inboxes: VolumeInboxRow[];
  total: { created: number; resolved: number };
}

const DAY_MS = 86_400_000;
const MAX_RANGE_DAYS = 366;


interface SqlRow {
  is_inbox: number;
  period: string | null;
  label: string | null;
  inbox_id: string | null;
  inbox_name: string | null;
  channel_type: string | null;
  created: number;
  resolved: number;
}

/**
 * Conversation volume from the event log (conversation_events): conversations created
 * (conversation_created) and resolutions (status_changed to resolved) in [from, to), by day or ISO
 * week in the account's time zone (account settings.timezone) and by inbox (the conversation's current inbox). Administrators: every inbox of the
 * account; managers: the inboxes they manage.
 */
@Injectable()
export class GetVolumeReportUseCase {
  constructor(
    private readonly em: EntityManager,
    private readonly access: AccessPolicy,
  ) {}

  async execute(input: GetVolumeReportInput): Promise<VolumeReport> {
    const { actor } = input;
    const em = this.em.fork();
    const groupBy = input.groupBy ?? 'day';
    const account = await em.findOneOrFail(Account, { id: actor.accountId });
    const timezone = accountTimeZone(account.settings);
    const to = new Date(input.to === undefined ? Date.now() : parseReportBound('to', input.to, true, timezone));
    const from = new Date(input.from === undefined ? to.getTime() - 30 * DAY_MS : parseReportBound('from', input.from, false, timezone));
    if (from.getTime() >= to.getTime()) throw DomainError.invalid('from', `must be before to (${to.toISOString()})`);
    if (to.getTime() - from.getTime() > MAX_RANGE_DAYS * DAY_MS) throw DomainError.invalid('from', `the range must be at most ${MAX_RANGE_DAYS} days`);

    const inboxIds = await this.reportableInboxes(em, actor, input.inboxId);
    const where = [
      'c.account_id = ?',
      'e.created_at >= ?',
      'e.created_at < ?',
      `(e.type = 'conversation_created' or (e.type = 'status_changed' and e.data->>'to' = 'resolved'))`,
    ];
    const params: unknown[] = [actor.accountId, from, to];
    if (inboxIds) {
      where.push('c.inbox_id in (?)');
      params.push(inboxIds);
    }
    const p = sqlPeriod('e.created_at', groupBy, timezone);
    const rows = await em.execute<SqlRow[]>(
      `select grouping(g.period) as is_inbox, g.period, g.label, i.id::text as inbox_id, i.name as inbox_name, i.channel_type,
              count(*) filter (where e.type = 'conversation_created')::int as created,
              count(*) filter (where e.type = 'status_changed')::int as resolved
         from conversation_events e
         join conversations c on c.id = e.conversation_id
         join inboxes i on i.id = c.inbox_id
         cross join lateral (select ${p.key} as period, ${p.label} as label) g
        where ${where.join(' and ')}
        group by grouping sets ((g.period, g.label), (i.id, i.name, i.channel_type))
        order by grouping(g.period), g.period, i.name, i.id`,
      params,
    );
    const periods = rows
      .filter((r) => Number(r.is_inbox) !== 1)
      .map((r) => ({ period: r.period!, label: r.label!, created: Number(r.created), resolved: Number(r.resolved) }));
    const inboxes = rows
      .filter((r) => Number(r.is_inbox) === 1)
      .map((r) => ({ inboxId: r.inbox_id!, name: r.inbox_name!, channelType: r.channel_type!, created: Number(r.created), resolved: Number(r.resolved) }));
    const total = periods.reduce((t, r) => ({ created: t.created + r.created, resolved: t.resolved + r.resolved }), { created: 0, resolved: 0 });
    return { from: from.toISOString(), to: to.toISOString(), timezone, groupBy, periods, inboxes, total };
  }

  /** null: the whole account (administrators); otherwise the inboxes the report may cover. */
  private async reportableInboxes(em: EntityManager, actor: Actor, inboxId?: string): Promise<string[] | null> {
    if (inboxId) {
      await this.access.requireManager(actor, inboxId, 'the volume report', em);
      return [inboxId];
    }
    if (actor.isAdmin) return null;
    const managed = await em.find(InboxMembership, { user: actor.userId, role: 'manager' }, { fields: ['inbox'] });
    if (managed.length === 0) throw new DomainError('FORBIDDEN', 'the volume report needs the manager role in an inbox or the administrator role');
    return managed.map((m) => m.inbox.id);
  }
}
