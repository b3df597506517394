import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { DomainError } from '../../common/domain-error';
import { accountTimeZone, Account } from '../accounts/account.entity';
import { AccessPolicy } from '../auth/access-policy';
import type { Actor } from '../auth/actor';
import { InboxMembership } from '../inboxes/inbox-membership.entity';
import { parseReportBound } from './zoned-time';

export interface GetCampaignResultsInput {
  actor: Actor;
  from?: string;
  to?: string;
  inboxId?: string;
}

export interface CampaignResultRow {
  campaignId: string;
  name: string;
  inboxId: string;
  inboxName: string;
  status: string;
  startedAt: string | null;
  recipients: number;
  sent: number;
  delivered: number;
  failed: number;
  optedOut: number;
  replied: number;
}

export interface CampaignResults {
  from: string;
  to: string;
  definitions: typeof CAMPAIGN_RESULT_DEFINITIONS;
  campaigns: CampaignResultRow[];
  total: Omit<CampaignResultRow, 'campaignId' | 'name' | 'inboxId' | 'inboxName' | 'status' | 'startedAt'>;
}

export const CAMPAIGN_RESULT_DEFINITIONS = {
  campaigns: 'Campaigns started in the range (the start of their first run), newest first.',
  recipients: 'Recipients with a row in the campaign (queued, deferred, sent, failed, skipped or opted out).',
  sent: 'Messages the provider accepted.',
  delivered: 'Sent messages whose delivery receipt said delivered.',
  failed: 'Messages the provider refused, plus sent messages whose delivery receipt said failed.',
  optedOut: 'Recipients skipped at send time because they had opted out of the channel.',
  replied: "Recipients who wrote back (an inbound message in the campaign message's conversation) within 7 days of the campaign message.",
} as const;

const DAY_MS = 86_400_000;

interface Row {
  id: string;
  name: string;
  inbox_id: string;
  inbox_name: string;
  status: string;
  started_at: Date | null;
  recipients: number;
  sent: number;
  delivered: number;
  failed: number;
  opted_out: number;
  replied: number;
}

/** Campaign results (administrators: every inbox; managers: the campaigns of the inboxes they manage). */
@Injectable()
export class GetCampaignResultsUseCase {
  constructor(
    private readonly em: EntityManager,
    private readonly access: AccessPolicy,
  ) {}

  async execute(input: GetCampaignResultsInput): Promise<CampaignResults> {
    const { actor } = input;
    const em = this.em.fork();
    const account = await em.findOneOrFail(Account, { id: actor.accountId });
    const tz = accountTimeZone(account.settings);
    const to = input.to === undefined ? Date.now() : parseReportBound('to', input.to, true, tz);
    const from = input.from === undefined ? to - 90 * DAY_MS : parseReportBound('from', input.from, false, tz);
    if (from >= to) throw DomainError.invalid('from', `must be before to (${new Date(to).toISOString()})`);

    let inboxIds: string[] | null = null;
    if (input.inboxId) {
      await this.access.requireManager(actor, input.inboxId, 'campaign results', em);
      inboxIds = [input.inboxId];
    } else if (!actor.isAdmin) {
      const managed = await em.find(InboxMembership, { user: actor.userId, role: 'manager' }, { fields: ['inbox'] });
      if (managed.length === 0) throw new DomainError('FORBIDDEN', 'campaign results need the manager role in an inbox or the administrator role');
      inboxIds = managed.map((m) => m.inbox.id);
    }
    const rows = await em.execute<Row[]>(
      `select c.id, c.name, c.inbox_id, i.name as inbox_name, c.status, c.started_at,
              count(r.id)::int as recipients,
              count(r.id) filter (where r.status in ('sent', 'delivered'))::int as sent,
              count(r.id) filter (where r.status in ('sent', 'delivered') and m.delivery_status = 'delivered')::int as delivered,
              count(r.id) filter (where r.status = 'failed' or (r.status in ('sent', 'delivered') and m.delivery_status = 'failed'))::int as failed,
              count(r.id) filter (where r.status = 'opted_out')::int as opted_out,
              count(r.id) filter (where r.status in ('sent', 'delivered') and exists (
                select 1 from messages x where x.conversation_id = m.conversation_id and x.direction = 'inbound'
                   and x.id > m.id and x.created_at <= m.created_at + interval '7 days'))::int as replied
         from campaigns c
         join inboxes i on i.id = c.inbox_id
         left join campaign_recipients r on r.campaign_id = c.id
         left join messages m on m.id = r.message_id
        where c.account_id = ? and c.started_at >= ? and c.started_at < ? ${inboxIds ? 'and c.inbox_id = any(?::uuid[])' : ''}
        group by c.id, i.name
        order by c.started_at desc, c.id`,
      [actor.accountId, new Date(from), new Date(to), ...(inboxIds ? [`{${inboxIds.join(',')}}`] : [])],
    );
    const campaigns = rows.map((r) => ({
      campaignId: r.id,
      name: r.name,
      inboxId: r.inbox_id,
      inboxName: r.inbox_name,
      status: r.status,
      startedAt: r.started_at ? new Date(r.started_at).toISOString() : null,
      recipients: r.recipients,
      sent: r.sent,
      delivered: r.delivered,
      failed: r.failed,
      optedOut: r.opted_out,
      replied: r.replied,
    }));
    const sum = (k: 'recipients' | 'sent' | 'delivered' | 'failed' | 'optedOut' | 'replied') => campaigns.reduce((s, c) => s + c[k], 0);
    return {
      from: new Date(from).toISOString(),
      to: new Date(to).toISOString(),
      definitions: CAMPAIGN_RESULT_DEFINITIONS,
      campaigns,
      total: { recipients: sum('recipients'), sent: sum('sent'), delivered: sum('delivered'), failed: sum('failed'), optedOut: sum('optedOut'), replied: sum('replied') },
    };
  }
}
