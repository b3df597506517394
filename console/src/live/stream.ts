/**
 * The live event stream (GET /api/v1/events, server-sent events) read with fetch, so the session
 * token goes in the Authorization header as for every other call (EventSource cannot send headers;
 * the API's single-use tickets exist for clients that must use it). One stream per tab: it
 * reconnects by itself with `Last-Event-ID`, so the API replays what the tab missed; `reset` (too
 * much missed) and a reconnect after a gap make the console refetch what it shows.
 */
import type { paths } from '../api/schema';

/** One event as the stream sends it (`data:` line), typed per `type` from the API's document. */
export type LiveEnvelope = paths['/api/v1/events']['get']['responses'][200]['content']['text/event-stream'];
export type LiveEventType = LiveEnvelope['type'];
export type LiveEventOf<T extends LiveEventType> = Extract<LiveEnvelope, { type: T }>;

export type LiveStatus = 'connecting' | 'live' | 'reconnecting' | 'closed';

export interface LiveStreamOptions {
  token: () => string | null;
  onEvent: (event: LiveEnvelope) => void;
  onStatus: (status: LiveStatus) => void;
  /** The API said `reset`, or the stream was down: what the console shows may be stale. */
  onStale: () => void;
  /** The token is no longer accepted (401). */
  onUnauthorized: () => void;
}

/** Parses SSE frames from text chunks (the WHATWG "event stream" rules the API's frames use). */
export class SseParser {
  private buffer = '';
  private event = '';
  private data: string[] = [];
  lastEventId: string | undefined;

  constructor(private readonly dispatch: (type: string, data: string) => void) {}

  push(chunk: string): void {
    this.buffer += chunk;
    let nl: number;
    while ((nl = this.buffer.search(/\r\n|\r|\n/)) >= 0) {
      // a CR at the end of a chunk may be the first half of CRLF: wait for the next chunk
      if (this.buffer[nl] === '\r' && nl === this.buffer.length - 1) break;
      const line = this.buffer.slice(0, nl);
      this.buffer = this.buffer.slice(nl + (this.buffer.startsWith('\r\n', nl) ? 2 : 1));
      this.line(line);
    }
  }

  private line(line: string): void {
    if (line === '') {
      if (this.data.length > 0) this.dispatch(this.event || 'message', this.data.join('\n'));
      this.event = '';
      this.data = [];
      return;
    }
    if (line.startsWith(':')) return;
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'event') this.event = value;
    else if (field === 'data') this.data.push(value);
    else if (field === 'id' && !value.includes('\0')) this.lastEventId = value;
  }
}

const RETRY_MS = [500, 1000, 2000, 5000, 10_000];

/** Opens the stream and keeps it open until `close()`. */
export function openLiveStream(opts: LiveStreamOptions): { close: () => void } {
  let closed = false;
  let attempt = 0;
  let lastEventId: string | undefined;
  let controller: AbortController | undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;

  const connect = async (): Promise<void> => {
    const token = opts.token();
    if (closed || !token) return;
    opts.onStatus(attempt === 0 ? 'connecting' : 'reconnecting');
    controller = new AbortController();
    const headers: Record<string, string> = { Authorization: `Bearer ${token}`, Accept: 'text/event-stream' };
    if (lastEventId) headers['Last-Event-ID'] = lastEventId;
    try {
      const res = await fetch('/api/v1/events', { headers, signal: controller.signal });
      if (res.status === 401) {
        opts.onUnauthorized();
        return;
      }
      if (!res.ok || !res.body) throw new Error(`event stream: ${res.status}`);
      const parser = new SseParser((type, data) => {
        let event: LiveEnvelope;
        try {
          event = JSON.parse(data) as LiveEnvelope;
        } catch {
          return;
        }
        if (type === 'ready') {
          attempt = 0;
          opts.onStatus('live');
        } else if (type === 'reset') {
          opts.onStale();
        }
        opts.onEvent(event);
      });
      const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        parser.push(value);
        lastEventId = parser.lastEventId ?? lastEventId;
      }
    } catch {
      // network error or abort: reconnect below unless closed
    }
    if (closed) return;
    opts.onStatus('reconnecting');
    const delay = RETRY_MS[Math.min(attempt, RETRY_MS.length - 1)];
    attempt++;
    timer = setTimeout(() => void connect(), delay);
  };

  void connect();
  return {
    close: () => {
      closed = true;
      if (timer) clearTimeout(timer);
      controller?.abort();
      opts.onStatus('closed');
    },
  };
}
