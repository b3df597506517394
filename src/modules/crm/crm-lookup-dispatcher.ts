import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { Client } from 'pg';
import { APP_CONFIG, type ServiceConfig } from '../../config/config';
import { CrmWorkflows } from '../../temporal/crm-workflows';
import type { CrmLookupWorkflowInput } from '../../../workflows/contracts/crm.contract';

/** The NOTIFY channel crm_queue_lookups() signals with (at commit). */
export const CRM_LOOKUPS_CHANNEL = 'cx_crm_lookups';
/** Rows one claim takes at most (then it claims again). */
const BATCH = 200;
/**
 * How long a claimed lookup holds its connector's slot before it may be claimed again: longer than
 * the crm-lookup workflow's activity retries take (5 attempts of at most 2 minutes each, a few seconds
 * apart), so a lookup still running is not claimed twice; a claim whose workflow never started (the
 * dispatcher died) or failed for good is taken again after it.
 */
export const CRM_LOOKUP_LEASE_SECONDS = 15 * 60;
/** Claims after which a lookup that never finished is dropped (logged). */
export const CRM_LOOKUP_MAX_CLAIMS = 3;

/**
 * In the worker process: turns the queued lookups (crm_lookup_queue, written by the triggers in the
 * transaction that created the contact or the conversation) into crm-lookup workflows, at most the
 * connector's maxConcurrentLookups at once across every worker: it claims rows for free slots (see
 * claim()) and starts a workflow per claimed row; the lookup activity removes the row when it is done
 * and NOTIFYs, which frees the slot for the next row. A lookup is lost neither with a notification nor
 * with a worker. Woken by NOTIFY; a sweep every WEBHOOK_SWEEP_SECONDS and one after every reconnect
 * pick up what a lost notification or an expired lease left behind.
 */
@Injectable()
export class CrmLookupDispatcher implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(CrmLookupDispatcher.name);
  private client: Client | null = null;
  private stopped = false;
  private draining: Promise<void> | null = null;
  private again = false;
  private sweepTimer?: NodeJS.Timeout;

  constructor(
    @Inject(APP_CONFIG) private readonly config: ServiceConfig,
    private readonly workflows: CrmWorkflows,
  ) {}

  onApplicationBootstrap(): void {
    void this.connect();
    this.sweepTimer = setInterval(() => this.drain(), this.config.webhooks.sweepSeconds * 1000);
    this.sweepTimer.unref();
  }

  onModuleDestroy(): void {
    this.stopped = true;
    clearInterval(this.sweepTimer);
    const client = this.client;
    this.client = null;
    void client?.end().catch(() => undefined);
  }

  private async connect(delayMs = 250): Promise<void> {
    if (this.stopped) return;
    const client = new Client({ connectionString: this.config.database.url, application_name: 'cx-crm-lookups' });
    const lost = (err: Error) => {
      if (this.client !== client) return;
      this.client = null;
      client.removeAllListeners();
      client.on('error', () => undefined);
      void client.end().catch(() => undefined);
      if (this.stopped) return;
      this.logger.warn(`CRM lookups listener lost its connection (${err.message}); reconnecting`);
      setTimeout(() => void this.connect(), delayMs).unref();
    };
    try {
      client.on('error', lost);
      client.on('end', () => lost(new Error('connection ended')));
      client.on('notification', () => this.drain());
      await client.connect();
      await client.query(`listen ${CRM_LOOKUPS_CHANNEL}`);
      if (this.stopped) {
        await client.end();
        return;
      }
      this.client = client;
      this.drain();
    } catch (err) {
      client.removeAllListeners();
      void client.end().catch(() => undefined);
      this.logger.warn(`CRM lookups listener: ${(err as Error).message}; retrying in ${delayMs} ms`);
      setTimeout(() => void this.connect(Math.min(delayMs * 2, 10_000)), delayMs).unref();
    }
  }

  /** One drain at a time; a wake-up during a drain runs one more. */
  private drain(): void {
    if (this.draining) {
      this.again = true;
      return;
    }
    this.draining = this.drainOnce()
      .catch((err: Error) => {
        if (!this.stopped) this.logger.warn(`CRM lookups: ${err.message}; the sweep retries`);
      })
      .finally(() => {
        this.draining = null;
        if (this.again && !this.stopped) {
          this.again = false;
          this.drain();
        }
      });
  }

  private async drainOnce(): Promise<void> {
    for (;;) {
      const client = this.client;
      if (!client || this.stopped) return;
      const rows = await this.claim(client);
      if (rows.length === 0) return;
      const results = await Promise.allSettled(
        rows.map((r) => this.workflows.startLookup({ connectorId: r.connector_id, contactId: r.contact_id, reason: r.reason, queueId: r.id })),
      );
      const unstarted = rows.filter((_, i) => results[i].status === 'rejected').map((r) => r.id);
      // Rows whose start failed give their slot back and wait for the next drain (the sweep).
      if (unstarted.length) await client.query('update crm_lookup_queue set lease_until = null where id = any($1::bigint[])', [unstarted]);
      const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
      if (failed) throw failed.reason;
    }
  }

  /**
   * Claims, in one transaction under one advisory lock (every worker's dispatcher takes it, so two
   * never count the same free slot), per connector at most max_concurrent_lookups minus its rows
   * whose lease runs, oldest first; rows claimed CRM_LOOKUP_MAX_CLAIMS times whose lease ran out are
   * dropped.
   */
  private async claim(client: Client): Promise<{ id: string; connector_id: string; contact_id: string; reason: CrmLookupWorkflowInput['reason'] }[]> {
    await client.query('begin');
    try {
      await client.query(`select pg_advisory_xact_lock(hashtextextended('crm-lookup-claims', 0))`);
      const dropped = await client.query<{ connector_id: string; contact_id: string }>(
        `delete from crm_lookup_queue where claims >= $1 and lease_until <= clock_timestamp() returning connector_id, contact_id`,
        [CRM_LOOKUP_MAX_CLAIMS],
      );
      for (const d of dropped.rows) this.logger.warn(`CRM lookup of contact ${d.contact_id} by connector ${d.connector_id} dropped after ${CRM_LOOKUP_MAX_CLAIMS} claims`);
      const { rows } = await client.query<{ id: string; connector_id: string; contact_id: string; reason: CrmLookupWorkflowInput['reason'] }>(
        `with free as (
           select k.id as connector_id,
                  greatest(k.max_concurrent_lookups - (select count(*) from crm_lookup_queue r where r.connector_id = k.id and r.lease_until > clock_timestamp()), 0) as slots
             from crm_connectors k
            where exists (select 1 from crm_lookup_queue w where w.connector_id = k.id and (w.lease_until is null or w.lease_until <= clock_timestamp()))
         ),
         picked as (
           select p.id from free, lateral (
             select w.id from crm_lookup_queue w
              where w.connector_id = free.connector_id and (w.lease_until is null or w.lease_until <= clock_timestamp())
              order by w.id limit free.slots) p
            limit $2
         )
         update crm_lookup_queue q set lease_until = clock_timestamp() + make_interval(secs => $1), claims = q.claims + 1
           from picked where q.id = picked.id
         returning q.id, q.connector_id, q.contact_id, q.reason`,
        [CRM_LOOKUP_LEASE_SECONDS, BATCH],
      );
      await client.query('commit');
      return rows;
    } catch (err) {
      await client.query('rollback').catch(() => undefined);
      throw err;
    }
  }
}
