/**
 * GET /api/v1/reports/volume (conversations created and resolved, from the event log) and
 * POST /api/v1/campaigns/audience-preview (the campaign form's live count of an unsaved audience),
 * over HTTP on the real PostgreSQL; no worker runs, so only these calls change anything.
 */
import { randomUUID } from 'node:crypto';
import { EntityManager } from '@mikro-orm/postgresql';
import { http, signUp, startTestStack, type TestStack } from '../support/test-stack';
import type { VolumeReport } from '../../src/modules/reports/get-volume-report.use-case';

interface User {
  id: string;
  token: string;
}
interface ErrorBody {
  message: string;
  details?: { field: string; problem: string }[];
}

let stack: TestStack;
let admin: Awaited<ReturnType<typeof signUp>>;
let other: Awaited<ReturnType<typeof signUp>>;
let manager: User;
let member: User;
let inboxA: string;
let inboxB: string;
let otherInbox: string;

let n = 0;
const uniq = (p: string) => `${p}-${Date.now()}-${++n}`;
const sql = <T>(query: string, params: unknown[] = []) => stack.api.get(EntityManager).fork().execute<T[]>(query, params);

async function newUser(token: string, name: string): Promise<User> {
  const email = `${uniq('vol')}@example.com`;
  const created = await http<{ id: string }>(stack, 'POST', '/api/v1/users', { name, email, password: 'correct horse battery' }, token);
  expect(created.status).toBe(201);
  const login = await http<{ token: string }>(stack, 'POST', '/api/v1/auth/login', { email, password: 'correct horse battery' });
  return { id: created.body.id, token: login.body.token };
}

async function newInbox(token: string, name: string, channelType: 'api' | 'sms' = 'api'): Promise<string> {
  const res = await http<{ id: string }>(stack, 'POST', '/api/v1/inboxes', { name, channelType, settings: channelType === 'api' ? { routing: { humanAgentsEnabled: false } } : undefined }, token);
  expect(res.status).toBe(201);
  return res.body.id;
}

async function conversation(token: string, inboxId: string, resolve: boolean): Promise<string> {
  const res = await http<{ conversationId: string }>(stack, 'POST', `/api/v1/inboxes/${inboxId}/inbound-messages`, { contact: { sourceId: uniq('c'), name: 'Jane Doe' }, content: 'hello' }, token);
  expect(res.status).toBe(201);
  if (resolve) expect((await http(stack, 'POST', `/api/v1/conversations/${res.body.conversationId}/resolve`, undefined, token)).status).toBe(200);
  return res.body.conversationId;
}

/** Moves the events of a conversation to a given instant (the log is append-only in the product; the test dates it). */
const dateEvents = (conversationId: string, at: string) => sql(`update conversation_events set created_at = ? where conversation_id = ?`, [at, conversationId]);

const volume = (token: string, query: string) => http<VolumeReport & ErrorBody>(stack, 'GET', `/api/v1/reports/volume${query}`, undefined, token);

beforeAll(async () => {
  stack = await startTestStack({ worker: false, env: { LOG_LEVEL: 'error' } });
  admin = await signUp(stack, 'Volume Ltd');
  other = await signUp(stack, 'Other Ltd');
  manager = await newUser(admin.token, 'Mona Manager');
  member = await newUser(admin.token, 'Mel Member');
  inboxA = await newInbox(admin.token, 'A support');
  inboxB = await newInbox(admin.token, 'B sales');
  otherInbox = await newInbox(other.token, 'Other support');
  expect((await http(stack, 'PUT', `/api/v1/inboxes/${inboxA}/members/${manager.id}`, { role: 'manager' }, admin.token)).status).toBe(200);
  expect((await http(stack, 'PUT', `/api/v1/inboxes/${inboxA}/members/${member.id}`, { role: 'member' }, admin.token)).status).toBe(200);

  // A: 2 created on Mon 2026-03-02 (one resolved the same day), 1 created on Wed 2026-03-04 and resolved.
  // B: 1 created on Tue 2026-03-10 (next ISO week), resolved. Other account: 1 on 2026-03-02.
  for (const [inbox, day, resolve, token] of [
    [inboxA, '2026-03-02T09:00:00Z', true, admin.token],
    [inboxA, '2026-03-02T10:00:00Z', false, admin.token],
    [inboxA, '2026-03-04T12:00:00Z', true, admin.token],
    [inboxB, '2026-03-10T08:00:00Z', true, admin.token],
    [otherInbox, '2026-03-02T09:00:00Z', true, other.token],
  ] as const) {
    await dateEvents(await conversation(token, inbox, resolve), day);
  }
}, 120_000);

