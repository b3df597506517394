/**
 * The live event stream (GET /api/v1/events) on the real stack, with TWO API replicas on one
 * PostgreSQL: changes are made through replica A (and its worker), streams are opened on replica B
 * (and C, a replica with small limits), so every event crosses PostgreSQL LISTEN/NOTIFY. Checked:
 * each event type arrives; Last-Event-ID replays exactly the missed events (and `reset` when it
 * cannot); a member never receives events of another inbox or account, also after being removed
 * from an inbox mid-stream; a client that never reads is dropped without holding up the others;
 * 401 without credentials, single-use tickets, the per-user cap, logout ending the stream; the
 * OpenAPI document describes the stream.
 */
import * as net from 'node:net';
import { Client } from 'pg';
import { LiveEventHub } from '../../src/modules/live-events/live-event-hub';
import { LiveEventPruner } from '../../src/modules/live-events/live-event-pruner';
import { openSse, type SseClient, type SseEvent } from '../support/sse-client';
import { type ApiReplica, eventually, http, signUp, startApiReplica, startTestStack, type TestStack } from '../support/test-stack';

let stack: TestStack;
let replicaB: ApiReplica;
let replicaC: ApiReplica;
let db: Client;
const streams: SseClient[] = [];

interface User {
  id: string;
  token: string;
  email: string;
}
interface Account {
  accountId: string;
  admin: User;
}

let acme: Account;
let other: Account;
let inboxX: string;
let inboxY: string;
let inboxZ: string;
let member: User;
let agentN: User;
let n = 0;
const uniq = () => `${Date.now()}-${++n}-${Math.random().toString(36).slice(2, 7)}`;
const PASSWORD = 'correct horse battery';

const api = <T = unknown>(token: string, method: string, path: string, body?: unknown) => http<T>(stack, method, path, body, token);

