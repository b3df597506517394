/**
 * A lean server-sent-events reader for the benches: many streams in one process, each event handed
 * to `onEvent` with its SSE name, id and parsed `data:` JSON, stamped with the wall-clock time (ms,
 * sub-millisecond) at which its last line arrived.
 */
import * as http from 'node:http';

export interface BenchSseEvent {
  event: string;
  id: string | null;
  data: { id?: string; type: string; at: string; data: Record<string, unknown> };
  receivedAt: number;
}

export interface BenchSse {
  close(): void;
  /** Resolves at the stream's `ready` event. */
  ready: Promise<void>;
}

export const nowMs = () => performance.timeOrigin + performance.now();

export function openBenchSse(url: string, token: string, onEvent: (e: BenchSseEvent) => void): BenchSse {
  let req: http.ClientRequest;
  const ready = new Promise<void>((resolve, reject) => {
    req = http.get(url, { headers: { accept: 'text/event-stream', authorization: `Bearer ${token}` }, agent: false }, (res) => {
      if (res.statusCode !== 200) {
        reject(new Error(`stream answered ${res.statusCode}`));
        res.resume();
        return;
      }
      res.setEncoding('utf8');
      let buffer = '';
      res.on('data', (chunk: string) => {
        const at = nowMs();
        buffer += chunk;
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          let event = 'message';
          let id: string | null = null;
          let data = '';
          for (const line of block.split('\n')) {
            if (line.startsWith('event: ')) event = line.slice(7);
            else if (line.startsWith('id: ')) id = line.slice(4);
            else if (line.startsWith('data: ')) data += line.slice(6);
          }
          if (!data) continue;
          if (event === 'ready') resolve();
          onEvent({ event, id, data: JSON.parse(data), receivedAt: at });
        }
      });
      res.on('error', () => undefined);
    });
    req.on('error', reject);
  });
  return { ready, close: () => req.destroy() };
}
