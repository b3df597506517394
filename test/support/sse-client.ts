/**
 * A plain server-sent-events client over node's http (no EventSource polyfill): it sends the headers
 * it is given (Authorization, Last-Event-ID), parses the stream as the SSE specification says (id,
 * event, data, comments; an id on a block without data moves the last event id only) and keeps every
 * event with the time it arrived.
 */
import * as http from 'node:http';

export interface SseEvent {
  id: string | null;
  event: string;
  /** The data line parsed as JSON. */
  data: { id?: string; type: string; at: string; data: Record<string, unknown> };
  receivedAt: number;
}

export interface SseClient {
  status: number;
  headers: http.IncomingHttpHeaders;
  events: SseEvent[];
  /** The last id the stream set (as EventSource keeps it for a reconnect). */
  lastEventId: string | null;
  comments: number;
  closed: boolean;
  /** Waits for the first event (after `from`, an index into events) that matches. */
  next(match: (e: SseEvent) => boolean, timeoutMs?: number, from?: number): Promise<SseEvent>;
  waitClosed(timeoutMs?: number): Promise<void>;
  close(): void;
  /** The body of a non-200 answer. */
  body?: string;
}

export function openSse(url: string, headers: Record<string, string> = {}): Promise<SseClient> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { headers: { accept: 'text/event-stream', ...headers } }, (res) => {
      const client: SseClient = {
        status: res.statusCode ?? 0,
        headers: res.headers,
        events: [],
        lastEventId: null,
        comments: 0,
        closed: false,
        next: (match, timeoutMs = 10_000, from = 0) =>
          new Promise((done, fail) => {
            const found = client.events.slice(from).find(match);
            if (found) return done(found);
            const timer = setTimeout(() => {
              waiters.delete(check);
              fail(new Error(`no matching event within ${timeoutMs} ms; got: ${client.events.map((e) => e.event).join(', ')}`));
            }, timeoutMs);
            const check = (e: SseEvent) => {
              if (!match(e)) return false;
              clearTimeout(timer);
              done(e);
              return true;
            };
            waiters.add(check);
          }),
        waitClosed: (timeoutMs = 10_000) =>
          new Promise((done, fail) => {
            if (client.closed) return done();
            const timer = setTimeout(() => fail(new Error(`stream still open after ${timeoutMs} ms`)), timeoutMs);
            res.once('close', () => {
              clearTimeout(timer);
              done();
            });
          }),
        close: () => req.destroy(),
      };
      const waiters = new Set<(e: SseEvent) => boolean>();
      res.setEncoding('utf8');
      if (client.status !== 200) {
        let body = '';
        res.on('data', (c: string) => (body += c));
        res.on('end', () => resolve({ ...client, body }));
        return;
      }
      let buffer = '';
      let block = { id: null as string | null, event: '', data: [] as string[] };
      res.on('data', (chunk: string) => {
        buffer += chunk;
        let nl: number;
        while ((nl = buffer.indexOf('\n')) >= 0) {
          const line = buffer.slice(0, nl).replace(/\r$/, '');
          buffer = buffer.slice(nl + 1);
          if (line === '') {
            if (block.id !== null) client.lastEventId = block.id;
            if (block.data.length) {
              const e: SseEvent = { id: block.id, event: block.event || 'message', data: JSON.parse(block.data.join('\n')), receivedAt: Date.now() };
              client.events.push(e);
              for (const w of [...waiters]) if (w(e)) waiters.delete(w);
            }
            block = { id: null, event: '', data: [] };
          } else if (line.startsWith(':')) {
            client.comments += 1;
          } else {
            const i = line.indexOf(':');
            const field = i < 0 ? line : line.slice(0, i);
            const value = i < 0 ? '' : line.slice(i + 1).replace(/^ /, '');
            if (field === 'id') block.id = value;
            else if (field === 'event') block.event = value;
            else if (field === 'data') block.data.push(value);
          }
        }
      });
      res.on('close', () => (client.closed = true));
      res.on('error', () => (client.closed = true));
      resolve(client);
    });
    req.on('error', reject);
  });
}
