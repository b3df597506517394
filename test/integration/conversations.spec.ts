/**
 * The conversations API over HTTP, on the real PostgreSQL and Temporal: list filters, sorts and
 * cursors; per-user read state and pins; tags; priority; the assignment and reply rules of both
 * inbox modes; resolve / spam / reopen; moving between inboxes; a contact's history.
 */
import { MikroORM } from '@mikro-orm/postgresql';
import { http, signUp, startTestStack, type TestStack } from '../support/test-stack';

interface Item {
  id: string;
  inboxId: string;
  contactId: string;
  status: string;
  assigneeId: string | null;
  priority: number;
  vip: boolean;
  tags: string[];
  pinned: boolean;
  unread: boolean;
  resolvedAt: string | null;
  lastActivityAt: string;
}
interface Page {
  items: Item[];
  nextCursor: string | null;
}
interface MessageView {
  id: string;
  direction: string;
  senderType: string;
  senderUserId: string | null;
  content: string;
  deliveryStatus: string;
}
interface ErrorBody {
  message: string;
  details?: { field: string; problem: string }[];
}
interface User {
  id: string;
  token: string;
}

let stack: TestStack;
let admin: User & { accountId: string };
let agent1: User;
let agent2: User;
let manager: User;
let outsider: User; // a user of the account with no inbox role
let other: User; // the administrator of another account

beforeAll(async () => {
  stack = await startTestStack();
  const main = await signUp(stack, 'Conversations Ltd');
  admin = { id: main.userId, token: main.token, accountId: main.accountId };
  agent1 = await newUser('Agent One');
  agent2 = await newUser('Agent Two');
  manager = await newUser('Manager');
  outsider = await newUser('Outsider');
  const second = await signUp(stack, 'Other Ltd');
  other = { id: second.userId, token: second.token };
}, 120_000);

afterAll(async () => {
  await stack?.close();
});

let n = 0;
async function newUser(name: string): Promise<User> {
  n += 1;
  const email = `conv-${Date.now()}-${n}-${Math.random().toString(36).slice(2, 7)}@example.com`;
  const created = await http<{ id: string }>(stack, 'POST', '/api/v1/users', { name, email, password: 'correct horse battery' }, admin.token);
  expect(created.status).toBe(201);
  const login = await http<{ token: string }>(stack, 'POST', '/api/v1/auth/login', { email, password: 'correct horse battery' });
  expect(login.status).toBe(200);
  return { id: created.body.id, token: login.body.token };
}

/** An inbox where agent1 and agent2 are team members and `manager` is manager. Routing is off so nothing assigns by itself. */
async function newInbox(assignmentMode: 'open' | 'assignment', channelType = 'api', members: User[] = [agent1, agent2]): Promise<string> {
  const res = await http<{ id: string }>(
    stack,
    'POST',
    '/api/v1/inboxes',
    { name: `inbox ${++n}`, channelType, settings: { assignmentMode, routing: { humanAgentsEnabled: false } } },
    admin.token,
  );
  expect(res.status).toBe(201);
  for (const m of members) {
    expect((await http(stack, 'PUT', `/api/v1/inboxes/${res.body.id}/members/${m.id}`, { role: 'member' }, admin.token)).status).toBe(200);
  }
  expect((await http(stack, 'PUT', `/api/v1/inboxes/${res.body.id}/members/${manager.id}`, { role: 'manager' }, admin.token)).status).toBe(200);
  return res.body.id;
}

async function inbound(inboxId: string, sourceId: string, content: string): Promise<{ conversationId: string; contactId: string }> {
  const res = await http<{ conversationId: string; contactId: string }>(
    stack,
    'POST',
    `/api/v1/inboxes/${inboxId}/inbound-messages`,
    { contact: { sourceId, name: `Contact ${sourceId}` }, content },
    admin.token,
  );
  expect(res.status).toBe(201);
  return res.body;
}

const uniq = (prefix: string) => `${prefix}-${Date.now()}-${++n}`;

