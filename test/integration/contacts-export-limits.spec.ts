/**
 * The CSV export must not let slow clients take the database away from everyone else: raw TCP clients
 * that send the export request and never read (TCP backpressure fills both sides' buffers) hold no pool
 * connection and no transaction, other accounts and /health answer at once, concurrent exports are
 * capped per account and per process (429 with Retry-After), and a client that stops reading is
 * disconnected after EXPORT_WRITE_TIMEOUT_SECONDS.
 */
import * as net from 'node:net';
import { MikroORM } from '@mikro-orm/postgresql';
import { Client } from 'pg';
import { eventually, http, signUp, startTestStack, type TestStack } from '../support/test-stack';

const WRITE_TIMEOUT_SECONDS = 4;
const POOL_SIZE = 4;
const CONTACTS = 50_000;
const NOTE = 'n'.repeat(300);

let stack: TestStack;
let db: Client;
/** The API's accepted sockets by the client's port, to see when the server dropped one. */
const serverSockets = new Map<number, net.Socket>();

interface StalledExport {
  status: number;
  /** Response head and whatever arrived before the socket was paused. */
  head: string;
  received(): number;
  /** The server's side of this connection (found by the client's port). */
  serverSide(): net.Socket | undefined;
  /** Resolves when the socket is closed (by either side); `ended` tells whether the chunked body was complete. */
  closed: Promise<{ ended: boolean }>;
  resume(): void;
  destroy(): void;
}

