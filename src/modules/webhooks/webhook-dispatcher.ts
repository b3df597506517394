import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { Client } from 'pg';
import { APP_CONFIG, type ServiceConfig } from '../../config/config';
import { WebhookWorkflows } from '../../temporal/webhook-workflows';

/** The NOTIFY channel webhook_enqueue() signals with the endpoint ids that got deliveries. */
export const WEBHOOKS_CHANNEL = 'cx_webhooks';
/** Notifications within this window are coalesced into one wake-up per endpoint. */
const COALESCE_MS = 10;

/**
 * In the worker process: turns "deliveries were enqueued" (NOTIFY at commit, from webhook_enqueue())
 * into wake signals for the endpoints' delivery workflows (signalWithStart: one that is not running
 * is started). A notification is lost only with its connection; a sweep every WEBHOOK_SWEEP_SECONDS
 * wakes endpoints whose deliveries are overdue by more than that, and one runs after every reconnect.
 * The deliveries themselves are in Postgres, so a lost wake-up only delays them.
 */
@Injectable()
export class WebhookDispatcher implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(WebhookDispatcher.name);
  private client: Client | null = null;
  private stopped = false;
  private pending = new Set<string>();
  private flushTimer?: NodeJS.Timeout;
  private sweepTimer?: NodeJS.Timeout;
  private reconnectDelayMs = 250;

  constructor(
    @Inject(APP_CONFIG) private readonly config: ServiceConfig,
    private readonly workflows: WebhookWorkflows,
  ) {}

  onApplicationBootstrap(): void {
    void this.connect();
    this.sweepTimer = setInterval(() => void this.sweep(), this.config.webhooks.sweepSeconds * 1000);
    this.sweepTimer.unref();
  }

  onModuleDestroy(): void {
    this.stopped = true;
    clearInterval(this.sweepTimer);
    clearTimeout(this.flushTimer);
    const client = this.client;
    this.client = null;
    void client?.end().catch(() => undefined);
  }

  private async connect(): Promise<void> {
    while (!this.stopped) {
      const client = new Client({ connectionString: this.config.database.url, application_name: 'cx-webhooks' });
      try {
        client.on('error', (err) => this.lost(client, err));
        client.on('end', () => this.lost(client, new Error('connection ended')));
        client.on('notification', (msg) => {
          for (const id of (msg.payload ?? '').split(',')) if (id) this.pending.add(id);
          this.scheduleFlush();
        });
        await client.connect();
        await client.query(`listen ${WEBHOOKS_CHANNEL}`);
        if (this.stopped) {
          await client.end();
          return;
        }
        this.client = client;
        this.reconnectDelayMs = 250;
        void this.sweep(0);
        return;
      } catch (err) {
        client.removeAllListeners();
        void client.end().catch(() => undefined);
        this.logger.warn(`webhooks listener: ${(err as Error).message}; retrying in ${this.reconnectDelayMs} ms`);
        await new Promise((r) => setTimeout(r, this.reconnectDelayMs));
        this.reconnectDelayMs = Math.min(this.reconnectDelayMs * 2, 10_000);
      }
    }
  }

  private lost(client: Client, err: Error): void {
    if (this.client !== client) return;
    this.client = null;
    client.removeAllListeners();
    client.on('error', () => undefined);
    void client.end().catch(() => undefined);
    if (this.stopped) return;
    this.logger.warn(`webhooks listener lost its connection (${err.message}); reconnecting`);
    void this.connect();
  }

  private scheduleFlush(): void {
    if (this.flushTimer) return;
    this.flushTimer = setTimeout(() => {
      this.flushTimer = undefined;
      const ids = [...this.pending];
      this.pending.clear();
      for (const id of ids) {
        this.workflows.wake(id).catch((err: Error) => {
          if (this.stopped) return;
          this.logger.warn(`webhook endpoint ${id}: wake-up failed (${err.message}); the sweep retries`);
        });
      }
    }, COALESCE_MS);
  }

  /** Wakes enabled endpoints whose pending deliveries are overdue by more than `slackSeconds`. */
  private async sweep(slackSeconds = this.config.webhooks.sweepSeconds): Promise<void> {
    const client = this.client;
    if (!client || this.stopped) return;
    try {
      const { rows } = await client.query<{ endpoint_id: string }>(
        `select distinct d.endpoint_id from webhook_deliveries d join webhook_endpoints e on e.id = d.endpoint_id
          where d.status = 'pending' and e.enabled and d.next_attempt_at < clock_timestamp() - make_interval(secs => $1)`,
        [slackSeconds],
      );
      for (const r of rows) this.pending.add(r.endpoint_id);
      if (rows.length > 0) this.scheduleFlush();
    } catch (err) {
      this.logger.warn(`webhooks sweep failed: ${(err as Error).message}`);
    }
  }
}
