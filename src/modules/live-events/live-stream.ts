import type { Response } from 'express';
import { type LiveEventRecord, mayReceive, type StreamAccess } from './live-event-visibility';

/** What a re-read of the caller's access found: the access now, or why the stream must end. */
export type AccessCheck = { access: StreamAccess } | { end: string };

export interface LiveStreamOptions {
  tokenId: string;
  access: StreamAccess;
  /** Highest event id this stream has already accounted for (delivered or not meant for it). */
  position: number;
  maxBufferBytes: number;
  /** Events held while the stream is paused (replay, access re-read); beyond: dropped. */
  maxPendingEvents: number;
  heartbeatMs: number;
  accessRecheckMs: number;
  /** Re-reads the caller's access (token, administrator role, inbox memberships). */
  recheck: () => Promise<AccessCheck>;
  onClose: (stream: LiveStream, reason: string) => void;
}

/** The `data:` JSON of every event: the envelope the OpenAPI document describes (LiveEvent). */
export function envelope(event: LiveEventRecord): string {
  return JSON.stringify({ id: String(event.id), type: event.type, at: event.createdAt.toISOString(), data: event.payload });
}

/** One SSE frame. */
export function frame(type: string, data: string, id?: number): string {
  return `${id !== undefined ? `id: ${id}\n` : ''}event: ${type}\ndata: ${data}\n\n`;
}

/**
 * One open event stream. It never waits on its client: a write goes into the response's buffer, and
 * a client whose unsent data grows beyond `maxBufferBytes` (it stopped reading) is dropped, so it
 * holds neither the hub nor a database connection. While paused (replaying the missed events, or
 * re-reading access after a membership change) live events queue up in order and are delivered, or
 * not, under the access read afterwards.
 */
export class LiveStream {
  access: StreamAccess;
  position: number;
  closed = false;
  readonly tokenId: string;
  private paused = true;
  private pending: LiveEventRecord[] = [];
  private rechecking = false;
  private corked = false;
  private recheckAgain = false;
  private readonly heartbeat: NodeJS.Timeout;
  private readonly recheckTimer: NodeJS.Timeout;

  constructor(
    private readonly res: Response,
    private readonly opts: LiveStreamOptions,
  ) {
    this.access = opts.access;
    this.position = opts.position;
    this.tokenId = opts.tokenId;
    this.heartbeat = setInterval(() => this.write(`: heartbeat\nid: ${this.position}\n\n`), opts.heartbeatMs);
    // Spread the re-reads of many streams over the interval.
    this.recheckTimer = setInterval(() => this.refresh(), opts.accessRecheckMs * (0.75 + Math.random() * 0.25));
    this.heartbeat.unref();
    this.recheckTimer.unref();
    res.on('close', () => this.close('client went away', false));
    res.on('error', () => this.close('connection failed', true));
  }

  get userId(): string {
    return this.access.userId;
  }

  get bufferedBytes(): number {
    return this.res.writableLength;
  }

  /** A committed event, in id order; ignored when it is not newer than the stream's position. */
  offer(event: LiveEventRecord): void {
    if (this.closed || event.id <= this.position) return;
    if (this.paused) {
      if (this.rechecking && this.isAccessChangeOfMine(event)) this.recheckAgain = true;
      if (this.pending.length >= this.opts.maxPendingEvents) {
        this.close('too many events held while paused', true);
        return;
      }
      this.pending.push(event);
      return;
    }
    if (this.isAccessChangeOfMine(event)) {
      // What the caller may see changed: hold everything from here on until the access is read again.
      this.pending.push(event);
      this.refresh();
      return;
    }
    this.deliver(event);
  }

  private isAccessChangeOfMine(event: LiveEventRecord): boolean {
    return event.type === 'access.changed' && event.userId === this.access.userId && event.accountId === this.access.accountId;
  }

  /** Writes an event now if the caller may see it (replay and live), and moves the position past it. */
  deliver(event: LiveEventRecord): void {
    if (this.closed || event.id <= this.position) return;
    this.position = event.id;
    if (mayReceive(this.access, event)) this.write((event.frame ??= frame(event.type, envelope(event), event.id)));
  }

  /** A control event (ready, reset, end). */
  control(type: 'ready' | 'reset' | 'end', data: Record<string, unknown>, id?: number): void {
    this.write(frame(type, JSON.stringify({ ...(id !== undefined ? { id: String(id) } : {}), type, at: new Date().toISOString(), data }), id));
  }

  /** Delivers what queued while paused, in order, and goes live. */
  resume(): void {
    if (this.closed) return;
    const queued = this.pending;
    this.pending = [];
    this.paused = false;
    // An access change among them pauses the stream again; offer() queues the rest behind it.
    for (const event of queued) this.offer(event);
  }

  /** Re-reads the caller's access; events wait meanwhile. */
  refresh(): void {
    if (this.closed) return;
    this.paused = true;
    if (this.rechecking) {
      this.recheckAgain = true;
      return;
    }
    this.rechecking = true;
    void (async () => {
      try {
        for (;;) {
          this.recheckAgain = false;
          const check = await this.opts.recheck();
          if ('end' in check) {
            this.control('end', { reason: check.end });
            this.close(check.end, false);
            return;
          }
          this.access = check.access;
          if (!this.recheckAgain) break;
        }
      } catch {
        // The database did not answer: without knowing what the caller may see now, nothing more is
        // delivered; the client reconnects (and replays) once it answers again.
        this.rechecking = false;
        this.control('end', { reason: 'access could not be read again; reconnect' });
        this.close('access re-read failed', false);
        return;
      } finally {
        this.rechecking = false;
      }
      // The access changes held in the queue are in what was just read (a change arriving during the
      // read started another one): deliver them without another pause.
      const queued = this.pending;
      this.pending = [];
      this.paused = false;
      for (const event of queued) {
        if (this.paused) this.pending.push(event);
        else this.deliver(event);
      }
    })();
  }

  write(chunk: string): void {
    if (this.closed) return;
    if (this.res.writableLength > this.opts.maxBufferBytes) {
      this.close(`client too slow: more than ${this.opts.maxBufferBytes} bytes unsent (LIVE_EVENTS_MAX_BUFFER_BYTES)`, true);
      return;
    }
    // Everything written in one tick (a page of events, a replay) leaves in one write to the socket.
    if (!this.corked) {
      this.corked = true;
      this.res.cork();
      process.nextTick(() => {
        this.corked = false;
        this.res.uncork();
      });
    }
    this.res.write(chunk);
  }

  /**
   * Ends the stream: `destroy` drops the connection at once (a client that does not read would never
   * take a polite end); otherwise the response ends after what was written.
   */
  close(reason: string, destroy: boolean): void {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.heartbeat);
    clearInterval(this.recheckTimer);
    this.pending = [];
    if (destroy) this.res.destroy();
    else if (!this.res.writableEnded) this.res.end();
    this.opts.onClose(this, reason);
  }
}