async function ok<T = unknown>(token: string, method: string, path: string, body?: unknown): Promise<T> {
  const res = await api<T>(token, method, path, body);
  if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

async function newAccount(name: string): Promise<Account> {
  const s = await signUp(stack, name);
  return { accountId: s.accountId, admin: { id: s.userId, token: s.token, email: s.email } };
}

async function newUser(owner: Account, name: string, inboxes: Record<string, 'member' | 'manager'>): Promise<User> {
  const email = `live-${uniq()}@example.com`;
  const created = await ok<{ id: string }>(owner.admin.token, 'POST', '/api/v1/users', { name, email, password: PASSWORD });
  for (const [inboxId, role] of Object.entries(inboxes)) await ok(owner.admin.token, 'PUT', `/api/v1/inboxes/${inboxId}/members/${created.id}`, { role });
  const login = await http<{ token: string }>(stack, 'POST', '/api/v1/auth/login', { email, password: PASSWORD });
  return { id: created.id, token: login.body.token, email };
}

async function login(user: User): Promise<string> {
  const res = await http<{ token: string }>(stack, 'POST', '/api/v1/auth/login', { email: user.email, password: PASSWORD });
  expect(res.status).toBe(200);
  return res.body.token;
}

async function newInbox(owner: Account, name: string): Promise<string> {
  return (await ok<{ id: string }>(owner.admin.token, 'POST', '/api/v1/inboxes', { name, channelType: 'api', settings: { assignmentMode: 'open' } })).id;
}

/** A customer message into an API inbox: a new conversation (or the contact's open one). */
async function inbound(owner: Account, inboxId: string, sourceId = `c-${uniq()}`): Promise<{ conversationId: string; messageId: string; contactId: string }> {
  return ok(owner.admin.token, 'POST', `/api/v1/inboxes/${inboxId}/inbound-messages`, { contact: { sourceId, name: 'Jane' }, content: 'Hello', externalId: `m-${uniq()}` });
}

/** A stream on `base` with a bearer token (and more headers), once it said `ready`. */
async function stream(base: string, token: string, headers: Record<string, string> = {}): Promise<SseClient> {
  const s = await openSse(`${base}/api/v1/events`, { authorization: `Bearer ${token}`, ...headers });
  streams.push(s);
  expect(s.status).toBe(200);
  await s.next((e) => e.event === 'ready');
  return s;
}

const about = (conversationId: string) => (e: SseEvent) => e.data.data?.conversationId === conversationId;
const readyOf = (s: SseClient) => s.events.find((e) => e.event === 'ready')!;

/** The live events of an account with ids in (after, upTo], as the table holds them. */
async function rowsAfter(accountId: string, userId: string, after: number, upTo: number): Promise<{ id: string; type: string; inbox_id: string | null }[]> {
  return (
    await db.query(`select id::text, type, inbox_id from live_events where account_id = $1 and (user_id is null or user_id = $2) and id > $3 and id <= $4 order by id`, [
      accountId,
      userId,
      after,
      upTo,
    ])
  ).rows;
}

beforeAll(async () => {
  stack = await startTestStack();
  replicaB = await startApiReplica(stack);
  replicaC = await startApiReplica(stack, { LIVE_EVENTS_MAX_BUFFER_BYTES: '65536', LIVE_EVENTS_REPLAY_MAX: '5', LIVE_EVENTS_MAX_STREAMS_PER_USER: '2' });
  db = new Client({ connectionString: stack.config.database.url });
  await db.connect();
  acme = await newAccount('Live Acme');
  other = await newAccount('Live Other');
  inboxX = await newInbox(acme, 'X');
  inboxY = await newInbox(acme, 'Y');
  inboxZ = await newInbox(other, 'Z');
  member = await newUser(acme, 'Mia Member', { [inboxX]: 'member' });
  agentN = await newUser(acme, 'Nils', { [inboxY]: 'member' });
}, 120_000);

afterAll(async () => {
  for (const s of streams) s.close();
  await db?.end();
  await replicaC?.close();
  await replicaB?.close();
  await stack?.close();
});

describe('authentication', () => {
  test('401 without a token or with a bad ticket; a ticket opens one stream, on any replica, once', async () => {
    const none = await openSse(`${replicaB.baseUrl}/api/v1/events`);
    expect(none.status).toBe(401);
    expect(JSON.parse(none.body!)).toMatchObject({ code: 'UNAUTHENTICATED' });
    const bogus = await openSse(`${replicaB.baseUrl}/api/v1/events?ticket=cxt_${'a'.repeat(43)}`);
    expect(bogus.status).toBe(401);
    expect(JSON.parse(bogus.body!).message).toMatch(/ticket/);

    const ticket = await ok<{ ticket: string; expiresAt: string; url: string }>(acme.admin.token, 'POST', '/api/v1/events/ticket');
    expect(ticket.ticket).toMatch(/^cxt_[A-Za-z0-9_-]{43}$/);
    expect(Date.parse(ticket.expiresAt)).toBeGreaterThan(Date.now());
    // Asked on A, used on B.
    const first = await openSse(`${replicaB.baseUrl}${ticket.url}`);
    streams.push(first);
    expect(first.status).toBe(200);
    expect(first.headers['content-type']).toMatch(/^text\/event-stream/);
    const ready = await first.next((e) => e.event === 'ready');
    expect(ready.id).toBe(ready.data.data.position);
    const again = await openSse(`${stack.baseUrl}${ticket.url}`);
    expect(again.status).toBe(401);
    first.close();

    const badId = await openSse(`${replicaB.baseUrl}/api/v1/events`, { authorization: `Bearer ${acme.admin.token}`, 'last-event-id': 'yesterday' });
    expect(badId.status).toBe(400);
    expect(JSON.parse(badId.body!).details).toEqual([{ field: 'Last-Event-ID', problem: 'must be the decimal id of an event' }]);
  });

  test('a stream ends when its session ends (logout)', async () => {
    const token = await login(member);
    const s = await stream(replicaB.baseUrl, token);
    expect((await api(token, 'POST', '/api/v1/auth/logout')).status).toBe(204);
    const end = await s.next((e) => e.event === 'end');
    expect(end.data.data.reason).toMatch(/session or token ended/);
    await s.waitClosed();
  });

  test('at most LIVE_EVENTS_MAX_STREAMS_PER_USER streams per user on one replica (429)', async () => {
    const token = await login(agentN);
    await stream(replicaC.baseUrl, token);
    const second = await stream(replicaC.baseUrl, token);
    const third = await openSse(`${replicaC.baseUrl}/api/v1/events`, { authorization: `Bearer ${token}` });
    expect(third.status).toBe(429);
    expect(JSON.parse(third.body!).message).toMatch(/LIVE_EVENTS_MAX_STREAMS_PER_USER/);
    second.close();
    const hub = replicaC.api.get(LiveEventHub, { strict: false });
    const open = hub.openStreams;
    await eventually(async () => (hub.openStreams < open ? true : undefined), 5000, 'the closed stream to be let go');
    await stream(replicaC.baseUrl, token);
  });
});

describe('events committed through replica A reach a stream on replica B', () => {
  test('conversation, message, assignment, presence and campaign events', async () => {
    const s = await stream(replicaB.baseUrl, acme.admin.token);
    const from = s.events.length;

    const conv = await inbound(acme, inboxX);
    const created = await s.next((e) => e.event === 'conversation.created' && about(conv.conversationId)(e), 10_000, from);
    expect(created.data.data).toMatchObject({ inboxId: inboxX, contactId: conv.contactId, status: 'new', channelType: 'api', priority: 0 });
    expect(created.id).toBe(created.data.id);
    const msg = await s.next((e) => e.event === 'message.created' && e.data.data.messageId === conv.messageId, 10_000, from);
    expect(msg.data.data).toMatchObject({ conversationId: conv.conversationId, inboxId: inboxX, direction: 'inbound', senderType: 'contact', deliveryStatus: 'received' });

    await ok(acme.admin.token, 'PATCH', `/api/v1/conversations/${conv.conversationId}`, { priority: 3 });
    const prio = await s.next((e) => e.event === 'conversation.updated' && about(conv.conversationId)(e) && !!e.data.data.changes && 'priority' in (e.data.data.changes as object), 10_000, from);
    expect(prio.data.data.changes).toEqual({ priority: { from: 0, to: 3 } });

    await ok(acme.admin.token, 'POST', `/api/v1/conversations/${conv.conversationId}/tags`, { tags: ['vip'] });
    const tags = await s.next((e) => e.event === 'conversation.updated' && about(conv.conversationId)(e) && 'tags' in (e.data.data.changes as object), 10_000, from);
    expect(tags.data.data.changes).toEqual({ tags: { added: ['vip'] } });

    await ok(acme.admin.token, 'PUT', `/api/v1/conversations/${conv.conversationId}/assignee`, { assigneeId: member.id });
    const assigned = await s.next((e) => e.event === 'conversation.assigned' && about(conv.conversationId)(e), 10_000, from);
    expect(assigned.data.data).toMatchObject({ inboxId: inboxX, assigneeId: member.id, previousAssigneeId: null });
    await ok(acme.admin.token, 'PUT', `/api/v1/conversations/${conv.conversationId}/assignee`, { assigneeId: null });
    const unassigned = await s.next((e) => e.event === 'conversation.unassigned' && about(conv.conversationId)(e), 10_000, from);
    expect(unassigned.data.data).toMatchObject({ previousAssigneeId: member.id });

    const note = await ok<{ message: { id: string } }>(acme.admin.token, 'POST', `/api/v1/conversations/${conv.conversationId}/notes`, { content: 'internal only' });
    const noteEvent = await s.next((e) => e.event === 'message.created' && e.data.data.messageId === note.message.id, 10_000, from);
    expect(noteEvent.data.data).toMatchObject({ direction: 'internal', senderType: 'note', senderUserId: acme.admin.id });

    const reply = await ok<{ message: { id: string } }>(acme.admin.token, 'POST', `/api/v1/conversations/${conv.conversationId}/messages`, { content: 'We are on it' });
    const replyEvent = await s.next((e) => e.event === 'message.created' && e.data.data.messageId === reply.message.id, 10_000, from);
    expect(replyEvent.data.data).toMatchObject({ direction: 'outbound', senderType: 'agent' });

    await ok(acme.admin.token, 'POST', `/api/v1/conversations/${conv.conversationId}/resolve`);
    const resolved = await s.next((e) => e.event === 'conversation.updated' && about(conv.conversationId)(e) && (e.data.data.changes as { status?: { to: string } }).status?.to === 'resolved', 10_000, from);
    expect(resolved.data.data.inboxId).toBe(inboxX);

    // Presence: an agent logs out and in again (account-wide).
    const session = await login(agentN);
    await ok(session, 'POST', '/api/v1/auth/logout');
    const offline = await s.next((e) => e.event === 'presence.changed' && e.data.data.userId === agentN.id && e.data.data.online === false, 10_000, from);
    expect(offline.data.data.reason).toBe('logout');
    agentN.token = await login(agentN);
    await s.next((e) => e.event === 'presence.changed' && e.data.data.userId === agentN.id && e.data.data.online === true, 10_000, from);

    // Campaign progress: ten recipients in inbox X at 5/s (two seconds), up to completed.
    const contacts = [conv.contactId];
    for (let i = 0; i < 9; i++) contacts.push((await inbound(acme, inboxX)).contactId);
    const campaign = await ok<{ id: string }>(acme.admin.token, 'POST', '/api/v1/campaigns', {
      name: `Live ${uniq()}`,
      type: 'notification',
      inboxId: inboxX,
      audience: { contactIds: contacts },
      template: 'Hello {{contact.first_name}}',
      rateLimitPerSecond: 5,
    });
    await ok(acme.admin.token, 'POST', `/api/v1/campaigns/${campaign.id}/start`);
    const done = await s.next((e) => e.event === 'campaign.progress' && e.data.data.campaignId === campaign.id && e.data.data.status === 'completed', 30_000, from);
    expect(done.data.data).toMatchObject({ inboxId: inboxX, total: 10, sent: 10, failed: 0, skipped: 0, optedOut: 0, remaining: 0 });
    const progress = s.events.filter((e) => e.event === 'campaign.progress' && e.data.data.campaignId === campaign.id);
    // While it ran: counts going up, at most one event per LIVE_EVENTS_CAMPAIGN_PROGRESS_MS (500) by commit time.
    expect(progress.length).toBeGreaterThanOrEqual(3);
    const sent = progress.map((e) => e.data.data.sent as number);
    expect([...sent].sort((a, b) => a - b)).toEqual(sent);
    expect(sent.some((x) => x > 0 && x < 10)).toBe(true);
    const times = progress.map((e) => Date.parse(e.data.at));
    for (let i = 1; i < times.length; i++) expect(times[i] - times[i - 1]).toBeGreaterThanOrEqual(450);
    // The campaign's messages, written and settled in bulk statements (one batch of events per statement).
    const campaignConversations = new Set(
      (await db.query<{ conversation_id: string }>(`select m.conversation_id from campaign_recipients r join messages m on m.id = r.message_id where r.campaign_id = $1`, [campaign.id])).rows.map(
        (r) => r.conversation_id,
      ),
    );
    expect(campaignConversations.size).toBe(10);
    const ofCampaign = (e: SseEvent) => campaignConversations.has(e.data.data?.conversationId as string);
    const sentMessages = s.events.filter((e) => e.event === 'message.created' && ofCampaign(e) && e.data.data.senderType === 'system');
    expect(sentMessages.map((e) => e.data.data.direction)).toEqual(Array(10).fill('outbound'));
    const campaignMessageIds = new Set(sentMessages.map((e) => e.data.data.messageId));
    const settledOf = () => s.events.filter((e) => e.event === 'message.updated' && campaignMessageIds.has(e.data.data.messageId));
    await s.next(() => settledOf().length >= 10, 10_000, from);
    const settled = settledOf();
    expect(settled.map((e) => e.data.data.changes)).toEqual(Array(10).fill({ deliveryStatus: { from: 'queued', to: 'sent' } }));

    // Commit to arrival on the other replica.
    const latencies = s.events.slice(from).filter((e) => e.id).map((e) => e.receivedAt - Date.parse(e.data.at));
    expect(Math.max(...latencies)).toBeLessThan(2000);
    // Ids strictly increase.
    const ids = s.events.filter((e) => e.id).map((e) => Number(e.id));
    expect([...ids].sort((a, b) => a - b)).toEqual(ids);
    expect(new Set(ids).size).toBe(ids.length);
  }, 60_000);
});

describe('ordering', () => {
  test('ids follow commit order: a transaction that began first and commits last is neither skipped nor placed before', async () => {
    const a = await inbound(acme, inboxX);
    const b = await inbound(acme, inboxX);
    const s = await stream(replicaB.baseUrl, acme.admin.token);
    const from = s.events.length;
    const slow = new Client({ connectionString: stack.config.database.url });
    await slow.connect();
    try {
      await slow.query('begin');
      await slow.query(`update conversations set priority = 4 where id = $1`, [a.conversationId]);
      // Meanwhile another transaction commits (and its event goes out).
      await db.query(`update conversations set priority = 4 where id = $1`, [b.conversationId]);
      const first = await s.next((e) => e.event === 'conversation.updated' && about(b.conversationId)(e), 10_000, from);
      await slow.query('commit');
      const second = await s.next((e) => e.event === 'conversation.updated' && about(a.conversationId)(e), 10_000, from);
      expect(Number(second.id)).toBeGreaterThan(Number(first.id));
      expect(s.events.indexOf(second)).toBeGreaterThan(s.events.indexOf(first));
    } finally {
      await slow.end();
    }
  });
});

describe('reconnecting', () => {
  test('Last-Event-ID replays exactly the missed events, then ready; also through a ticket and ?lastEventId', async () => {
    const conv = await inbound(acme, inboxX);
    const s = await stream(replicaB.baseUrl, acme.admin.token);
    const from = s.events.length;
    await ok(acme.admin.token, 'PATCH', `/api/v1/conversations/${conv.conversationId}`, { priority: 1 });
    const seen = await s.next((e) => e.event === 'conversation.updated' && about(conv.conversationId)(e), 10_000, from);
    s.close();

    // Missed while away: three changes (plus whatever else the account did meanwhile).
    for (const priority of [2, 3, 4]) await ok(acme.admin.token, 'PATCH', `/api/v1/conversations/${conv.conversationId}`, { priority });

    const again = await stream(replicaB.baseUrl, acme.admin.token, { 'last-event-id': seen.id! });
    const ready = readyOf(again);
    const replayed = again.events.slice(0, again.events.indexOf(ready));
    const expected = await rowsAfter(acme.accountId, acme.admin.id, Number(seen.id), Number(ready.data.data.position));
    expect(replayed.map((e) => e.id)).toEqual(expected.map((r) => r.id));
    expect(ready.data.data.replayed).toBe(expected.length);
    const priorities = replayed.filter(about(conv.conversationId)).map((e) => (e.data.data.changes as { priority: { to: number } }).priority.to);
    expect(priorities).toEqual([2, 3, 4]);
    // And live afterwards, with nothing twice.
    await ok(acme.admin.token, 'PATCH', `/api/v1/conversations/${conv.conversationId}`, { priority: 0 });
    await again.next((e) => e.event === 'conversation.updated' && about(conv.conversationId)(e) && (e.data.data.changes as { priority: { to: number } }).priority.to === 0);
    const ids = again.events.filter((e) => e.id && e.event !== 'ready').map((e) => e.id);
    expect(new Set(ids).size).toBe(ids.length);

    // A browser after an error: a new ticket and ?lastEventId=, on replica A this time.
    const ticket = await ok<{ url: string }>(acme.admin.token, 'POST', '/api/v1/events/ticket');
    const viaTicket = await openSse(`${stack.baseUrl}${ticket.url}&lastEventId=${seen.id}`);
    streams.push(viaTicket);
    const ready2 = await viaTicket.next((e) => e.event === 'ready');
    const replayed2 = viaTicket.events.slice(0, viaTicket.events.indexOf(ready2)).map((e) => e.id);
    expect(replayed2).toEqual((await rowsAfter(acme.accountId, acme.admin.id, Number(seen.id), Number(ready2.data.data.position))).map((r) => r.id));
    expect(replayed2.length).toBeGreaterThanOrEqual(4);
  });

  test('reset when the id is unknown or more than LIVE_EVENTS_REPLAY_MAX events were missed', async () => {
    const [{ head }] = (await db.query(`select max(id)::bigint as head from live_events`)).rows;
    const future = await openSse(`${replicaB.baseUrl}/api/v1/events`, { authorization: `Bearer ${acme.admin.token}`, 'last-event-id': String(Number(head) + 1000) });
    streams.push(future);
    const reset = await future.next((e) => e.event === 'reset');
    expect(reset.data.data.reason).toMatch(/unknown/);
    expect(reset.id).toBe(reset.data.data.position);
    await future.next((e) => e.event === 'ready');

    const conv = await inbound(acme, inboxX);
    const s = await stream(replicaC.baseUrl, acme.admin.token);
    const position = readyOf(s).id!;
    s.close();
    for (const priority of [1, 2, 3, 4, 0, 1]) await ok(acme.admin.token, 'PATCH', `/api/v1/conversations/${conv.conversationId}`, { priority });
    const late = await openSse(`${replicaC.baseUrl}/api/v1/events`, { authorization: `Bearer ${acme.admin.token}`, 'last-event-id': position });
    streams.push(late);
    const tooMany = await late.next((e) => e.event === 'reset');
    expect(tooMany.data.data.reason).toMatch(/more than 5 events were missed \(LIVE_EVENTS_REPLAY_MAX\)/);
    // Nothing replayed: no event at or before the reset's position comes (one after it may: the replica's
    // fan-out can read the last PATCH's event after the reset was sent, and then it is news).
    expect(late.events.filter((e) => e.event.startsWith('conversation.') && Number(e.id) <= Number(tooMany.id))).toEqual([]);
    // Live again from the reset's position.
    // (Waiting for this very change: the last PATCH above may already have arrived as news, and a
    // later stream must not open before this one's event is written.)
    await ok(acme.admin.token, 'PATCH', `/api/v1/conversations/${conv.conversationId}`, { priority: 2 });
    await late.next((e) => e.event === 'conversation.updated' && about(conv.conversationId)(e) && (e.data.data.changes as { priority: { to: number } }).priority.to === 2);

    // Older than the retention: pruned, then a reconnect from before the pruned ids is a reset; one
    // from the newest pruned id has missed nothing and replays.
    const kept = await stream(replicaB.baseUrl, acme.admin.token);
    const keptPosition = Number(readyOf(kept).id);
    kept.close();
    await ok(acme.admin.token, 'PATCH', `/api/v1/conversations/${conv.conversationId}`, { priority: 3 });
    await db.query(`update live_events set created_at = now() - interval '25 hours' where id <= $1`, [keptPosition]);
    expect(await replicaB.api.get(LiveEventPruner, { strict: false }).prune()).toBeGreaterThan(0);
    expect((await db.query(`select count(*)::int as n from live_events where id <= $1`, [keptPosition])).rows[0].n).toBe(0);
    const stale = await openSse(`${replicaB.baseUrl}/api/v1/events`, { authorization: `Bearer ${acme.admin.token}`, 'last-event-id': String(keptPosition - 1) });
    streams.push(stale);
    expect((await stale.next((e) => e.event === 'reset')).data.data.reason).toMatch(/no longer kept \(LIVE_EVENTS_RETENTION_HOURS 24\)/);
    const fresh = await stream(replicaB.baseUrl, acme.admin.token, { 'last-event-id': String(keptPosition) });
    expect(fresh.events.some((e) => e.event === 'reset')).toBe(false);
    expect(fresh.events.filter(about(conv.conversationId)).map((e) => (e.data.data.changes as { priority: { to: number } }).priority.to)).toEqual([3]);
  });
});

describe('who receives what', () => {
  test("a member never receives another inbox's or account's events, nor campaign progress; and stops at once when removed", async () => {
    const m = await stream(replicaB.baseUrl, member.token);
    const admin = await stream(replicaB.baseUrl, acme.admin.token);
    const start = Number(readyOf(m).id);

    const inX = await inbound(acme, inboxX);
    const inY = await inbound(acme, inboxY);
    const inZ = await inbound(other, inboxZ);
    await ok(acme.admin.token, 'PATCH', `/api/v1/conversations/${inY.conversationId}`, { priority: 2 });
    await ok(other.admin.token, 'PATCH', `/api/v1/conversations/${inZ.conversationId}`, { priority: 2 });
    await ok(acme.admin.token, 'PATCH', `/api/v1/conversations/${inX.conversationId}`, { priority: 2 });
    await m.next((e) => e.event === 'conversation.updated' && about(inX.conversationId)(e));
    // The administrator sees Y too (same replica, same moment).
    await admin.next((e) => e.event === 'conversation.updated' && about(inY.conversationId)(e));
    expect(m.events.filter((e) => e.data.data?.inboxId && e.data.data.inboxId !== inboxX)).toEqual([]);
    expect(m.events.filter(about(inY.conversationId))).toEqual([]);
    expect(m.events.filter(about(inZ.conversationId))).toEqual([]);
    expect(m.events.filter((e) => e.event === 'campaign.progress')).toEqual([]);

    // A replay for the member holds only what it may see (the table holds the rest).
    const replay = await stream(replicaB.baseUrl, member.token, { 'last-event-id': String(start) });
    const ready = readyOf(replay);
    const replayed = replay.events.slice(0, replay.events.indexOf(ready));
    expect(replayed.some(about(inX.conversationId))).toBe(true);
    expect(replayed.filter((e) => e.data.data?.inboxId && e.data.data.inboxId !== inboxX)).toEqual([]);
    const all = await rowsAfter(acme.accountId, member.id, start, Number(ready.data.data.position));
    expect(all.some((r) => r.inbox_id === inboxY)).toBe(true);
    replay.close();

    // Removed from X mid-stream: access.changed, then nothing of X any more.
    const before = m.events.length;
    expect((await api(acme.admin.token, 'DELETE', `/api/v1/inboxes/${inboxX}/members/${member.id}`)).status).toBeLessThan(300);
    const changed = await m.next((e) => e.event === 'access.changed', 10_000, before);
    expect(changed.data.data).toMatchObject({ userId: member.id, inboxId: inboxX, role: null });
    await ok(acme.admin.token, 'PATCH', `/api/v1/conversations/${inX.conversationId}`, { priority: 4 });
    const xEvent = await admin.next((e) => e.event === 'conversation.updated' && about(inX.conversationId)(e) && (e.data.data.changes as { priority?: { to: number } }).priority?.to === 4);
    // A later account-wide event the member does receive proves the X event was passed over, not late.
    const session = await login(agentN);
    await ok(session, 'POST', '/api/v1/auth/logout');
    const marker = await m.next((e) => e.event === 'presence.changed' && e.data.data.userId === agentN.id && e.data.data.online === false, 10_000, before);
    expect(Number(marker.id)).toBeGreaterThan(Number(xEvent.id));
    expect(m.events.slice(before).filter((e) => e.data.data?.inboxId === inboxX && e.event !== 'access.changed')).toEqual([]);
    agentN.token = await login(agentN);

    // Added back: X again.
    await ok(acme.admin.token, 'PUT', `/api/v1/inboxes/${inboxX}/members/${member.id}`, { role: 'member' });
    await m.next((e) => e.event === 'access.changed' && e.data.data.role === 'member', 10_000, before);
    await ok(acme.admin.token, 'PATCH', `/api/v1/conversations/${inX.conversationId}`, { priority: 1 });
    await m.next((e) => e.event === 'conversation.updated' && about(inX.conversationId)(e), 10_000, before);
  });

  test('a client that never reads is dropped and does not hold up the others', async () => {
    const bulk = await newAccount('Live Bulk');
    const reader = await stream(replicaC.baseUrl, bulk.admin.token);
    const hub = replicaC.api.get(LiveEventHub, { strict: false });
    const droppedBefore = hub.stats.dropped;

    // A raw connection that sends its request and then never reads a byte.
    const stuck = net.connect(Number(new URL(replicaC.baseUrl).port), '127.0.0.1');
    stuck.pause();
    let stuckClosed = false;
    stuck.on('close', () => (stuckClosed = true));
    stuck.on('error', () => undefined);
    await new Promise((r) => stuck.once('connect', r));
    stuck.write(`GET /api/v1/events HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${bulk.admin.token}\r\nAccept: text/event-stream\r\n\r\n`);
    await eventually(async () => (hub.openStreams >= 2 ? true : undefined), 5000, 'the stuck stream to open');

    // 3,000 events of 4 KB (12 MB) for this account, ten per transaction, as fast as the reader takes
    // them; then a marker.
    const started = Date.now();
    for (let round = 0; round < 300; round++) {
      await db.query(
        `select live_event_emit($1, null, null, null, 'members', 'test.bulk', jsonb_build_object('n', g, 'pad', repeat('x', 4000))) from generate_series($2::int, $2::int + 9) g`,
        [bulk.accountId, round * 10],
      );
      await reader.next((e) => e.event === 'test.bulk' && e.data.data.n === round * 10 + 9, 10_000, round * 10);
    }
    await db.query(`select live_event_emit($1, null, null, null, 'members', 'test.marker', '{}'::jsonb)`, [bulk.accountId]);
    await reader.next((e) => e.event === 'test.marker', 10_000);
    const tookMs = Date.now() - started;
    expect(reader.events.filter((e) => e.event === 'test.bulk')).toHaveLength(3000);
    expect(reader.closed).toBe(false);
    await eventually(async () => (hub.stats.dropped > droppedBefore ? true : undefined), 10_000, 'the server to drop the client that does not read');
    expect(hub.streamStats().filter((st) => st.accountId === bulk.accountId).map((st) => st.userId)).toEqual([bulk.admin.id]);
    // The connection is gone: reading what it had buffered, the client reaches its end.
    stuck.resume();
    await eventually(async () => (stuckClosed ? true : undefined), 10_000, 'the dropped connection to end');
    // The reader got 12 MB while the other stream was stuck: seconds, not a timeout.
    expect(tookMs).toBeLessThan(30_000);
    stuck.destroy();
  });
});

describe('the OpenAPI document', () => {
  test('describes the stream (text/event-stream, each event type) and the ticket', async () => {
    const doc = (await http<{ paths: Record<string, Record<string, { security: unknown; parameters: { name: string; in: string }[]; responses: Record<string, { content: Record<string, { schema: { oneOf: { $ref: string }[] } }> }> }>>; components: { schemas: Record<string, { properties: Record<string, { enum?: string[] }> }> } }>(stack, 'GET', '/api/docs-json')).body;
    const op = doc.paths['/api/v1/events'].get;
    expect(op.security).toEqual([{ bearer: [] }, { streamTicket: [] }]);
    expect(op.parameters.map((p) => `${p.in} ${p.name}`).sort()).toEqual(['header Last-Event-ID', 'query lastEventId', 'query ticket']);
    const refs = op.responses['200'].content['text/event-stream'].schema.oneOf.map((r) => r.$ref.split('/').pop()!);
    const types = refs.map((name) => doc.components.schemas[name].properties.type.enum![0]);
    expect(types).toEqual(expect.arrayContaining(['conversation.created', 'conversation.updated', 'conversation.assigned', 'conversation.unassigned', 'message.created', 'presence.changed', 'campaign.progress', 'reset', 'ready']));
    expect(Object.keys(op.responses)).toEqual(expect.arrayContaining(['200', '400', '401', '429', '503']));
    expect(doc.paths['/api/v1/events/ticket'].post.responses['201']).toBeDefined();
  });
});