async function list(user: User, query: Record<string, string | number | boolean>): Promise<Page> {
  const qs = new URLSearchParams(Object.entries(query).map(([k, v]): [string, string] => [k, String(v)])).toString();
  const res = await http<Page>(stack, 'GET', `/api/v1/conversations?${qs}`, undefined, user.token);
  if (res.status !== 200) throw new Error(`list ${qs}: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}
const ids = (page: Page) => page.items.map((i) => i.id);

function call<T = Item>(user: User | undefined, method: string, path: string, body?: unknown) {
  return http<T>(stack, method, path, body, user?.token);
}

async function get(user: User, id: string): Promise<Item & { messages: MessageView[] }> {
  const res = await call<Item & { messages: MessageView[] }>(user, 'GET', `/api/v1/conversations/${id}`);
  expect(res.status).toBe(200);
  return res.body;
}

async function sql<T>(query: string, params: unknown[] = []): Promise<T[]> {
  return stack.api.get(MikroORM).em.fork().getConnection().execute<T[]>(query, params);
}

const tick = () => new Promise((r) => setTimeout(r, 5));

describe('list: filters, sorts and cursor pagination', () => {
  let inboxA: string;
  let inboxB: string;
  let c: string[]; // c[0]..c[4] in inbox A, created in this order
  let cb: string; // in inbox B

  beforeAll(async () => {
    inboxA = await newInbox('assignment');
    inboxB = await newInbox('assignment', 'api', [agent2]);
    c = [];
    const sources: string[] = [];
    for (let i = 0; i < 5; i++) {
      sources.push(uniq('list'));
      c.push((await inbound(inboxA, sources[i], `hello number ${i} ${i === 2 ? 'parcel tracking' : 'invoice'}`)).conversationId);
      await tick();
    }
    cb = (await inbound(inboxB, uniq('list-b'), 'hello from b')).conversationId;
    await tick();
    // c[1] gets a new message: the most recent activity in inbox A
    expect((await inbound(inboxA, sources[1], 'any news?')).conversationId).toBe(c[1]);
    await call(admin, 'PATCH', `/api/v1/conversations/${c[3]}`, { priority: 4 });
    await call(admin, 'PATCH', `/api/v1/conversations/${c[0]}`, { priority: 2 });
    await call(admin, 'PATCH', `/api/v1/conversations/${c[4]}`, { priority: 2 });
  });

  test('sorts: last_activity (default), newest, oldest, priority', async () => {
    expect(ids(await list(admin, { inboxId: inboxA }))).toEqual([c[1], c[4], c[3], c[2], c[0]]);
    expect(ids(await list(admin, { inboxId: inboxA, sort: 'last_activity' }))).toEqual([c[1], c[4], c[3], c[2], c[0]]);
    expect(ids(await list(admin, { inboxId: inboxA, sort: 'newest' }))).toEqual([c[4], c[3], c[2], c[1], c[0]]);
    expect(ids(await list(admin, { inboxId: inboxA, sort: 'oldest' }))).toEqual([c[0], c[1], c[2], c[3], c[4]]);
    // priority desc, then last activity desc
    expect(ids(await list(admin, { inboxId: inboxA, sort: 'priority' }))).toEqual([c[3], c[4], c[0], c[1], c[2]]);
  });

  test('cursor pagination walks every sort exactly once, in order', async () => {
    for (const sort of ['last_activity', 'newest', 'oldest', 'priority']) {
      const all = ids(await list(admin, { inboxId: inboxA, sort }));
      const seen: string[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const page: Page = await list(admin, { inboxId: inboxA, sort, limit: 2, ...(cursor ? { cursor } : {}) });
        expect(page.items.length).toBeLessThanOrEqual(2);
        seen.push(...ids(page));
        cursor = page.nextCursor;
        pages += 1;
      } while (cursor);
      expect(seen).toEqual(all);
      expect(pages).toBe(3);
    }
    const exact = await list(admin, { inboxId: inboxA, limit: 5 });
    expect(exact.items).toHaveLength(5);
    expect(exact.nextCursor).toBeNull();
  });

  test('a bad cursor, limit or filter is a 400 naming the field', async () => {
    const first = await list(admin, { inboxId: inboxA, limit: 2 });
    const wrongSort = await call<ErrorBody>(admin, 'GET', `/api/v1/conversations?inboxId=${inboxA}&sort=oldest&cursor=${first.nextCursor}`);
    expect(wrongSort.status).toBe(400);
    expect(wrongSort.body.details).toEqual([{ field: 'cursor', problem: expect.stringContaining('not a cursor') }]);
    const garbage = await call<ErrorBody>(admin, 'GET', `/api/v1/conversations?inboxId=${inboxA}&cursor=not-base64!`);
    expect(garbage.status).toBe(400);
    expect(garbage.body.details?.[0].field).toBe('cursor');
    for (const [qs, field] of [
      ['limit=101', 'limit'],
      ['limit=0', 'limit'],
      ['sort=random', 'sort'],
      ['status=closed', 'status'],
      ['assignee=someone', 'assignee'],
      ['unread=yes', 'unread'],
      ['channel=fax', 'channel'],
      ['inboxId=nope', 'inboxId'],
      ['colour=red', 'colour'],
    ]) {
      const res = await call<ErrorBody>(admin, 'GET', `/api/v1/conversations?${qs}`);
      expect(res.status).toBe(400);
      expect(res.body.details?.[0].field).toBe(field);
    }
  });

  test('without inboxId: every inbox the caller is a member of', async () => {
    const agent1All = ids(await list(agent1, { limit: 100 }));
    expect(agent1All).toEqual(expect.arrayContaining(c));
    expect(agent1All).not.toContain(cb);
    const agent2All = ids(await list(agent2, { limit: 100 }));
    expect(agent2All).toEqual(expect.arrayContaining([...c, cb]));
    // merged across inboxes in one order: cb's activity is between c[4] and c[1]
    const merged = agent2All.filter((id) => [...c, cb].includes(id));
    expect(merged).toEqual([c[1], cb, c[4], c[3], c[2], c[0]]);
    expect(ids(await list(outsider, {}))).toEqual([]);
    // pages across two inboxes
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: Page = await list(manager, { limit: 4, ...(cursor ? { cursor } : {}) });
      seen.push(...ids(page));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen).toEqual(ids(await list(manager, { limit: 100 })));
  });

  test('access: another account 404, not a member 403', async () => {
    expect((await call(other, 'GET', `/api/v1/conversations?inboxId=${inboxA}`)).status).toBe(404);
    const res = await call<ErrorBody>(agent1, 'GET', `/api/v1/conversations?inboxId=${inboxB}`);
    expect(res.status).toBe(403);
    expect(res.body.message).toContain('not a member');
  });

  test('status: spam only when asked for', async () => {
    const spam = (await inbound(inboxA, uniq('spam'), 'buy cheap stuff')).conversationId;
    const resolved = (await inbound(inboxA, uniq('resolved'), 'thanks, solved')).conversationId;
    expect((await call(agent1, 'POST', `/api/v1/conversations/${spam}/spam`)).status).toBe(200);
    expect((await call(agent1, 'POST', `/api/v1/conversations/${resolved}/resolve`)).status).toBe(200);
    const all = ids(await list(agent1, { inboxId: inboxA }));
    expect(all).not.toContain(spam);
    expect(all).toContain(resolved);
    expect(ids(await list(agent1, { inboxId: inboxA, status: 'spam' }))).toEqual([spam]);
    expect(ids(await list(agent1, { inboxId: inboxA, status: 'resolved' }))).toEqual([resolved]);
    expect(ids(await list(agent1, { inboxId: inboxA, status: 'new' }))).toEqual([c[1], c[4], c[3], c[2], c[0]]);
    // clean up for the other tests of this block
    await call(admin, 'POST', `/api/v1/conversations/${resolved}/spam`);
  });

  test('assignee: a user id, me, unassigned', async () => {
    expect((await call(agent1, 'POST', `/api/v1/conversations/${c[2]}/self-assign`)).status).toBe(200);
    expect((await call(manager, 'PUT', `/api/v1/conversations/${c[0]}/assignee`, { assigneeId: agent2.id })).status).toBe(200);
    expect(ids(await list(agent1, { inboxId: inboxA, assignee: 'me' }))).toEqual([c[2]]);
    expect(ids(await list(agent2, { inboxId: inboxA, assignee: 'me' }))).toEqual([c[0]]);
    expect(ids(await list(agent1, { inboxId: inboxA, assignee: agent2.id }))).toEqual([c[0]]);
    expect(ids(await list(agent1, { inboxId: inboxA, assignee: 'unassigned' }))).toEqual([c[1], c[4], c[3]]);
    expect(ids(await list(agent1, { assignee: 'me' }))).toEqual([c[2]]);
  });

  test('tag, channel, vip and text search', async () => {
    expect((await call(agent1, 'PUT', `/api/v1/conversations/${c[3]}/tags`, { tags: ['Billing'] })).status).toBe(200);
    expect((await call(agent1, 'PUT', `/api/v1/conversations/${c[4]}/tags`, { tags: ['billing', 'urgent'] })).status).toBe(200);
    expect(ids(await list(agent1, { inboxId: inboxA, tag: 'billing' }))).toEqual([c[4], c[3]]);
    expect(ids(await list(agent1, { inboxId: inboxA, tag: ' BILLING ' }))).toEqual([c[4], c[3]]);
    expect(ids(await list(agent1, { inboxId: inboxA, tag: 'urgent' }))).toEqual([c[4]]);
    expect(ids(await list(agent1, { inboxId: inboxA, tag: 'nothing' }))).toEqual([]);

    expect(ids(await list(agent1, { inboxId: inboxA, channel: 'api' }))).toEqual([c[1], c[4], c[3], c[2], c[0]]);
    expect(ids(await list(agent1, { inboxId: inboxA, channel: 'email' }))).toEqual([]);

    const { contactId } = (await get(admin, c[2])) as Item;
    await sql(`update contacts set vip = true where id = ?`, [contactId]);
    const vip = await list(agent1, { inboxId: inboxA, vip: true });
    expect(ids(vip)).toEqual([c[2]]);
    expect(vip.items[0].vip).toBe(true);
    expect(ids(await list(agent1, { inboxId: inboxA, vip: false }))).toEqual([c[1], c[4], c[3], c[0]]);

    expect(ids(await list(agent1, { inboxId: inboxA, q: 'parcel' }))).toEqual([c[2]]);
    expect(ids(await list(agent1, { inboxId: inboxA, q: 'Parcel Tracking' }))).toEqual([c[2]]);
    expect(ids(await list(agent1, { inboxId: inboxA, q: 'invoice' }))).toEqual([c[1], c[4], c[3], c[0]]);
    expect(ids(await list(agent1, { inboxId: inboxA, q: 'invoice', tag: 'billing' }))).toEqual([c[4], c[3]]);
    expect(ids(await list(agent1, { inboxId: inboxA, q: 'nonexistentword' }))).toEqual([]);
    const firstHits = await list(agent1, { inboxId: inboxA, q: 'invoice', limit: 3 });
    expect(ids(firstHits)).toEqual([c[1], c[4], c[3]]);
    const restHits = await list(agent1, { inboxId: inboxA, q: 'invoice', limit: 3, cursor: firstHits.nextCursor! });
    expect(ids(restHits)).toEqual([c[0]]);
    expect(restHits.nextCursor).toBeNull();
  });

  test('unread and pinned filters are per caller', async () => {
    expect((await call(agent1, 'POST', `/api/v1/conversations/${c[1]}/read`)).status).toBe(200);
    expect((await call(agent1, 'PUT', `/api/v1/conversations/${c[0]}/pin`)).status).toBe(200);
    expect(ids(await list(agent1, { inboxId: inboxA, unread: true }))).toEqual([c[4], c[3], c[2], c[0]]);
    expect(ids(await list(agent1, { inboxId: inboxA, unread: false }))).toEqual([c[1]]);
    expect(ids(await list(agent2, { inboxId: inboxA, unread: true }))).toEqual([c[1], c[4], c[3], c[2], c[0]]);
    expect(ids(await list(agent1, { inboxId: inboxA, pinned: true }))).toEqual([c[0]]);
    expect(ids(await list(agent2, { inboxId: inboxA, pinned: true }))).toEqual([]);
    const mine = (await list(agent1, { inboxId: inboxA })).items;
    expect(mine.map((i) => [i.id, i.pinned, i.unread])).toEqual([
      [c[1], false, false],
      [c[4], false, true],
      [c[3], false, true],
      [c[2], false, true],
      [c[0], true, true],
    ]);
  });
});

describe('read/unread and pin per user', () => {
  test('two users see their own read state; new activity makes it unread again', async () => {
    const inbox = await newInbox('open');
    const source = uniq('read');
    const { conversationId: id } = await inbound(inbox, source, 'first');
    expect((await get(agent1, id)).unread).toBe(true);

    const read = await call(agent1, 'POST', `/api/v1/conversations/${id}/read`);
    expect(read.status).toBe(200);
    expect(read.body.unread).toBe(false);
    expect((await get(agent1, id)).unread).toBe(false);
    expect((await get(agent2, id)).unread).toBe(true);

    await tick();
    await inbound(inbox, source, 'second');
    expect((await get(agent1, id)).unread).toBe(true);

    await call(agent1, 'POST', `/api/v1/conversations/${id}/read`);
    await call(agent2, 'POST', `/api/v1/conversations/${id}/read`);
    const unread = await call(agent2, 'POST', `/api/v1/conversations/${id}/unread`);
    expect(unread.status).toBe(200);
    expect(unread.body.unread).toBe(true);
    expect((await get(agent1, id)).unread).toBe(false);

    // a reply counts as activity but is read for the one who wrote it
    await call(agent1, 'POST', `/api/v1/conversations/${id}/unread`);
    expect((await call(agent1, 'POST', `/api/v1/conversations/${id}/messages`, { content: 'on it' })).status).toBe(201);
    expect((await get(agent1, id)).unread).toBe(false);
    await call(agent2, 'POST', `/api/v1/conversations/${id}/read`);
    expect((await get(agent2, id)).unread).toBe(false);
  });

  test('pin is per user and repeatable', async () => {
    const inbox = await newInbox('open');
    const { conversationId: id } = await inbound(inbox, uniq('pin'), 'pin me');
    const pinned = await call(agent1, 'PUT', `/api/v1/conversations/${id}/pin`);
    expect(pinned.status).toBe(200);
    expect(pinned.body.pinned).toBe(true);
    expect((await call(agent1, 'PUT', `/api/v1/conversations/${id}/pin`)).body.pinned).toBe(true);
    expect((await get(agent2, id)).pinned).toBe(false);
    expect((await list(agent1, { inboxId: inbox })).items[0].pinned).toBe(true);
    // pinning does not mark read
    expect((await get(agent1, id)).unread).toBe(true);
    const unpinned = await call(agent1, 'DELETE', `/api/v1/conversations/${id}/pin`);
    expect(unpinned.status).toBe(200);
    expect(unpinned.body.pinned).toBe(false);
    expect((await call(agent2, 'DELETE', `/api/v1/conversations/${id}/pin`)).status).toBe(200);
    const res = await call<ErrorBody>(outsider, 'PUT', `/api/v1/conversations/${id}/pin`);
    expect(res.status).toBe(403);
    expect(res.body.message).toContain('not a member');
    expect((await call(other, 'PUT', `/api/v1/conversations/${id}/pin`)).status).toBe(404);
  });
});

describe('tags and priority', () => {
  let inbox: string;
  beforeAll(async () => {
    inbox = await newInbox('assignment');
  });

  test('tags are normalised; replace, add and remove', async () => {
    const { conversationId: id } = await inbound(inbox, uniq('tags'), 'tag me');
    const put = await call(agent1, 'PUT', `/api/v1/conversations/${id}/tags`, { tags: ['  Billing ', 'billing', 'VIP   Customer'] });
    expect(put.status).toBe(200);
    expect(put.body.tags).toEqual(['billing', 'vip customer']);
    const add = await call(agent2, 'POST', `/api/v1/conversations/${id}/tags`, { tags: ['Refund', 'BILLING'] });
    expect(add.status).toBe(200);
    expect(add.body.tags).toEqual(['billing', 'refund', 'vip customer']);
    const del = await call(agent1, 'DELETE', `/api/v1/conversations/${id}/tags/${encodeURIComponent('VIP Customer')}`);
    expect(del.status).toBe(200);
    expect(del.body.tags).toEqual(['billing', 'refund']);
    const replaced = await call(agent1, 'PUT', `/api/v1/conversations/${id}/tags`, { tags: ['shipping'] });
    expect(replaced.body.tags).toEqual(['shipping']);
    expect((await call(agent1, 'PUT', `/api/v1/conversations/${id}/tags`, { tags: [] })).body.tags).toEqual([]);
  });

  test('invalid tags name the element', async () => {
    const { conversationId: id } = await inbound(inbox, uniq('tags-bad'), 'tag me');
    const empty = await call<ErrorBody>(agent1, 'PUT', `/api/v1/conversations/${id}/tags`, { tags: ['ok', '   '] });
    expect(empty.status).toBe(400);
    expect(empty.body.details).toEqual([{ field: 'tags[1]', problem: 'must not be empty' }]);
    const long = await call<ErrorBody>(agent1, 'POST', `/api/v1/conversations/${id}/tags`, { tags: ['x'.repeat(51)] });
    expect(long.status).toBe(400);
    expect(long.body.details).toEqual([{ field: 'tags[0]', problem: 'must be at most 50 characters' }]);
    const notArray = await call<ErrorBody>(agent1, 'PUT', `/api/v1/conversations/${id}/tags`, { tags: 'billing' });
    expect(notArray.status).toBe(400);
    expect(notArray.body.details?.[0].field).toBe('tags');
    const tooMany = await call<ErrorBody>(agent1, 'PUT', `/api/v1/conversations/${id}/tags`, { tags: Array.from({ length: 51 }, (_, i) => `t${i}`) });
    expect(tooMany.status).toBe(400);
    expect(tooMany.body.details?.[0].field).toBe('tags');
  });

  test('adding tags past the limit is refused whole; each change is one event naming who made it', async () => {
    const { conversationId: id } = await inbound(inbox, uniq('tags-limit'), 'tag me');
    const events = () =>
      sql<{ type: string; data: Record<string, unknown>; actor_user_id: string | null; depth: number }>(
        `select type, data, actor_user_id, depth from conversation_events where conversation_id = ? and type in ('tag_added', 'tag_removed', 'priority_changed') order by id`,
        [id],
      );
    const tags49 = Array.from({ length: 49 }, (_, i) => `t${i}`);
    expect((await call(agent1, 'PUT', `/api/v1/conversations/${id}/tags`, { tags: tags49 })).status).toBe(200);
    const before = (await events()).length;
    // t0 is there already: 49 + 2 new = 51.
    const over = await call<ErrorBody>(agent1, 'POST', `/api/v1/conversations/${id}/tags`, { tags: ['t0', 'new-a', 'new-b'] });
    expect(over.status).toBe(400);
    expect(over.body.details).toEqual([{ field: 'tags', problem: 'a conversation has at most 50 tags (this would make 51)' }]);
    expect((await get(agent1, id)).tags).toHaveLength(49);
    expect(await events()).toHaveLength(before);

    // Up to the limit is fine; only the tag that was not there is an event, by the agent who added it.
    const upTo = await call(agent2, 'POST', `/api/v1/conversations/${id}/tags`, { tags: ['t0', 'New-A'] });
    expect(upTo.status).toBe(200);
    expect(upTo.body.tags).toHaveLength(50);
    expect((await call(agent2, 'POST', `/api/v1/conversations/${id}/tags`, { tags: ['t1'] })).status).toBe(200);
    expect((await call(agent1, 'DELETE', `/api/v1/conversations/${id}/tags/new-a`)).status).toBe(200);
    expect((await call(agent1, 'DELETE', `/api/v1/conversations/${id}/tags/new-a`)).status).toBe(200);
    expect((await call(agent1, 'PATCH', `/api/v1/conversations/${id}`, { priority: 2 })).status).toBe(200);
    expect((await call(agent1, 'PATCH', `/api/v1/conversations/${id}`, { priority: 2 })).status).toBe(200);
    expect((await events()).slice(before)).toEqual([
      { type: 'tag_added', data: { tag: 'new-a' }, actor_user_id: agent2.id, depth: 0 },
      { type: 'tag_removed', data: { tag: 'new-a' }, actor_user_id: agent1.id, depth: 0 },
      { type: 'priority_changed', data: { from: 0, to: 2 }, actor_user_id: agent1.id, depth: 0 },
    ]);
    // Another account's conversation is 404 and changes nothing.
    expect((await call(other, 'POST', `/api/v1/conversations/${id}/tags`, { tags: ['x'] })).status).toBe(404);
    expect((await call(other, 'PATCH', `/api/v1/conversations/${id}`, { priority: 4 })).status).toBe(404);
    expect((await get(agent1, id)).priority).toBe(2);
  });

  test('priority 0..4', async () => {
    const { conversationId: id } = await inbound(inbox, uniq('prio'), 'urgent!');
    expect((await get(agent1, id)).priority).toBe(0);
    const ok = await call(agent1, 'PATCH', `/api/v1/conversations/${id}`, { priority: 3 });
    expect(ok.status).toBe(200);
    expect(ok.body.priority).toBe(3);
    for (const [body, field] of [
      [{ priority: 5 }, 'priority'],
      [{ priority: -1 }, 'priority'],
      [{ priority: 1.5 }, 'priority'],
      [{}, 'priority'],
      [{ status: 'open' }, 'status'],
    ] as const) {
      const res = await call<ErrorBody>(agent1, 'PATCH', `/api/v1/conversations/${id}`, body);
      expect(res.status).toBe(400);
      expect(res.body.details?.[0].field).toBe(field);
    }
    expect((await get(agent1, id)).priority).toBe(3);
  });
});

describe('assignment', () => {
  const assign = (user: User, id: string, assigneeId: string | null) =>
    call<Item & ErrorBody>(user, 'PUT', `/api/v1/conversations/${id}/assignee`, { assigneeId });
  const selfAssign = (user: User, id: string) => call<Item & ErrorBody>(user, 'POST', `/api/v1/conversations/${id}/self-assign`);

  test('assignment mode: team members take unassigned conversations and give back their own', async () => {
    const inbox = await newInbox('assignment');
    const { conversationId: id } = await inbound(inbox, uniq('assign'), 'help');

    const taken = await selfAssign(agent1, id);
    expect(taken.status).toBe(200);
    expect(taken.body.assigneeId).toBe(agent1.id);
    expect((await selfAssign(agent1, id)).status).toBe(200); // repeating it is harmless

    const conflict = await selfAssign(agent2, id);
    expect(conflict.status).toBe(409);
    expect(conflict.body.message).toContain('already assigned');
    expect((await assign(agent2, id, agent2.id)).status).toBe(409);

    const other = await assign(agent2, id, agent1.id);
    expect(other.status).toBe(403);
    expect(other.body.message).toContain('needs the manager role');
    const unassignOther = await assign(agent2, id, null);
    expect(unassignOther.status).toBe(403);
    expect(unassignOther.body.message).toContain('needs the manager role');

    const given = await assign(agent1, id, null);
    expect(given.status).toBe(200);
    expect(given.body.assigneeId).toBeNull();
    expect((await assign(agent1, id, null)).status).toBe(200);

    // a member cannot hand an unassigned conversation to a colleague either
    expect((await assign(agent1, id, agent2.id)).status).toBe(403);
    const viaPut = await assign(agent2, id, agent2.id);
    expect(viaPut.status).toBe(200);
    expect(viaPut.body.assigneeId).toBe(agent2.id);
  });

  test('managers and admins unassign, reassign and take conversations in both modes', async () => {
    for (const mode of ['assignment', 'open'] as const) {
      const inbox = await newInbox(mode);
      const { conversationId: id } = await inbound(inbox, uniq(`mgr-${mode}`), 'help');
      expect((await assign(manager, id, agent1.id)).body.assigneeId).toBe(agent1.id);
      expect((await assign(manager, id, agent2.id)).body.assigneeId).toBe(agent2.id);
      expect((await assign(manager, id, manager.id)).body.assigneeId).toBe(manager.id);
      expect((await assign(manager, id, null)).body.assigneeId).toBeNull();
      expect((await selfAssign(manager, id)).body.assigneeId).toBe(manager.id);
      // the administrator is not a member of the inbox but may hold its conversations
      const toAdmin = await assign(admin, id, admin.id);
      expect(toAdmin.status).toBe(200);
      expect(toAdmin.body.assigneeId).toBe(admin.id);
      expect((await assign(admin, id, agent1.id)).body.assigneeId).toBe(agent1.id);
      expect((await assign(manager, id, null)).status).toBe(200);
    }
  });

  test('the assignee must be able to hold the conversation (422 naming assigneeId)', async () => {
    const inbox = await newInbox('assignment');
    const { conversationId: id } = await inbound(inbox, uniq('assignee'), 'help');
    for (const assigneeId of [outsider.id, other.id, '00000000-0000-4000-8000-000000000000']) {
      const res = await assign(manager, id, assigneeId);
      expect(res.status).toBe(422);
      expect(res.body.details).toEqual([{ field: 'assigneeId', problem: expect.stringContaining('not an active member') }]);
    }
    const bad = await call<ErrorBody>(manager, 'PUT', `/api/v1/conversations/${id}/assignee`, { assigneeId: 'bob' });
    expect(bad.status).toBe(400);
    expect(bad.body.details?.[0].field).toBe('assigneeId');
    const missing = await call<ErrorBody>(manager, 'PUT', `/api/v1/conversations/${id}/assignee`, {});
    expect(missing.status).toBe(400);
    expect(missing.body.details?.[0].field).toBe('assigneeId');
    expect((await assign(outsider, id, outsider.id)).status).toBe(403);
    expect((await assign(other, id, other.id)).status).toBe(404);
    expect((await get(admin, id)).assigneeId).toBeNull();
  });

  test('open mode: team members cannot assign, but may give back what a manager gave them', async () => {
    const inbox = await newInbox('open');
    const { conversationId: id } = await inbound(inbox, uniq('open'), 'help');
    const self = await selfAssign(agent1, id);
    expect(self.status).toBe(403);
    expect(self.body.message).toContain('open mode');
    expect(self.body.message).toContain('cannot');
    expect((await assign(agent1, id, agent1.id)).status).toBe(403);
    expect((await assign(agent1, id, agent2.id)).status).toBe(403);
    expect((await assign(agent1, id, null)).status).toBe(200); // already unassigned: nothing to change

    expect((await assign(manager, id, agent1.id)).status).toBe(200);
    expect((await assign(agent2, id, null)).status).toBe(403);
    expect((await assign(agent2, id, agent2.id)).status).toBe(403);
    const back = await assign(agent1, id, null);
    expect(back.status).toBe(200);
    expect(back.body.assigneeId).toBeNull();
  });

  test('two agents self-assigning at once: exactly one wins', async () => {
    const inbox = await newInbox('assignment');
    for (let round = 0; round < 5; round++) {
      const { conversationId: id } = await inbound(inbox, uniq('race'), 'who takes me?');
      const [a, b] = await Promise.all([selfAssign(agent1, id), selfAssign(agent2, id)]);
      expect([a.status, b.status].sort()).toEqual([200, 409]);
      const winner = a.status === 200 ? agent1 : agent2;
      expect((await get(admin, id)).assigneeId).toBe(winner.id);
    }
  });
});

describe('reply', () => {
  const reply = (user: User, id: string, body: Record<string, unknown>) =>
    call<{ message: MessageView; duplicate: boolean; conversation: Item } & ErrorBody>(user, 'POST', `/api/v1/conversations/${id}/messages`, body);

  test('assignment mode: only the assignee replies (managers and admins assign themselves first)', async () => {
    const inbox = await newInbox('assignment');
    const { conversationId: id } = await inbound(inbox, uniq('reply'), 'where is my parcel?');
    for (const user of [agent1, manager, admin]) {
      const refused = await reply(user, id, { content: 'hi' });
      expect(refused.status).toBe(403);
      expect(refused.body.message).toContain('assigned to you');
      expect(refused.body.message).toContain('cannot');
    }
    await call(agent1, 'POST', `/api/v1/conversations/${id}/self-assign`);
    expect((await reply(agent2, id, { content: 'hi' })).status).toBe(403);
    expect((await reply(manager, id, { content: 'hi' })).status).toBe(403);

    const sent = await reply(agent1, id, { content: 'It is on its way.' });
    expect(sent.status).toBe(201);
    expect(sent.body.duplicate).toBe(false);
    expect(sent.body.message).toMatchObject({
      direction: 'outbound',
      senderType: 'agent',
      senderUserId: agent1.id,
      content: 'It is on its way.',
      deliveryStatus: 'sent',
    });
    expect(sent.body.conversation.status).toBe('open');

    await call(manager, 'PUT', `/api/v1/conversations/${id}/assignee`, { assigneeId: manager.id });
    expect((await reply(agent1, id, { content: 'again' })).status).toBe(403);
    expect((await reply(manager, id, { content: 'Manager here.' })).status).toBe(201);

    const conversation = await get(admin, id);
    expect(conversation.messages.map((m) => [m.direction, m.senderType, m.content, m.deliveryStatus])).toEqual([
      ['inbound', 'contact', 'where is my parcel?', 'received'],
      ['outbound', 'agent', 'It is on its way.', 'sent'],
      ['outbound', 'agent', 'Manager here.', 'sent'],
    ]);
  });

  test('open mode: any member replies; the first reply opens the conversation', async () => {
    const inbox = await newInbox('open');
    const { conversationId: id } = await inbound(inbox, uniq('reply-open'), 'question');
    expect((await get(agent2, id)).status).toBe('new');
    const first = await reply(agent2, id, { content: 'answer 1' });
    expect(first.status).toBe(201);
    expect(first.body.conversation.status).toBe('open');
    expect((await reply(agent1, id, { content: 'answer 2' })).status).toBe(201);
    expect((await reply(manager, id, { content: 'answer 3' })).status).toBe(201);
    const outsiderReply = await reply(outsider, id, { content: 'x' });
    expect(outsiderReply.status).toBe(403);
    expect(outsiderReply.body.message).toContain('not a member');
    expect((await reply(other, id, { content: 'x' })).status).toBe(404);
    expect((await get(agent1, id)).messages.filter((m) => m.direction === 'outbound').map((m) => m.senderUserId)).toEqual([
      agent2.id,
      agent1.id,
      manager.id,
    ]);
  });

  test('idempotencyKey: a retried reply is stored and sent once', async () => {
    const inbox = await newInbox('open');
    const { conversationId: id } = await inbound(inbox, uniq('reply-idem'), 'question');
    const [a, b] = await Promise.all([
      reply(agent1, id, { content: 'once', idempotencyKey: 'k-1' }),
      reply(agent1, id, { content: 'once', idempotencyKey: 'k-1' }),
    ]);
    expect([a.status, b.status]).toEqual([201, 201]);
    expect(a.body.message.id).toBe(b.body.message.id);
    expect([a.body.duplicate, b.body.duplicate].sort()).toEqual([false, true]);
    const again = await reply(agent1, id, { content: 'once', idempotencyKey: 'k-1' });
    expect(again.body.duplicate).toBe(true);
    expect(again.body.message.id).toBe(a.body.message.id);
    const next = await reply(agent1, id, { content: 'twice', idempotencyKey: 'k-2' });
    expect(next.body.duplicate).toBe(false);
    expect((await get(agent1, id)).messages.filter((m) => m.direction === 'outbound').map((m) => m.content)).toEqual(['once', 'twice']);
  });

  test('invalid replies name the field; spam conversations take no replies', async () => {
    const inbox = await newInbox('open');
    const { conversationId: id } = await inbound(inbox, uniq('reply-bad'), 'question');
    for (const [body, field] of [
      [{}, 'content'],
      [{ content: '' }, 'content'],
      [{ content: '   ' }, 'content'],
      [{ content: 'x', senderType: 'system' }, 'senderType'],
      [{ content: 'x', idempotencyKey: '' }, 'idempotencyKey'],
    ] as const) {
      const res = await reply(agent1, id, body);
      expect(res.status).toBe(400);
      expect(res.body.details?.[0].field).toBe(field);
    }
    await call(agent1, 'POST', `/api/v1/conversations/${id}/spam`);
    const spam = await reply(agent1, id, { content: 'hello?' });
    expect(spam.status).toBe(422);
    expect(spam.body.details).toEqual([{ field: 'status', problem: 'is spam' }]);
  });
});

describe('resolve, spam, reopen', () => {
  test('resolve and reopen', async () => {
    const inbox = await newInbox('assignment');
    const { conversationId: id } = await inbound(inbox, uniq('resolve'), 'done?');
    const resolved = await call(agent1, 'POST', `/api/v1/conversations/${id}/resolve`);
    expect(resolved.status).toBe(200);
    expect(resolved.body.status).toBe('resolved');
    expect(resolved.body.resolvedAt).not.toBeNull();
    expect((await call(agent2, 'POST', `/api/v1/conversations/${id}/resolve`)).body.status).toBe('resolved');
    const reopened = await call(agent2, 'POST', `/api/v1/conversations/${id}/reopen`);
    expect(reopened.status).toBe(200);
    expect(reopened.body.status).toBe('open');
    expect(reopened.body.resolvedAt).toBeNull();
    expect((await call(agent2, 'POST', `/api/v1/conversations/${id}/reopen`)).status).toBe(200);

    const { conversationId: fresh } = await inbound(inbox, uniq('reopen-new'), 'new one');
    const notClosed = await call<ErrorBody>(agent1, 'POST', `/api/v1/conversations/${fresh}/reopen`);
    expect(notClosed.status).toBe(422);
    expect(notClosed.body.details?.[0].field).toBe('status');
    expect((await call(outsider, 'POST', `/api/v1/conversations/${fresh}/resolve`)).status).toBe(403);
    expect((await call(other, 'POST', `/api/v1/conversations/${fresh}/resolve`)).status).toBe(404);
  });

  test('spam: status spam, contact marked, gone from default lists; reopen brings it back', async () => {
    const inbox = await newInbox('assignment');
    const source = uniq('spammer');
    const { conversationId: id, contactId } = await inbound(inbox, source, 'CHEAP PILLS');
    const spam = await call(agent1, 'POST', `/api/v1/conversations/${id}/spam`);
    expect(spam.status).toBe(200);
    expect(spam.body.status).toBe('spam');
    expect((await sql<{ spam: boolean }>(`select spam from contacts where id = ?`, [contactId]))[0].spam).toBe(true);
    expect(ids(await list(agent1, { inboxId: inbox }))).toEqual([]);
    expect(ids(await list(agent1, { inboxId: inbox, status: 'spam' }))).toEqual([id]);
    const resolveSpam = await call<ErrorBody>(agent1, 'POST', `/api/v1/conversations/${id}/resolve`);
    expect(resolveSpam.status).toBe(422);
    expect(resolveSpam.body.details?.[0].field).toBe('status');

    const reopened = await call(agent1, 'POST', `/api/v1/conversations/${id}/reopen`);
    expect(reopened.body.status).toBe('open');
    expect((await sql<{ spam: boolean }>(`select spam from contacts where id = ?`, [contactId]))[0].spam).toBe(false);
    expect(ids(await list(agent1, { inboxId: inbox }))).toEqual([id]);
  });
});

describe('move between inboxes', () => {
  const move = (user: User, id: string, inboxId: string) => call<Item & ErrorBody>(user, 'POST', `/api/v1/conversations/${id}/move`, { inboxId });
  const setAllowMove = async (on: boolean) =>
    expect((await call(admin, 'PATCH', '/api/v1/account', { settings: { allowMoveBetweenInboxes: on } })).status).toBe(200);

  afterAll(async () => {
    await setAllowMove(false);
  });

  test('the account setting, membership, account and channel type decide', async () => {
    const source = await newInbox('assignment');
    const target = await newInbox('assignment', 'api', [agent1]); // agent2 is not a member
    const emailInbox = await newInbox('assignment', 'email');
    const foreign = await http<{ id: string }>(stack, 'POST', '/api/v1/inboxes', { name: 'foreign', channelType: 'api' }, other.token);
    expect(foreign.status).toBe(201);
    const { conversationId: id } = await inbound(source, uniq('move'), 'move me');

    await setAllowMove(false);
    const off = await move(agent1, id, target);
    expect(off.status).toBe(403);
    expect(off.body.message).toContain('allowMoveBetweenInboxes');
    expect(off.body.message).toContain('needs');

    await setAllowMove(true);
    expect((await move(agent1, id, foreign.body.id)).status).toBe(404);
    const notMember = await move(agent2, id, target);
    expect(notMember.status).toBe(403);
    expect(notMember.body.message).toContain('not a member');
    const wrongChannel = await move(agent1, id, emailInbox);
    expect(wrongChannel.status).toBe(422);
    expect(wrongChannel.body.details).toEqual([{ field: 'inboxId', problem: 'must be a api inbox, not email' }]);
    const same = await move(agent1, id, source);
    expect(same.status).toBe(422);
    expect(same.body.details?.[0].field).toBe('inboxId');
    const bad = await call<ErrorBody>(agent1, 'POST', `/api/v1/conversations/${id}/move`, { inboxId: 'x' });
    expect(bad.status).toBe(400);
    expect(bad.body.details?.[0].field).toBe('inboxId');
    expect((await move(outsider, id, target)).status).toBe(403);
    expect((await move(other, id, foreign.body.id)).status).toBe(404);

    // agent2 holds it, but may not hold conversations of the target: the move unassigns
    expect((await call(agent2, 'POST', `/api/v1/conversations/${id}/self-assign`)).status).toBe(200);
    const moved = await move(agent1, id, target);
    expect(moved.status).toBe(200);
    expect(moved.body.inboxId).toBe(target);
    expect(moved.body.assigneeId).toBeNull();
    expect(ids(await list(agent1, { inboxId: target }))).toEqual([id]);
    expect(ids(await list(agent1, { inboxId: source }))).toEqual([]);
    expect((await call(agent2, 'GET', `/api/v1/conversations/${id}`)).status).toBe(403);
  });
});

describe('contact history across inboxes', () => {
  test('every message of the contact the caller may see, oldest first, by cursor', async () => {
    const inboxA = await newInbox('open', 'api', [agent1, agent2]);
    const inboxB = await newInbox('open', 'api', [agent2]);
    const source = uniq('history');
    const a = await inbound(inboxA, source, 'a1');
    const b = await inbound(inboxB, source, 'b1');
    expect(b.contactId).toBe(a.contactId);
    await inbound(inboxA, source, 'a2');
    expect((await call(agent2, 'POST', `/api/v1/conversations/${b.conversationId}/messages`, { content: 'b-reply' })).status).toBe(201);
    await inbound(inboxB, source, 'b2');

    type HistoryPage = { items: { id: string; conversationId: string; inboxId: string; content: string; direction: string }[]; nextCursor: string | null };
    const history = (user: User, qs = '') => call<HistoryPage & ErrorBody>(user, 'GET', `/api/v1/contacts/${a.contactId}/messages${qs}`);

    const all = await history(agent2);
    expect(all.status).toBe(200);
    expect(all.body.items.map((m) => m.content)).toEqual(['a1', 'b1', 'a2', 'b-reply', 'b2']);
    expect(all.body.items.map((m) => m.inboxId)).toEqual([inboxA, inboxB, inboxA, inboxB, inboxB]);
    expect(all.body.nextCursor).toBeNull();
    expect((await history(agent1)).body.items.map((m) => m.content)).toEqual(['a1', 'a2']);
    expect((await history(admin)).body.items.map((m) => m.content)).toEqual(['a1', 'b1', 'a2', 'b-reply', 'b2']);

    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { status: number; body: HistoryPage } = await history(agent2, `?limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      expect(page.status).toBe(200);
      seen.push(...page.body.items.map((m) => m.content));
      cursor = page.body.nextCursor;
    } while (cursor);
    expect(seen).toEqual(['a1', 'b1', 'a2', 'b-reply', 'b2']);

    const denied = await history(outsider);
    expect(denied.status).toBe(403);
    expect(denied.body.message).toContain('not a member');
    expect((await history(other)).status).toBe(404);
    const badCursor = await history(agent2, '?cursor=abc');
    expect(badCursor.status).toBe(400);
    expect(badCursor.body.details?.[0].field).toBe('cursor');
    expect((await call(agent2, 'GET', `/api/v1/contacts/00000000-0000-4000-8000-000000000000/messages`)).status).toBe(404);
  });
});
