/**
 * The walking skeleton end to end, on the real PostgreSQL and the real Temporal dev server:
 * API-channel inbound message -> contact, conversation, message stored -> conversation:<id>
 * started or signalled -> the inbox's welcome message stored and delivered once.
 */
import { conversationStateQuery, conversationWorkflowId } from '../../workflows/contracts/conversation.contract';
import { AssigneeId, Channel, ConversationStatus, InboxId, UNASSIGNED, Vip } from '../../workflows/contracts/search-attributes';
import { eventually, http, signUp, startTestStack, type TestStack } from '../support/test-stack';

interface MessageView {
  id: string;
  direction: string;
  senderType: string;
  content: string;
  deliveryStatus: string;
}
interface ConversationView {
  id: string;
  inboxId: string;
  status: string;
  workflowId: string;
  messages: MessageView[];
}
interface InboundResult {
  conversationId: string;
  messageId: string;
  contactId: string;
  duplicate: boolean;
  conversationCreated: boolean;
}

let stack: TestStack;
let token: string;

beforeAll(async () => {
  stack = await startTestStack();
  ({ token } = await signUp(stack, 'Skeleton Ltd'));
});

afterAll(async () => {
  await stack?.close();
});

async function createInbox(welcomeMessage: string | null, channelType = 'api'): Promise<string> {
  const res = await http<{ id: string }>(
    stack,
    'POST',
    '/api/v1/inboxes',
    { name: `inbox ${Math.random().toString(36).slice(2, 8)}`, channelType, welcomeMessage },
    token,
  );
  expect(res.status).toBe(201);
  return res.body.id;
}

function inbound(inboxId: string, sourceId: string, content: string, externalId?: string) {
  return http<InboundResult>(
    stack,
    'POST',
    `/api/v1/inboxes/${inboxId}/inbound-messages`,
    { contact: { sourceId, name: 'Jane Doe' }, content, ...(externalId ? { externalId } : {}) },
    token,
  );
}

async function waitForInboundHandled(conversationId: string, count: number) {
  const handle = stack.temporal.workflow.getHandle(conversationWorkflowId(conversationId));
  return eventually(async () => {
    const state = await handle.query(conversationStateQuery);
    return state.inboundHandled >= count ? state : undefined;
  }, 20_000, `workflow to handle ${count} inbound messages`);
}

async function getConversation(id: string) {
  const res = await http<ConversationView>(stack, 'GET', `/api/v1/conversations/${id}`, undefined, token);
  expect(res.status).toBe(200);
  return res.body;
}

test('an inbound message creates contact, conversation and message, and the welcome follows once', async () => {
  const inboxId = await createInbox('Welcome! An agent will be with you shortly.');
  const first = await inbound(inboxId, 'customer-1', 'Hello, my parcel is late');
  expect(first.status).toBe(201);
  expect(first.body.conversationCreated).toBe(true);

  await waitForInboundHandled(first.body.conversationId, 1);
  const second = await inbound(inboxId, 'customer-1', 'Any news?');
  expect(second.body.conversationId).toBe(first.body.conversationId);
  expect(second.body.conversationCreated).toBe(false);
  await waitForInboundHandled(first.body.conversationId, 2);

  const conversation = await getConversation(first.body.conversationId);
  expect(conversation.workflowId).toBe(`conversation:${first.body.conversationId}`);
  expect(conversation.status).toBe('new');
  expect(conversation.messages.map((m) => [m.direction, m.senderType, m.content, m.deliveryStatus])).toEqual([
    ['inbound', 'contact', 'Hello, my parcel is late', 'received'],
    ['outbound', 'system', 'Welcome! An agent will be with you shortly.', 'sent'],
    ['inbound', 'contact', 'Any news?', 'received'],
  ]);
  const ids = conversation.messages.map((m) => Number(m.id));
  expect([...ids].sort((a, b) => a - b)).toEqual(ids);
});

test('ten concurrent inbound messages from one new contact produce one conversation and exactly one welcome', async () => {
  const inboxId = await createInbox('Hi there!');
  const results = await Promise.all(Array.from({ length: 10 }, (_, i) => inbound(inboxId, 'racer', `message ${i}`)));
  expect(results.map((r) => r.status)).toEqual(Array(10).fill(201));
  const conversationIds = new Set(results.map((r) => r.body.conversationId));
  expect(conversationIds.size).toBe(1);
  expect(new Set(results.map((r) => r.body.contactId)).size).toBe(1);
  expect(results.filter((r) => r.body.conversationCreated)).toHaveLength(1);

  const [conversationId] = [...conversationIds];
  const state = await waitForInboundHandled(conversationId, 10);
  expect(state.welcomeHandled).toBe(true);

  const conversation = await getConversation(conversationId);
  expect(conversation.messages.filter((m) => m.direction === 'inbound')).toHaveLength(10);
  const welcomes = conversation.messages.filter((m) => m.direction === 'outbound');
  expect(welcomes).toHaveLength(1);
  expect(welcomes[0]).toMatchObject({ content: 'Hi there!', senderType: 'system', deliveryStatus: 'sent' });
  expect(new Set(conversation.messages.filter((m) => m.direction === 'inbound').map((m) => m.content))).toEqual(
    new Set(Array.from({ length: 10 }, (_, i) => `message ${i}`)),
  );
});

test('ten concurrent messages from ten different contacts start ten workflows, each with one welcome', async () => {
  const inboxId = await createInbox('One per conversation');
  const results = await Promise.all(Array.from({ length: 10 }, (_, i) => inbound(inboxId, `person-${i}`, 'hi')));
  const conversationIds = [...new Set(results.map((r) => r.body.conversationId))];
  expect(conversationIds).toHaveLength(10);
  for (const id of conversationIds) {
    await waitForInboundHandled(id, 1);
    const c = await getConversation(id);
    expect(c.messages.filter((m) => m.direction === 'outbound').map((m) => m.content)).toEqual(['One per conversation']);
  }
});