/** Sends GET `path` on a raw socket, waits for the status line, then stops reading (200) or reads on (errors). */
function openStalledExport(path: string, token: string): Promise<StalledExport> {
  const { port } = new URL(stack.baseUrl);
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: '127.0.0.1', port: Number(port) });
    socket.setNoDelay(true);
    let bytes = 0;
    let tail = '';
    let head = '';
    let settled = false;
    // The server's FIN ('end') or reset ('error') ends the exchange; 'close' may not follow a FIN at once.
    const closed = new Promise<{ ended: boolean }>((done) => {
      const finish = () => done({ ended: tail.endsWith('\r\n0\r\n\r\n') });
      for (const event of ['end', 'error', 'close']) socket.on(event, finish);
    });
    socket.on('error', () => undefined);
    socket.on('data', (data: Buffer) => {
      bytes += data.length;
      tail = (tail + data.toString('latin1')).slice(-16);
      if (settled) return;
      head += data.toString('latin1');
      const match = /^HTTP\/1\.1 (\d{3})/.exec(head);
      if (!match || !head.includes('\r\n\r\n')) return;
      settled = true;
      const status = Number(match[1]);
      if (status === 200) socket.pause();
      resolve({ status, head, received: () => bytes, serverSide: () => serverSockets.get(socket.localPort!), closed, resume: () => socket.resume(), destroy: () => socket.destroy() });
    });
    socket.on('close', () => settled || reject(new Error(`socket closed before a response head: ${JSON.stringify(head)}`)));
    socket.write(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nAuthorization: Bearer ${token}\r\nConnection: keep-alive\r\n\r\n`);
  });
}

/** Resolves with the time taken, fails after `ms` (the request would otherwise hang the test). */
async function timed<T>(what: string, ms: number, fn: (signal: AbortSignal) => Promise<T>): Promise<{ value: T; ms: number }> {
  const started = Date.now();
  try {
    return { value: await fn(AbortSignal.timeout(ms)), ms: Date.now() - started };
  } catch (err) {
    throw new Error(`${what} did not answer within ${ms} ms: ${(err as Error).message}`);
  }
}

async function insertContacts(accountId: string, n: number): Promise<void> {
  // Ten contacts share each creation time, so paging must order by (created_at, id).
  await db.query(
    `insert into contacts (id, account_id, name, email, attributes, created_at, updated_at)
     select gen_random_uuid(), $1, 'Contact ' || i, 'c' || i || '@example.com', jsonb_build_object('note', $2::text),
            timestamptz '2026-01-01 00:00:00+00' + (i / 10) * interval '1 second', now()
     from generate_series(1, ${n}) as i`,
    [accountId, NOTE],
  );
}

async function withNote(token: string): Promise<void> {
  const res = await http(stack, 'POST', '/api/v1/contact-attributes', { key: 'note', label: 'Note', type: 'text' }, token);
  expect(res.status).toBe(201);
}

beforeAll(async () => {
  // A pool as small as the number of exports allowed at once: they still must not take it.
  stack = await startTestStack({ worker: false, env: { EXPORT_WRITE_TIMEOUT_SECONDS: String(WRITE_TIMEOUT_SECONDS), DATABASE_POOL_SIZE: String(POOL_SIZE) } });
  expect(stack.api.get(MikroORM).config.get('pool')).toMatchObject({ max: POOL_SIZE });
  (stack.api.getHttpServer() as net.Server).on('connection', (socket: net.Socket) => serverSockets.set(socket.remotePort!, socket));
  db = new Client({ connectionString: stack.config.database.url });
  await db.connect();
}, 120_000);

afterAll(async () => {
  await db?.end();
  await stack?.close();
});

test('stalled export clients hold no database connection, are capped and are disconnected after the write deadline', async () => {
  const a = await signUp(stack, 'Export flood A');
  const b = await signUp(stack, 'Export flood B');
  const c = await signUp(stack, 'Bystander C');
  for (const acc of [a, b]) {
    await withNote(acc.token);
    await insertContacts(acc.accountId, CONTACTS);
  }
  await withNote(c.token);
  const exportPath = '/api/v1/contacts/export.csv?attributes=id,name,email,note';
  const stalled: StalledExport[] = [];
  try {
    // Six requests from A, then six from B: twelve, more than the pool's connections (and today's default of ten).
    for (const acc of [a, b]) {
      stalled.push(...(await Promise.all(Array.from({ length: 6 }, () => openStalledExport(exportPath, acc.token)))));
    }
    await new Promise((r) => setTimeout(r, 500)); // the server fills the socket buffers and waits

    // While they hang: another account's request and /health answer at once.
    const list = await timed('another account’s contact list', 3000, (signal) =>
      fetch(`${stack.baseUrl}/api/v1/contacts`, { headers: { authorization: `Bearer ${c.token}` }, signal }));
    expect(list.value.status).toBe(200);
    expect(list.ms).toBeLessThan(1500);
    const health = await timed('/health', 3000, (signal) => fetch(`${stack.baseUrl}/health`, { signal }));
    expect(health.value.status).toBe(200);
    expect(health.ms).toBeLessThan(1500);
    // No connection of ours sits in an open transaction waiting for a client.
    const waiting = await db.query(
      `select pid, state, query from pg_stat_activity where datname = current_database() and state like 'idle in transaction%' and pid <> pg_backend_pid()`,
    );
    expect(waiting.rows).toEqual([]);

    // Two exports per account, four per process; the rest were refused with a reason and Retry-After.
    const streaming = stalled.filter((s) => s.status === 200);
    expect(stalled.map((s) => s.status).sort()).toEqual([200, 200, 200, 200, 429, 429, 429, 429, 429, 429, 429, 429]);
    const refusals = stalled.filter((s) => s.status === 429);
    for (const refused of refusals) expect(refused.head).toMatch(/\r\nretry-after: \d+\r\n/i);
    expect(refusals[0].head).toContain('an account may run at most 2 contact exports at once (EXPORT_MAX_CONCURRENT_PER_ACCOUNT)');
    const byC = await fetch(`${stack.baseUrl}${exportPath}`, { headers: { authorization: `Bearer ${c.token}` } });
    expect(byC.status).toBe(429);
    expect(byC.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(((await byC.json()) as { message: string }).message).toContain('at most 4 contact exports run at once on this server (EXPORT_MAX_CONCURRENT)');
    // The streams really are stalled: far less than one export (~17 MB) arrived.
    for (const s of streaming) expect(s.received()).toBeLessThan(8 * 1024 * 1024);

    // Within the write deadline the server keeps them; after it, it drops every stalled socket.
    expect(streaming.map((s) => s.serverSide()?.destroyed)).toEqual(streaming.map(() => false));
    const stalledSince = Date.now();
    await eventually(
      async () => (streaming.every((s) => s.serverSide()?.destroyed) ? true : undefined),
      (WRITE_TIMEOUT_SECONDS + 15) * 1000,
      'the server to drop the stalled export sockets',
    );
    expect(Date.now() - stalledSince).toBeGreaterThan((WRITE_TIMEOUT_SECONDS - 2) * 1000);
    // Reading now gives at most what was already in flight, never the whole export.
    for (const s of streaming) s.resume();
    const outcomes = await Promise.all(
      streaming.map((s) => Promise.race([s.closed, new Promise<'open'>((r) => setTimeout(() => r('open'), 5000))])),
    );
    expect(outcomes).toEqual(streaming.map(() => ({ ended: false })));
    for (const s of streaming) expect(s.received()).toBeLessThan(12 * 1024 * 1024);

    // The slots are free again: A exports every contact exactly once, oldest first.
    const full = await fetch(`${stack.baseUrl}${exportPath}`, { headers: { authorization: `Bearer ${a.token}` } });
    expect(full.status).toBe(200);
    const lines = (await full.text()).split('\r\n').filter(Boolean);
    expect(lines[0]).toBe('id,name,email,note');
    const rows = lines.slice(1).map((l) => l.split(','));
    expect(rows).toHaveLength(CONTACTS);
    expect(new Set(rows.map((r) => r[0])).size).toBe(CONTACTS);
    expect(new Set(rows.map((r) => r[2])).size).toBe(CONTACTS);
    expect(rows.every((r) => r[3] === NOTE)).toBe(true);
    const seconds = rows.map((r) => Math.floor(Number(r[1].slice('Contact '.length)) / 10));
    expect(seconds.every((s, i) => i === 0 || s >= seconds[i - 1])).toBe(true);
  } finally {
    for (const s of stalled) s.destroy();
  }
}, 180_000);
