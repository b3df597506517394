import { EntityManager } from '@mikro-orm/postgresql';
import { Inject, Injectable } from '@nestjs/common';
import type { Response } from 'express';
import { DomainError } from '../../../common/domain-error';
import { pgArrayLiteral } from '../../../common/pg-array';
import { APP_CONFIG, ServiceConfig } from '../../../config/config';
import type { Actor } from '../../auth/actor';
import { LIVE_EVENT_COLUMNS, LiveEventHub, toRecord } from '../live-event-hub';
import type { StreamAccess } from '../live-event-visibility';
import { LiveStream } from '../live-stream';
import { StreamAccessReader } from '../stream-access-reader';

export interface OpenEventStreamInput {
  actor: Actor;
  /** Last-Event-ID (header, else the lastEventId query parameter): replay what came after it. */
  lastEventId?: number;
  res: Response;
}

/** How long a new stream waits for this process's listener after a start or a lost connection. */
const LISTENER_WAIT_MS = 5000;
/** Events a stream holds while paused (replay, access re-read) before it is dropped. */
const MAX_PENDING_EVENTS = 10_000;

/**
 * Opens an event stream: checks the caps and the caller's access, registers the stream with the hub
 * (live events queue from here on), replays what the caller missed after Last-Event-ID (or sends
 * `reset` when that is older than the retention or more than LIVE_EVENTS_REPLAY_MAX events), then
 * `ready` carrying the position as its id, and goes live.
 */
@Injectable()
export class OpenEventStreamUseCase {
  constructor(
    private readonly em: EntityManager,
    private readonly hub: LiveEventHub,
    private readonly reader: StreamAccessReader,
    @Inject(APP_CONFIG) private readonly config: ServiceConfig,
  ) {}

  async execute({ actor, lastEventId, res }: OpenEventStreamInput): Promise<void> {
    const settings = this.config.liveEvents;
    this.hub.admit(actor.accountId, actor.userId);
    if (!(await this.hub.ready(LISTENER_WAIT_MS))) {
      res.setHeader('Retry-After', '5');
      throw new DomainError('DEPENDENCY_UNAVAILABLE', 'live events are unavailable: this server cannot reach the database; retry');
    }
    const check = await this.reader.read(actor.tokenId, actor.userId);
    if ('end' in check) throw new DomainError('UNAUTHENTICATED', `Authorization: ${check.end}`);
    this.hub.admit(actor.accountId, actor.userId);

    const live = this.hub.lastId!;
    const stream = new LiveStream(res, {
      tokenId: actor.tokenId,
      access: check.access,
      position: lastEventId ?? live,
      maxBufferBytes: settings.maxBufferBytes,
      maxPendingEvents: MAX_PENDING_EVENTS,
      heartbeatMs: settings.heartbeatSeconds * 1000,
      accessRecheckMs: settings.accessRecheckSeconds * 1000,
      recheck: () => this.reader.read(actor.tokenId, actor.userId),
      onClose: (s, reason) => this.hub.unregister(s, reason.startsWith('client too slow') || reason.startsWith('too many events')),
    });
    res.status(200);
    res.setHeader('Content-Type', 'text/event-stream; charset=utf-8');
    res.setHeader('Cache-Control', 'no-cache, no-transform');
    res.setHeader('Connection', 'keep-alive');
    // Reverse proxies (nginx) would otherwise buffer the stream.
    res.setHeader('X-Accel-Buffering', 'no');
    res.flushHeaders();
    res.socket?.setNoDelay(true);
    this.hub.register(stream);
    // The client may have gone while its access was read: its 'close' came before the stream listened.
    if (res.destroyed || res.socket?.destroyed !== false) {
      stream.close('client went away', false);
      return;
    }
    stream.write('retry: 2000\n\n');

    let replayed = 0;
    if (lastEventId !== undefined) {
      try {
        const outcome = await this.replay(stream, check.access, lastEventId, settings.replayMax);
        if (outcome.reset) {
          stream.position = Math.max(stream.position, live);
          stream.control('reset', { reason: outcome.reset, position: String(stream.position) }, stream.position);
        } else {
          replayed = outcome.replayed;
        }
      } catch {
        stream.control('end', { reason: 'the missed events could not be read; reconnect' });
        stream.close('replay failed', false);
        return;
      }
    }
    stream.control('ready', { position: String(stream.position), replayed, heartbeatSeconds: settings.heartbeatSeconds, retentionHours: settings.retentionHours }, stream.position);
    stream.resume();
  }

  /** The caller's events after `after`, in one snapshot with the table's bounds. */
  private async replay(stream: LiveStream, access: StreamAccess, after: number, max: number): Promise<{ reset?: string; replayed: number }> {
    const inboxes = [...access.roles.keys()];
    const managed = [...access.roles].filter(([, role]) => role === 'manager').map(([id]) => id);
    const rows = await this.em.fork().execute<Record<string, unknown>[]>(
      `with bounds as (select min(id) as min_id, max(id) as head from live_events),
            missed as (
              select ${LIVE_EVENT_COLUMNS} from live_events
               where account_id = ? and id > ? and (user_id is null or user_id = ?)
                 and (?::boolean
                      or (inbox_id is null and audience = 'members')
                      or (inbox_id = any(?::uuid[]) and (audience = 'members' or inbox_id = any(?::uuid[]))))
               order by id limit ?)
       select b.min_id, b.head, m.* from bounds b left join missed m on true order by m.id`,
      [access.accountId, after, access.userId, access.isAdmin, pgArrayLiteral(inboxes), pgArrayLiteral(managed), max + 1],
    );
    const head = rows[0]?.head === null || rows[0]?.head === undefined ? 0 : Number(rows[0].head);
    const minId = rows[0]?.min_id === null || rows[0]?.min_id === undefined ? null : Number(rows[0].min_id);
    if (after > head) return { reset: `event ${after} is unknown here (the newest is ${head})`, replayed: 0 };
    if (minId !== null && after + 1 < minId) return { reset: `events after ${after} are no longer kept (LIVE_EVENTS_RETENTION_HOURS ${this.config.liveEvents.retentionHours})`, replayed: 0 };
    const missed = rows.filter((r) => r.id !== null && r.id !== undefined);
    if (missed.length > max) return { reset: `more than ${max} events were missed (LIVE_EVENTS_REPLAY_MAX)`, replayed: 0 };
    for (const row of missed) stream.deliver(toRecord(row as never));
    stream.position = Math.max(stream.position, head);
    return { replayed: missed.length };
  }
}
