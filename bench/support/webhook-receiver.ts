/** The webhook fan-out bench's receiver on 127.0.0.1: records each request (time, path, headers, body) and answers 200 at once. */
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface BenchReceived {
  at: number;
  path: string;
  headers: Record<string, string>;
  body: string;
}

export async function startBenchReceiver(): Promise<{ url: string; received: BenchReceived[]; close(): Promise<void> }> {
  const received: BenchReceived[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({ at: Date.now(), path: req.url ?? '/', headers: { 'webhook-id': String(req.headers['webhook-id'] ?? '') }, body: Buffer.concat(chunks).toString('utf8') });
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end('ok');
    });
  });
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    received,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
