/**
 * A fake CRM on 127.0.0.1 for the CRM connector's tests: a lookup API (GET /contacts?email=) over an
 * in-memory store, whose answer per email can be slow, a failure or malformed JSON, and a write-back
 * endpoint (POST /write-back) that applies each Idempotency-Key once, whose first answers can be
 * delayed past the connector's timeout.
 */
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface CrmRecord {
  id: string;
  email: string;
  properties: Record<string, unknown>;
}

export interface FakeCrmRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body: string;
  at: number;
}

export interface FakeCrm {
  url: string;
  records: Map<string, CrmRecord>;
  /** By email: how the lookup answers instead of the record. */
  behaviour: Map<string, { delayMs?: number; status?: number; raw?: string }>;
  /** Delay of the next write-back requests (one entry each; consumed in order). */
  writeBackDelays: number[];
  requests: FakeCrmRequest[];
  /** Lookups (GET /contacts) being answered now, and the most there were at once. */
  lookupsInFlight: number;
  maxLookupsInFlight: number;
  /** Delay of every lookup answer without a behaviour of its own (ms). */
  lookupDelayMs: number;
  /** Write-backs applied, one per Idempotency-Key. */
  applied: { key: string; body: unknown }[];
  close(): Promise<void>;
}

export async function startFakeCrm(): Promise<FakeCrm> {
  const crm: FakeCrm = {
    url: '',
    records: new Map(),
    behaviour: new Map(),
    writeBackDelays: [],
    requests: [],
    lookupsInFlight: 0,
    maxLookupsInFlight: 0,
    lookupDelayMs: 0,
    applied: [],
    close: async () => undefined,
  };
  const sockets = new Set<import('node:net').Socket>();
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string') headers[k] = v;
      const url = new URL(req.url ?? '/', 'http://fake');
      const got: FakeCrmRequest = { method: req.method ?? 'GET', path: url.pathname + url.search, headers, body: Buffer.concat(chunks).toString('utf8'), at: Date.now() };
      crm.requests.push(got);
      const send = (status: number, body: string, delayMs = 0) =>
        setTimeout(() => {
          if (res.destroyed) return;
          res.writeHead(status, { 'content-type': 'application/json' });
          res.end(body);
        }, delayMs);
      if (req.method === 'GET' && url.pathname === '/contacts') {
        const email = url.searchParams.get('email') ?? '';
        const b = crm.behaviour.get(email);
        const record = crm.records.get(email);
        crm.lookupsInFlight += 1;
        crm.maxLookupsInFlight = Math.max(crm.maxLookupsInFlight, crm.lookupsInFlight);
        let counted = true;
        const done = () => {
          if (counted) crm.lookupsInFlight -= 1;
          counted = false;
        };
        res.on('close', done);
        const delay = b?.delayMs ?? crm.lookupDelayMs;
        if (b?.raw !== undefined || b?.status !== undefined) return send(b.status ?? 200, b.raw ?? '{"error":"boom"}', delay);
        if (!record) return send(404, '{"error":"not found"}', delay);
        return send(200, JSON.stringify(record), delay);
      }
      if (req.method === 'POST' && url.pathname === '/write-back') {
        // Applied on arrival (as a slow CRM that answers late would have), once per Idempotency-Key.
        const key = headers['idempotency-key'] ?? '';
        if (key && !crm.applied.some((a) => a.key === key)) crm.applied.push({ key, body: JSON.parse(got.body) as unknown });
        return send(200, '{"ok":true}', crm.writeBackDelays.shift() ?? 0);
      }
      send(404, '{}');
    });
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  crm.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  crm.close = () =>
    new Promise<void>((resolve) => {
      for (const s of sockets) s.destroy();
      server.close(() => resolve());
    });
  return crm;
}
