/**
 * Conversation statuses on the real PostgreSQL and Temporal: a customer's message moves open and
 * pending conversations back to new; agents set pending (POST /conversations/:id/pending), and the
 * conversation workflow learns of it (its ConversationStatus search attribute follows).
 */
import { conversationWorkflowId } from '../../workflows/contracts/conversation.contract';
import { ConversationStatus } from '../../workflows/contracts/search-attributes';
import { eventually, http, signUp, startTestStack, type TestStack } from '../support/test-stack';

interface Item {
  id: string;
  status: string;
  assigneeId: string | null;
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
let admin: User;
let agent1: User;
let agent2: User;
let inboxId: string;
let n = 0;

async function newUser(name: string): Promise<User> {
  const email = `status-${Date.now()}-${++n}-${Math.random().toString(36).slice(2, 7)}@example.com`;
  const created = await http<{ id: string }>(stack, 'POST', '/api/v1/users', { name, email, password: 'correct horse battery' }, admin.token);
  expect(created.status).toBe(201);
  const login = await http<{ token: string }>(stack, 'POST', '/api/v1/auth/login', { email, password: 'correct horse battery' });
  return { id: created.body.id, token: login.body.token };
}

beforeAll(async () => {
  stack = await startTestStack();
  const main = await signUp(stack, 'Status Ltd');
  admin = { id: main.userId, token: main.token };
  agent1 = await newUser('Agent One');
  agent2 = await newUser('Agent Two');
  // Assignment mode; routing off, so nothing assigns by itself.
  const inbox = await http<{ id: string }>(
    stack,
    'POST',
    '/api/v1/inboxes',
    { name: 'Status inbox', channelType: 'api', settings: { assignmentMode: 'assignment', routing: { humanAgentsEnabled: false } } },
    admin.token,
  );
  expect(inbox.status).toBe(201);
  inboxId = inbox.body.id;
  for (const u of [agent1, agent2]) expect((await http(stack, 'PUT', `/api/v1/inboxes/${inboxId}/members/${u.id}`, { role: 'member' }, admin.token)).status).toBe(200);
}, 120_000);

afterAll(async () => {
  await stack?.close();
});

const call = <T = Item>(user: User, method: string, path: string, body?: unknown) => http<T>(stack, method, path, body, user.token);
const get = async (id: string) => (await call(admin, 'GET', `/api/v1/conversations/${id}`)).body;

async function inbound(sourceId: string, content: string): Promise<string> {
  const res = await call<{ conversationId: string }>(admin, 'POST', `/api/v1/inboxes/${inboxId}/inbound-messages`, { contact: { sourceId }, content });
  expect(res.status).toBe(201);
  return res.body.conversationId;
}

async function statusDecisions(id: string): Promise<string[]> {
  const timeline = await call<{ items: { type: string; kind: string; summary: string }[] }>(admin, 'GET', `/api/v1/conversations/${id}/timeline`);
  expect(timeline.status).toBe(200);
  return timeline.body.items.filter((i) => i.type === 'decision' && i.kind === 'status').map((i) => i.summary);
}

/** The status the conversation workflow last wrote into its search attributes. */
const workflowStatus = (id: string) =>
  eventually(async () => (await stack.temporal.workflow.getHandle(conversationWorkflowId(id)).describe()).typedSearchAttributes.get(ConversationStatus), 10_000, 'search attributes');

async function workflowShows(id: string, status: string): Promise<void> {
  await eventually(async () => ((await workflowStatus(id)) === status ? true : undefined), 15_000, `ConversationStatus = ${status}`);
}

test('a customer message moves an open or a pending conversation back to new; agents set pending and the workflow follows', async () => {
  const source = `status-${Date.now()}`;
  const id = await inbound(source, 'hello');
  expect((await get(id)).status).toBe('new');
  expect((await call(agent1, 'POST', `/api/v1/conversations/${id}/self-assign`)).status).toBe(200);
  expect((await call(agent1, 'POST', `/api/v1/conversations/${id}/messages`, { content: 'How can I help?' })).status).toBe(201);
  expect((await get(id)).status).toBe('open');

  // open -> new
  expect(await inbound(source, 'my parcel is late')).toBe(id);
  expect(await get(id)).toMatchObject({ status: 'new', assigneeId: agent1.id });
  expect(await statusDecisions(id)).toEqual(['back to new: the customer wrote again (was open)']);

  // an agent sets pending; the workflow learns of it
  expect((await call(agent1, 'POST', `/api/v1/conversations/${id}/messages`, { content: 'Could you send the order number?' })).status).toBe(201);
  const pending = await call(agent1, 'POST', `/api/v1/conversations/${id}/pending`);
  expect(pending.status).toBe(200);
  expect(pending.body).toMatchObject({ id, status: 'pending', assigneeId: agent1.id });
  await workflowShows(id, 'pending');
  // repeated: nothing changes, nothing new is recorded
  expect((await call(agent1, 'POST', `/api/v1/conversations/${id}/pending`)).body.status).toBe('pending');
  const listed = await call<{ items: Item[] }>(agent1, 'GET', `/api/v1/conversations?inboxId=${inboxId}&status=pending`);
  expect(listed.body.items.map((i) => i.id)).toContain(id);

  // pending -> new
  await inbound(source, '4711');
  expect((await get(id)).status).toBe('new');
  await workflowShows(id, 'new');
  expect(await statusDecisions(id)).toEqual([
    'back to new: the customer wrote again (was open)',
    'set to pending by Agent One (was open): waiting on the customer',
    'back to new: the customer wrote again (was pending)',
  ]);
}, 60_000);

test('pending: any member of the inbox may set it (as for resolve); resolved and spam conversations are 422 naming status', async () => {
  const id = await inbound(`status-any-${Date.now()}`, 'hello');
  expect((await call(agent1, 'POST', `/api/v1/conversations/${id}/self-assign`)).status).toBe(200);
  // agent2 does not hold it; in assignment mode they cannot reply, but may set pending as they may resolve
  const byOther = await call(agent2, 'POST', `/api/v1/conversations/${id}/pending`);
  expect(byOther.status).toBe(200);
  expect(byOther.body.status).toBe('pending');

  expect((await call(agent2, 'POST', `/api/v1/conversations/${id}/resolve`)).status).toBe(200);
  const resolved = await call<ErrorBody>(agent1, 'POST', `/api/v1/conversations/${id}/pending`);
  expect(resolved.status).toBe(422);
  expect(resolved.body.details).toEqual([{ field: 'status', problem: 'is resolved' }]);
  expect(resolved.body.message).toContain('reopen it');

  expect((await call(agent1, 'POST', `/api/v1/conversations/${id}/spam`)).status).toBe(200);
  const spam = await call<ErrorBody>(agent1, 'POST', `/api/v1/conversations/${id}/pending`);
  expect(spam.status).toBe(422);
  expect(spam.body.details).toEqual([{ field: 'status', problem: 'is spam' }]);
  expect((await get(id)).status).toBe('spam');

  const bad = await call<ErrorBody>(agent1, 'POST', `/api/v1/conversations/not-a-uuid/pending`);
  expect(bad.status).toBe(400);
  expect(bad.body.details).toEqual([{ field: 'id', problem: 'must be a UUID' }]);
}, 60_000);
