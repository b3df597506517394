import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { Client } from 'pg';
import { APP_CONFIG, type ServiceConfig } from '../../config/config';
import { CrmWorkflows } from '../../temporal/crm-workflows';

/** The NOTIFY channel crm_queue_lookups() signals with (at commit). */
export const CRM_LOOKUPS_CHANNEL = 'cx_crm_lookups';
/** Rows one drain takes at most (then it drains again). */
const BATCH = 200;

/**
 * In the worker process: turns the queued lookups (crm_lookup_queue, written by the triggers in the
 * transaction that created the contact or the conversation) into crm-lookup workflows, and removes
 * each row once its workflow is started, so a lookup is lost neither with a notification nor with a
 * worker. Woken by NOTIFY; a sweep every WEBHOOK_SWEEP_SECONDS and one after every reconnect pick up
 * what a lost notification left behind.
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
      const { rows } = await client.query<{ id: string; connector_id: string; contact_id: string; reason: 'contact_created' | 'conversation_started' }>(
        `select id, connector_id, contact_id, reason from crm_lookup_queue order by id limit ${BATCH}`,
      );
      if (rows.length === 0) return;
      const results = await Promise.allSettled(rows.map((r) => this.workflows.startLookup({ connectorId: r.connector_id, contactId: r.contact_id, reason: r.reason })));
      const started = rows.filter((_, i) => results[i].status === 'fulfilled').map((r) => r.id);
      if (started.length) await client.query('delete from crm_lookup_queue where id = any($1::bigint[])', [started]);
      const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
      // Rows whose start failed stay queued for the next drain (the sweep).
      if (failed) throw failed.reason;
      if (rows.length < BATCH) return;
    }
  }
}
