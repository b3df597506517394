/**
 * The failed-login limit: per (e-mail, client), per client across e-mails, and per e-mail only for
 * clients that failed on it, so someone else's failures never lock the owner out of their own
 * client. Counted in PostgreSQL: two API instances on one database share the counts. Clients are
 * told apart by X-Forwarded-For (TRUST_PROXY=loopback: the test's requests come from 127.0.0.1).
 */
import { randomUUID } from 'node:crypto';
import { EntityManager } from '@mikro-orm/postgresql';
import { httpFrom, randomClient } from '../support/client-address';
import { signUp, startTestStack, type TestStack } from '../support/test-stack';

const MAX = 3;
const ENV = { TRUST_PROXY: 'loopback', LOGIN_MAX_FAILURES: String(MAX), LOGIN_WINDOW_SECONDS: '600' };
const PASSWORD = 'correct horse battery';
const WRONG = 'wrong password, sorry';
const LIMITED = /^too many failed logins; try again in \d+ s$/;

let first: TestStack;
let second: TestStack;

beforeAll(async () => {
  first = await startTestStack({ worker: false, env: ENV });
  second = await startTestStack({ worker: false, env: ENV });
});
afterAll(async () => {
  await first?.close();
  await second?.close();
});

const login = (stack: TestStack, from: string, email: string, password: string) =>
  httpFrom<{ token?: string; message?: string }>(stack, from, 'POST', '/api/v1/auth/login', { email, password });
const nobody = () => `nobody-${randomUUID()}@example.com`;

test('five wrong passwords from an attacker lock the attacker out, not the owner on another client', async () => {
  const victim = await signUp(first);
  const attacker = randomClient();
  for (let i = 0; i < MAX; i++) expect((await login(first, attacker, victim.email, WRONG)).status).toBe(401);
  // the attacker's client is throttled for this e-mail, even with the right password
  const blocked = await login(first, attacker, victim.email, PASSWORD);
  expect(blocked.status).toBe(429);
  expect(blocked.body.message).toMatch(LIMITED);
  // the owner, from a client of their own, logs in
  const owner = await login(first, randomClient(), victim.email, PASSWORD);
  expect(owner.status).toBe(200);
  expect(owner.body.token).toMatch(/^cxs_/);
});

test('one client failing across many e-mails is throttled at ten times the per-e-mail limit; other clients are not', async () => {
  const attacker = randomClient();
  for (let i = 0; i < MAX * 10; i++) expect((await login(first, attacker, nobody(), WRONG)).status).toBe(401);
  const blocked = await login(first, attacker, nobody(), WRONG);
  expect(blocked.status).toBe(429);
  expect(blocked.body.message).toMatch(LIMITED);
  const user = await signUp(first);
  expect((await login(first, attacker, user.email, PASSWORD)).status).toBe(429);
  expect((await login(first, randomClient(), nobody(), WRONG)).status).toBe(401);
  expect((await login(first, randomClient(), user.email, PASSWORD)).status).toBe(200);
});

test('many clients failing on one e-mail lock it for every client that failed on it, never for one that has not', async () => {
  const victim = await signUp(first);
  // ten attacker clients, each at the per-client limit: the e-mail saw 10x the per-e-mail limit
  for (let c = 0; c < 10; c++) {
    const attacker = randomClient();
    for (let i = 0; i < MAX; i++) expect((await login(first, attacker, victim.email, WRONG)).status).toBe(401);
  }
  // a new client gets its one try; after a failure it is locked (even with the right password) ...
  const prober = randomClient();
  expect((await login(first, prober, victim.email, WRONG)).status).toBe(401);
  expect((await login(first, prober, victim.email, PASSWORD)).status).toBe(429);
  // ... and the owner, from a client that has not failed, logs in with the right password
  expect((await login(first, randomClient(), victim.email, PASSWORD)).status).toBe(200);
});

test('a successful login clears that client\'s failures for the e-mail', async () => {
  const user = await signUp(first);
  const client = randomClient();
  for (let i = 0; i < MAX - 1; i++) expect((await login(first, client, user.email, WRONG)).status).toBe(401);
  expect((await login(first, client, user.email, PASSWORD)).status).toBe(200);
  for (let i = 0; i < MAX; i++) expect((await login(first, client, user.email, WRONG)).status).toBe(401);
  expect((await login(first, client, user.email, PASSWORD)).status).toBe(429);
});

test('two API instances on one database share the counters', async () => {
  const victim = await signUp(first);
  const attacker = randomClient();
  for (let i = 0; i < MAX; i++) expect((await login(first, attacker, victim.email, WRONG)).status).toBe(401);
  const elsewhere = await login(second, attacker, victim.email, PASSWORD);
  expect(elsewhere.status).toBe(429);
  expect(elsewhere.body.message).toMatch(LIMITED);
  expect((await login(second, randomClient(), victim.email, PASSWORD)).status).toBe(200);

  // the counters are rows in PostgreSQL, not process memory
  const em = first.api.get(EntityManager).fork();
  const rows = await em.execute(`select key, hits from rate_limit_counters where key like ? and window_ends_at > now()`, [`login:%${victim.email}`]);
  expect(rows.length).toBeGreaterThan(0);
});

test('parallel guesses cannot overshoot the limit, and overlapping attempts on two instances never deadlock', async () => {
  const victim = await signUp(first);
  const attacker = randomClient();
  const burst = await Promise.all(Array.from({ length: 12 }, (_, i) => login(i % 2 ? first : second, attacker, victim.email, WRONG)));
  expect(burst.map((r) => r.status).sort()).toEqual([...Array(MAX).fill(401), ...Array(12 - MAX).fill(429)]);

  // clients x e-mails in parallel: every answer is a 401 or a 429 (a deadlock would be a 500)
  const clients = Array.from({ length: 4 }, randomClient);
  const emails = Array.from({ length: 4 }, nobody);
  const mixed = await Promise.all(clients.flatMap((c, i) => emails.map((e, j) => login((i + j) % 2 ? first : second, c, e, WRONG))));
  expect(new Set(mixed.map((r) => r.status))).toEqual(new Set([401]));
});

test('expired counters are removed on the next write, without a cron', async () => {
  const em = first.api.get(EntityManager).fork();
  const key = `login:client:test-expired-${randomUUID()}`;
  await em.execute(`insert into rate_limit_counters (key, hits, window_ends_at) values (?, 7, now() - interval '1 hour')`, [key]);
  expect((await login(first, randomClient(), nobody(), WRONG)).status).toBe(401);
  const left = await em.execute(`select 1 from rate_limit_counters where key = ?`, [key]);
  expect(left).toEqual([]);
});

test('without TRUST_PROXY, X-Forwarded-For is ignored: the socket address is the client', async () => {
  const direct = await startTestStack({ worker: false, env: { LOGIN_MAX_FAILURES: '1000' } });
  try {
    const email = nobody();
    const forwarded = randomClient();
    expect((await login(direct, forwarded, email, WRONG)).status).toBe(401);
    expect((await login(first, forwarded, email, WRONG)).status).toBe(401);
    const em = first.api.get(EntityManager).fork();
    const rows: { key: string }[] = await em.execute(`select key from rate_limit_counters where key like ? order by key`, [`%|${email}`]);
    // the direct instance counted 127.0.0.1, the one behind a trusted proxy the forwarded client (its /64)
    expect(rows.map((r) => r.key).sort()).toEqual(
      [`login:client-email:127.0.0.1|${email}`, `login:client-email:${forwarded.replace(/::1$/, '::/64')}|${email}`].sort(),
    );
  } finally {
    await direct.close();
  }
});
