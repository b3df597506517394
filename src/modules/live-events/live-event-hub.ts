import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { Client } from 'pg';
import { DomainError } from '../../common/domain-error';
import { APP_CONFIG, ServiceConfig } from '../../config/config';
import type { LiveEventAudience } from './live-event.entity';
import type { LiveEventRecord } from './live-event-visibility';
import type { LiveStream } from './live-stream';

/** The NOTIFY channel live_event_emit() signals on every commit that wrote events. */
export const LIVE_EVENTS_CHANNEL = 'cx_live_events';
/** The NOTIFY channel live_campaign_mark() signals when a campaign's progress became dirty. */
export const LIVE_CAMPAIGNS_CHANNEL = 'cx_live_campaigns';
/** Rows read per query when catching up. */
const PAGE = 1000;
/** A notification can be lost only with its connection; a slow poll covers even that. */
const SAFETY_POLL_MS = 5000;
/**
 * A wake-up waits this long before the read, so the commits of one burst (an inbound message's
 * storing, its welcome, its routing: a few ms apart) share one read instead of one each.
 */
const COALESCE_MS = 15;

interface Row {
  id: string;
  account_id: string;
  inbox_id: string | null;
  conversation_id: string | null;
  user_id: string | null;
  audience: LiveEventAudience;
  type: string;
  payload: Record<string, unknown>;
  created_at: Date;
}

export const LIVE_EVENT_COLUMNS = 'id, account_id, inbox_id, conversation_id, user_id, audience, type, payload, created_at';

export function toRecord(r: Row): LiveEventRecord {
  return {
    id: Number(r.id),
    accountId: r.account_id,
    inboxId: r.inbox_id,
    conversationId: r.conversation_id,
    userId: r.user_id,
    audience: r.audience,
    type: r.type,
    payload: r.payload,
    createdAt: new Date(r.created_at),
  };
}

/**
 * The live events of this API process: one dedicated PostgreSQL connection (outside the pool) that
 * LISTENs on cx_live_events, reads the rows after the last one it saw (ids are in commit order, see
 * the live_events migration) and offers each to the open streams of its account. Every replica runs
 * its own hub against the same table, so a stream on any replica sees every commit. The connection
 * reconnects with backoff and then catches up from the last id; streams stay open meanwhile.
 */