afterAll(async () => {
  await stack?.close();
});

describe('GET /api/v1/reports/volume', () => {
  test('administrators: created and resolved by day (account zone UTC) and by inbox, with the channel and a total; another account never counts', async () => {
    const res = await volume(admin.token, '?from=2026-03-01&to=2026-03-15&groupBy=day');
    expect(res.status).toBe(200);
    expect(res.body.groupBy).toBe('day');
    expect(res.body.from).toBe('2026-03-01T00:00:00.000Z');
    expect(res.body.to).toBe('2026-03-16T00:00:00.000Z');
    expect(res.body.periods).toEqual([
      { period: '2026-03-02', label: '2026-03-02', created: 2, resolved: 1 },
      { period: '2026-03-04', label: '2026-03-04', created: 1, resolved: 1 },
      { period: '2026-03-10', label: '2026-03-10', created: 1, resolved: 1 },
    ]);
    expect(res.body.inboxes).toEqual([
      { inboxId: inboxA, name: 'A support', channelType: 'api', created: 3, resolved: 2 },
      { inboxId: inboxB, name: 'B sales', channelType: 'api', created: 1, resolved: 1 },
    ]);
    expect(res.body.total).toEqual({ created: 4, resolved: 3 });
  });

  test('by ISO week (Monday key, IYYY-Www label); the range bounds are respected', async () => {
    const res = await volume(admin.token, '?from=2026-03-01&to=2026-03-15&groupBy=week');
    expect(res.body.periods).toEqual([
      { period: '2026-03-02', label: '2026-W10', created: 3, resolved: 2 },
      { period: '2026-03-09', label: '2026-W11', created: 1, resolved: 1 },
    ]);
    const narrow = await volume(admin.token, '?from=2026-03-03&to=2026-03-04');
    expect(narrow.body.periods).toEqual([{ period: '2026-03-04', label: '2026-03-04', created: 1, resolved: 1 }]);
    expect(narrow.body.total).toEqual({ created: 1, resolved: 1 });
  });

  test("periods and date-only bounds are in the account's time zone (Pacific/Auckland, UTC+13 in March)", async () => {
    expect((await http(stack, 'PATCH', '/api/v1/account', { settings: { timezone: 'Pacific/Auckland' } }, admin.token)).status).toBe(200);
    try {
      const res = await volume(admin.token, '?from=2026-03-01&to=2026-03-15&groupBy=day');
      expect(res.status).toBe(200);
      expect(res.body.timezone).toBe('Pacific/Auckland');
      expect(res.body.from).toBe('2026-02-28T11:00:00.000Z');
      // 2026-03-04T12:00Z is 01:00 on 5 March in Auckland.
      expect(res.body.periods).toEqual([
        { period: '2026-03-02', label: '2026-03-02', created: 2, resolved: 1 },
        { period: '2026-03-05', label: '2026-03-05', created: 1, resolved: 1 },
        { period: '2026-03-10', label: '2026-03-10', created: 1, resolved: 1 },
      ]);
    } finally {
      await http(stack, 'PATCH', '/api/v1/account', { settings: { timezone: 'UTC' } }, admin.token);
    }
  });

  test('a manager sees the inboxes they manage only; inboxId narrows; a member is refused (403); an inbox of another account is 404', async () => {
    const mine = await volume(manager.token, '?from=2026-03-01&to=2026-03-15');
    expect(mine.status).toBe(200);
    expect(mine.body.inboxes.map((i) => i.inboxId)).toEqual([inboxA]);
    expect(mine.body.total).toEqual({ created: 3, resolved: 2 });
    expect((await volume(manager.token, `?inboxId=${inboxB}`)).status).toBe(403);
    expect((await volume(member.token, '')).status).toBe(403);
    const onlyB = await volume(admin.token, `?from=2026-03-01&to=2026-03-15&inboxId=${inboxB}`);
    expect(onlyB.body.total).toEqual({ created: 1, resolved: 1 });
    expect((await volume(admin.token, `?inboxId=${otherInbox}`)).status).toBe(404);
  });

  test('bad input is a 400 naming the field', async () => {
    const cases: [string, string][] = [
      ['?groupBy=month', 'groupBy'],
      ['?from=yesterday', 'from'],
      ['?from=2026-03-10&to=2026-03-01', 'from'],
      ['?from=2024-01-01&to=2026-03-01', 'from'],
      ['?inboxId=nope', 'inboxId'],
    ];
    for (const [query, field] of cases) {
      const res = await volume(admin.token, query);
      expect({ query, status: res.status }).toEqual({ query, status: 400 });
      expect(res.body.details?.map((d) => d.field)).toContain(field);
    }
  });
});