test('no welcome message when the inbox has none', async () => {
  const inboxId = await createInbox(null);
  const res = await inbound(inboxId, 'quiet', 'hello');
  const state = await waitForInboundHandled(res.body.conversationId, 1);
  expect(state.welcomeHandled).toBe(true);
  const conversation = await getConversation(res.body.conversationId);
  expect(conversation.messages.map((m) => m.direction)).toEqual(['inbound']);
});

test('the workflow carries the search attributes ops filter by', async () => {
  const inboxId = await createInbox('hello');
  const res = await inbound(inboxId, 'searchable', 'find me');
  const handle = stack.temporal.workflow.getHandle(conversationWorkflowId(res.body.conversationId));
  const description = await handle.describe();
  expect(description.type).toBe('conversationWorkflow');
  expect(description.taskQueue).toBe(stack.config.temporal.taskQueue);
  const attrs = description.typedSearchAttributes;
  expect(attrs.get(InboxId)).toBe(inboxId);
  expect(attrs.get(ConversationStatus)).toBe('new');
  expect(attrs.get(AssigneeId)).toBe(UNASSIGNED);
  expect(attrs.get(Channel)).toBe('api');
  expect(attrs.get(Vip)).toBe(false);

  // The same filter the Temporal UI uses.
  const found = await eventually(async () => {
    const ids: string[] = [];
    for await (const wf of stack.temporal.workflow.list({ query: `InboxId = "${inboxId}" AND ConversationStatus = "new"` })) ids.push(wf.workflowId);
    return ids.length > 0 ? ids : undefined;
  }, 15_000, 'visibility to list the workflow');
  expect(found).toEqual([conversationWorkflowId(res.body.conversationId)]);
});

test('a repeated externalId stores the message once', async () => {
  const inboxId = await createInbox(null);
  const a = await inbound(inboxId, 'retrier', 'only once', 'ext-1');
  const b = await inbound(inboxId, 'retrier', 'only once', 'ext-1');
  expect(a.status).toBe(201);
  expect(b.status).toBe(201);
  expect(b.body).toMatchObject({ duplicate: true, messageId: a.body.messageId, conversationId: a.body.conversationId });
  await waitForInboundHandled(a.body.conversationId, 2);
  const conversation = await getConversation(a.body.conversationId);
  expect(conversation.messages.map((m) => m.content)).toEqual(['only once']);
});

test('a resolved conversation is reopened by a new inbound message', async () => {
  const inboxId = await createInbox(null);
  const first = await inbound(inboxId, 'returning', 'first');
  await stack.api.get((await import('@mikro-orm/postgresql')).EntityManager).fork().getConnection()
    .execute(`update conversations set status = 'resolved' where id = ?`, [first.body.conversationId]);
  const second = await inbound(inboxId, 'returning', 'back again');
  expect(second.body.conversationId).toBe(first.body.conversationId);
  expect((await getConversation(first.body.conversationId)).status).toBe('new');
});

describe('bad input gets a clear error and stores nothing', () => {
  test('missing and unknown fields are named', async () => {
    const inboxId = await createInbox(null);
    const res = await http<{ code: string; message: string; details: { field: string; problem: string }[] }>(
      stack, 'POST', `/api/v1/inboxes/${inboxId}/inbound-messages`, { contact: {}, content: '', extra: 1 }, token,
    );
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('VALIDATION_FAILED');
    const fields = res.body.details.map((d) => d.field).sort();
    expect(fields).toEqual(['contact.sourceId', 'content', 'extra']);
    expect(res.body.message).toContain('extra: property extra should not exist');
    const list = await http<{ items: unknown[] }>(stack, 'GET', `/api/v1/conversations?inboxId=${inboxId}`, undefined, token);
    expect(list.body.items).toEqual([]);
  });

  test('malformed JSON, bad ids and unknown inboxes', async () => {
    const inboxId = await createInbox(null);
    const malformed = await http<{ message: string }>(stack, 'POST', `/api/v1/inboxes/${inboxId}/inbound-messages`, '{"contact":', token);
    expect(malformed.status).toBe(400);
    expect(malformed.body.message).toBe('body: malformed JSON');
    const badId = await http<{ message: string }>(stack, 'GET', '/api/v1/conversations/not-a-uuid', undefined, token);
    expect(badId.status).toBe(400);
    expect(badId.body.message).toBe('id: must be a UUID');
    const missing = await inbound('00000000-0000-4000-8000-000000000000', 'x', 'hello');
    expect(missing.status).toBe(404);
    expect((missing.body as unknown as { message: string }).message).toContain('inbox 00000000-0000-4000-8000-000000000000 was not found');
  });

  test('an email inbox does not take API-channel messages', async () => {
    const inboxId = await createInbox(null, 'email');
    const res = await inbound(inboxId, 'someone@example.com', 'hello');
    expect(res.status).toBe(422);
    const list = await http<{ items: unknown[] }>(stack, 'GET', `/api/v1/conversations?inboxId=${inboxId}`, undefined, token);
    expect(list.body.items).toEqual([]);
  });

  test('SQL and HTML in text are stored and returned unchanged', async () => {
    const inboxId = await createInbox(null);
    const nasty = `Robert'); DROP TABLE messages;-- <script>alert(1)</script>`;
    const res = await inbound(inboxId, `<b>${nasty}</b>`, nasty);
    expect(res.status).toBe(201);
    const conversation = await getConversation(res.body.conversationId);
    expect(conversation.messages[0].content).toBe(nasty);
  });
});
