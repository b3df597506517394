import { EntityManager } from '@mikro-orm/postgresql';
import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { pgArrayLiteral } from '../../common/pg-array';
import { APP_CONFIG, ServiceConfig } from '../../config/config';
import { LiveEventHub } from './live-event-hub';

/** Campaigns published per round. */
const BATCH = 20;
/** A wake-up can be lost only with the listener's connection; a slow look covers even that. */
const SAFETY_POLL_MS = 5000;

/**
 * campaign.progress events, at most one per campaign every LIVE_EVENTS_CAMPAIGN_PROGRESS_MS: triggers
 * mark a campaign dirty when one of its recipients, its status or a delivery receipt changes
 * (campaign_live_progress) and, when a campaign was clean, NOTIFY cx_live_campaigns; every API
 * replica (woken through its hub's listener, then by a timer for campaigns still throttled) looks for
 * dirty campaigns whose last event is old enough, takes them with FOR UPDATE SKIP LOCKED (so one replica publishes each), reads the counts
 * and emits the event, in one transaction. A change while an event is being published marks the
 * campaign dirty again, so the last counts are always published (trailing edge).
 */
@Injectable()
export class CampaignProgressPublisher implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(CampaignProgressPublisher.name);
  private poll?: NodeJS.Timeout;
  private next?: NodeJS.Timeout;
  private running = false;
  private again = false;
  private stopped = false;

  constructor(
    private readonly em: EntityManager,
    private readonly hub: LiveEventHub,
    @Inject(APP_CONFIG) private readonly config: ServiceConfig,
  ) {}

  onApplicationBootstrap(): void {
    this.hub.onCampaignDirty(() => this.wake());
    this.poll = setInterval(() => this.wake(), SAFETY_POLL_MS);
    this.poll.unref();
    this.wake();
  }

  onModuleDestroy(): void {
    this.stopped = true;
    clearInterval(this.poll);
    clearTimeout(this.next);
  }

  /** Publishes what is due now, then sleeps until the next throttled campaign is due (if any). */
  private wake(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    clearTimeout(this.next);
    void this.round().then(async () => {
      if (this.again) {
        this.again = false;
        return this.wake();
      }
      const waitMs = await this.nextDueInMs().catch(() => null);
      if (waitMs !== null && !this.stopped) {
        // A campaign held by a writer's open transaction is skipped: look again shortly, not in a tight loop.
        this.next = setTimeout(() => this.wake(), Math.max(25, waitMs));
        this.next.unref();
      }
    });
  }

  private async nextDueInMs(): Promise<number | null> {
    const [row] = await this.em.fork().execute<{ wait_ms: number | null }[]>(
      `select extract(epoch from (min(coalesce(last_emitted_at + make_interval(secs => ?), clock_timestamp())) - clock_timestamp())) * 1000 as wait_ms
         from campaign_live_progress where dirty`,
      [this.config.liveEvents.campaignProgressMs / 1000],
    );
    return row?.wait_ms === null || row?.wait_ms === undefined ? null : Number(row.wait_ms);
  }

  /** One round; returns how many campaigns it published. */
  async round(): Promise<number> {
    if (this.running || this.stopped) return 0;
    this.running = true;
    try {
      const em = this.em.fork();
      const [any] = await em.execute<{ due: boolean }[]>(`select exists (select 1 from campaign_live_progress where dirty) as due`);
      if (!any.due) return 0;
      return await em.transactional(async (tx) => {
        const taken = await tx.execute<{ campaign_id: string }[]>(
          `select campaign_id from campaign_live_progress
            where dirty and (last_emitted_at is null or last_emitted_at <= clock_timestamp() - make_interval(secs => ?))
            order by last_emitted_at nulls first limit ${BATCH} for update skip locked`,
          [this.config.liveEvents.campaignProgressMs / 1000],
        );
        if (!taken.length) return 0;
        const rows = await tx.execute<{ id: string; account_id: string; inbox_id: string; payload: Record<string, unknown> }[]>(
          `select c.id, c.account_id, c.inbox_id, jsonb_build_object(
                  'campaignId', c.id, 'inboxId', c.inbox_id, 'status', c.status,
                  'total', coalesce(c.audience_total, s.processed + s.sending + s.deferred),
                  'sent', s.sent, 'delivered', d.delivered, 'undelivered', d.undelivered, 'failed', s.failed, 'skipped', s.skipped,
                  'optedOut', s.opted_out, 'sending', s.sending, 'deferred', s.deferred,
                  'remaining', greatest(0, coalesce(c.audience_total, s.processed + s.sending + s.deferred) - s.processed)) as payload
             from campaigns c
             cross join lateral (
               select count(*) filter (where r.status = 'sent') as sent,
                      count(*) filter (where r.status = 'failed') as failed,
                      count(*) filter (where r.status = 'skipped') as skipped,
                      count(*) filter (where r.status = 'opted_out') as opted_out,
                      count(*) filter (where r.status = 'sending') as sending,
                      count(*) filter (where r.status = 'deferred') as deferred,
                      count(*) filter (where r.status not in ('sending', 'deferred')) as processed
                 from campaign_recipients r where r.campaign_id = c.id) s
             cross join lateral (
               select count(*) filter (where m.delivery_status = 'delivered') as delivered,
                      count(*) filter (where m.delivery_status = 'failed') as undelivered
                 from campaign_recipients r join messages m on m.id = r.message_id
                where r.campaign_id = c.id and r.status = 'sent') d
            where c.id = any(?::uuid[])`,
          [pgArrayLiteral(taken.map((t) => t.campaign_id))],
        );
        // Taken: a change from now on waits for this transaction (the row lock) and marks it dirty again.
        await tx.execute(`update campaign_live_progress set dirty = false, last_emitted_at = clock_timestamp() where campaign_id = any(?::uuid[])`, [
          pgArrayLiteral(taken.map((t) => t.campaign_id)),
        ]);
        // Last in the transaction: live_event_emit holds the event lock until the commit.
        for (const r of rows) {
          await tx.execute(`select live_event_emit(?, ?, null, null, 'managers', 'campaign.progress', ?::jsonb)`, [r.account_id, r.inbox_id, JSON.stringify(r.payload)]);
        }
        return rows.length;
      });
    } catch (err) {
      this.logger.warn(`publishing campaign progress failed: ${(err as Error).message}`);
      return 0;
    } finally {
      this.running = false;
    }
  }
}