describe('POST /api/v1/campaigns/audience-preview', () => {
  test('counts an unsaved audience like a campaign does (opted-out counted apart), checks its fields, stores nothing, managers only', async () => {
    const sms = await newInbox(admin.token, uniq('sms'), 'sms');
    const batch = uniq('batch');
    const ids = [randomUUID(), randomUUID(), randomUUID()];
    for (const id of ids) await sql(`insert into contacts (id, account_id, name, attributes) values (?, ?, 'P', ?::jsonb)`, [id, admin.accountId, JSON.stringify({ batch })]);
    await sql(`insert into contact_opt_outs (id, contact_id, channel_type, source) values (gen_random_uuid(), ?, 'sms', 'manual:test')`, [ids[0]]);
    const before = await sql<{ n: string }>(`select count(*) as n from campaigns where account_id = ?`, [admin.accountId]);

    const preview = (token: string, body: unknown) => http<{ count: number; optedOut: number } & ErrorBody>(stack, 'POST', '/api/v1/campaigns/audience-preview', body, token);
    expect(await preview(admin.token, { inboxId: sms, audience: { attributes: { batch } } })).toEqual({ status: 200, body: { count: 3, optedOut: 1 } });
    expect((await preview(admin.token, { inboxId: sms, audience: { contactIds: ids.slice(1) } })).body).toEqual({ count: 2, optedOut: 0 });
    const none = await preview(admin.token, { inboxId: sms, audience: { attributes: { batch: 'no such batch' } } });
    expect(none.body).toEqual({ count: 0, optedOut: 0 });

    const badTags = await preview(admin.token, { inboxId: sms, audience: { tags: [] } });
    expect(badTags.status).toBe(400);
    expect(badTags.body.details?.map((d) => d.field)).toEqual(['audience.tags']);
    const badKey = await preview(admin.token, { inboxId: sms, audience: { attributes: { 'Bad Key': 'x' } } });
    expect(badKey.body.details?.map((d) => d.field)).toEqual(['audience.attributes.Bad Key']);
    expect((await preview(admin.token, { audience: {} })).body.details?.map((d) => d.field)).toEqual(['inboxId']);
    expect((await preview(member.token, { inboxId: inboxA, audience: {} })).status).toBe(403);
    expect((await preview(other.token, { inboxId: sms, audience: {} })).status).toBe(404);
    expect(await sql<{ n: string }>(`select count(*) as n from campaigns where account_id = ?`, [admin.accountId])).toEqual(before);
  });
});