@Injectable()
export class LiveEventHub implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(LiveEventHub.name);
  private client: Client | null = null;
  private stopped = false;
  private lastIdValue: number | null = null;
  private fetching = false;
  private fetchAgain = false;
  private reconnectDelayMs = 250;
  private poll?: NodeJS.Timeout;
  private coalesce?: NodeJS.Timeout;
  private readonly byAccount = new Map<string, Set<LiveStream>>();
  private readonly perUser = new Map<string, number>();
  private total = 0;
  private readyWaiters: Array<() => void> = [];
  private readonly campaignListeners: Array<() => void> = [];
  readonly stats = { dispatched: 0, dropped: 0, opened: 0, closed: 0 };

  constructor(@Inject(APP_CONFIG) private readonly config: ServiceConfig) {}

  onApplicationBootstrap(): void {
    void this.connect();
    this.poll = setInterval(() => this.schedule(), SAFETY_POLL_MS);
    this.poll.unref();
  }

  onModuleDestroy(): void {
    this.stopped = true;
    clearInterval(this.poll);
    clearTimeout(this.coalesce);
    for (const set of this.byAccount.values()) {
      for (const stream of [...set]) {
        stream.control('end', { reason: 'the server is shutting down; reconnect' });
        stream.close('server shutting down', false);
      }
    }
    const client = this.client;
    this.client = null;
    void client?.end().catch(() => undefined);
  }

  /** The id of the last event this process dispatched; null until the listener first connected. */
  get lastId(): number | null {
    return this.lastIdValue;
  }

  /** Resolves once the listener knows its position (at most `timeoutMs`); false when it did not. */
  async ready(timeoutMs: number): Promise<boolean> {
    if (this.lastIdValue !== null) return true;
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(this.lastIdValue !== null), timeoutMs);
      this.readyWaiters.push(() => {
        clearTimeout(timer);
        resolve(true);
      });
    });
  }

  /** Called whenever a campaign's progress became dirty (and after every reconnect of the listener). */
  onCampaignDirty(listener: () => void): void {
    this.campaignListeners.push(listener);
  }

  /** Refuses a new stream beyond the caps of this process (429). */
  admit(accountId: string, userId: string): void {
    const { maxStreams, maxStreamsPerAccount, maxStreamsPerUser } = this.config.liveEvents;
    if (this.total >= maxStreams) throw new DomainError('RATE_LIMITED', `this server holds its maximum of ${maxStreams} event streams (LIVE_EVENTS_MAX_STREAMS); try another or later`);
    if ((this.byAccount.get(accountId)?.size ?? 0) >= maxStreamsPerAccount) {
      throw new DomainError('RATE_LIMITED', `your account has ${maxStreamsPerAccount} event streams open on this server (LIVE_EVENTS_MAX_STREAMS_PER_ACCOUNT); close one`);
    }
    if ((this.perUser.get(userId) ?? 0) >= maxStreamsPerUser) {
      throw new DomainError('RATE_LIMITED', `you have ${maxStreamsPerUser} event streams open on this server (LIVE_EVENTS_MAX_STREAMS_PER_USER); close one`);
    }
  }

  /** From now on the stream is offered every event of its account dispatched after its position. */
  register(stream: LiveStream): void {
    const { accountId, userId } = stream.access;
    let set = this.byAccount.get(accountId);
    if (!set) this.byAccount.set(accountId, (set = new Set()));
    set.add(stream);
    this.perUser.set(userId, (this.perUser.get(userId) ?? 0) + 1);
    this.total += 1;
    this.stats.opened += 1;
  }

  unregister(stream: LiveStream, dropped: boolean): void {
    const { accountId, userId } = stream.access;
    const set = this.byAccount.get(accountId);
    if (!set?.delete(stream)) return;
    if (set.size === 0) this.byAccount.delete(accountId);
    const n = (this.perUser.get(userId) ?? 1) - 1;
    if (n > 0) this.perUser.set(userId, n);
    else this.perUser.delete(userId);
    this.total -= 1;
    this.stats.closed += 1;
    if (dropped) this.stats.dropped += 1;
  }

  get openStreams(): number {
    return this.total;
  }

  /** Each open stream's unsent bytes and position (diagnostics, benchmarks). */
  streamStats(): { userId: string; accountId: string; bufferedBytes: number; position: number }[] {
    return [...this.byAccount.values()].flatMap((set) => [...set].map((s) => ({ userId: s.userId, accountId: s.access.accountId, bufferedBytes: s.bufferedBytes, position: s.position })));
  }

  private async connect(): Promise<void> {
    while (!this.stopped) {
      const client = new Client({ connectionString: this.config.database.url, application_name: 'cx-live-events' });
      try {
        client.on('error', (err) => this.lost(client, err));
        client.on('end', () => this.lost(client, new Error('connection ended')));
        client.on('notification', (msg) => {
          if (msg.channel === LIVE_CAMPAIGNS_CHANNEL) for (const wake of this.campaignListeners) wake();
          else this.schedule();
        });
        await client.connect();
        await client.query(`listen ${LIVE_EVENTS_CHANNEL}; listen ${LIVE_CAMPAIGNS_CHANNEL}`);
        if (this.lastIdValue === null) {
          const { rows } = await client.query<{ id: string }>('select coalesce(max(id), 0) as id from live_events');
          this.lastIdValue = Number(rows[0].id);
        }
        if (this.stopped) {
          await client.end();
          return;
        }
        this.client = client;
        this.reconnectDelayMs = 250;
        this.logger.log(`listening for live events after id ${this.lastIdValue}`);
        for (const wake of this.readyWaiters.splice(0)) wake();
        // Marks made while it was away were not heard.
        for (const wake of this.campaignListeners) wake();
        this.schedule();
        return;
      } catch (err) {
        client.removeAllListeners();
        void client.end().catch(() => undefined);
        this.logger.warn(`live events listener: ${(err as Error).message}; retrying in ${this.reconnectDelayMs} ms`);
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
    this.logger.warn(`live events listener lost its connection (${err.message}); reconnecting`);
    void this.connect();
  }

  /** Reads and dispatches what is new (after COALESCE_MS); a wake-up during a read makes it read again. */
  private schedule(): void {
    if (this.fetching) {
      this.fetchAgain = true;
      return;
    }
    if (this.coalesce) return;
    this.coalesce = setTimeout(() => {
      this.coalesce = undefined;
      this.fetch();
    }, COALESCE_MS);
  }

  private fetch(): void {
    if (this.fetching) {
      this.fetchAgain = true;
      return;
    }
    if (!this.client || this.lastIdValue === null) return;
    this.fetching = true;
    void this.drain().finally(() => {
      this.fetching = false;
      if (this.fetchAgain) {
        this.fetchAgain = false;
        this.fetch();
      }
    });
  }

  private async drain(): Promise<void> {
    for (;;) {
      this.fetchAgain = false;
      const client = this.client;
      if (!client || this.lastIdValue === null) return;
      let rows: Row[];
      try {
        ({ rows } = await client.query<Row>(`select ${LIVE_EVENT_COLUMNS} from live_events where id > $1 order by id limit ${PAGE}`, [this.lastIdValue]));
      } catch (err) {
        this.logger.warn(`reading live events failed: ${(err as Error).message}`);
        return;
      }
      for (const row of rows) this.dispatch(toRecord(row));
      if (rows.length < PAGE && !this.fetchAgain) return;
    }
  }

  private dispatch(event: LiveEventRecord): void {
    this.lastIdValue = event.id;
    this.stats.dispatched += 1;
    const set = this.byAccount.get(event.accountId);
    if (!set) return;
    for (const stream of set) stream.offer(event);
  }
}
