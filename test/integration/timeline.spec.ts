/**
 * GET /api/v1/conversations/:id/timeline on the real PostgreSQL: messages and recorded decisions
 * interleaved in time order, summaries, paging by cursor, and the errors. No worker runs, so the
 * only decisions are the ones the test records.
 */
import { EntityManager } from '@mikro-orm/postgresql';
import { recordDecision } from '../../src/modules/conversations/decision-log';
import type { TimelineItem as Item } from '../../src/modules/conversations/use-cases/get-conversation-timeline.use-case';
import { http, signUp, startTestStack, type TestStack } from '../support/test-stack';

interface Timeline {
  conversationId: string;
  workflowId: string;
  items: Item[];
  nextCursor: string | null;
}

let stack: TestStack;
let admin: { token: string; userId: string };
let inboxId: string;

beforeAll(async () => {
  stack = await startTestStack({ worker: false });
  admin = await signUp(stack, 'Timeline tests');
  const inbox = await http<{ id: string }>(
    stack,
    'POST',
    '/api/v1/inboxes',
    { name: 'Timeline inbox', channelType: 'api', settings: { assignmentMode: 'open' } },
    admin.token,
  );
  expect(inbox.status).toBe(201);
  inboxId = inbox.body.id;
}, 120_000);

afterAll(async () => stack?.close());

let n = 0;
async function inbound(content: string, sourceId: string): Promise<{ conversationId: string; messageId: string }> {
  const res = await http<{ conversationId: string; messageId: string }>(
    stack,
    'POST',
    `/api/v1/inboxes/${inboxId}/inbound-messages`,
    { contact: { sourceId }, content },
    admin.token,
  );
  expect(res.status).toBe(201);
  return res.body;
}

const decide = (conversationId: string, kind: 'routing' | 'assigned' | 'handover', summary: string, details?: Record<string, unknown>, actorUserId?: string) =>
  recordDecision(stack.api.get(EntityManager).fork(), { conversationId, kind, summary, details, actorUserId });

const timeline = (id: string, query = '') => http<Timeline>(stack, 'GET', `/api/v1/conversations/${id}/timeline${query}`, undefined, admin.token);

test('messages and decisions come back interleaved, oldest first, with readable summaries', async () => {
  const source = `timeline-${Date.now()}-${++n}`;
  const first = await inbound('Hello, my order is late', source);
  const id = first.conversationId;
  const routing = await decide(id, 'routing', 'No rule matched; human agents of the inbox', { rules: 0 });
  const second = await inbound('x'.repeat(150) + 'y'.repeat(100), source);
  const assigned = await decide(id, 'assigned', 'Assigned to Admin (least load: 0 of 10)', { candidates: [{ userId: admin.userId, load: 0 }] }, admin.userId);
  const reply = await http<{ message: { id: string } }>(stack, 'POST', `/api/v1/conversations/${id}/messages`, { content: 'Sorry, it ships today.' }, admin.token);
  expect(reply.status).toBe(201);

  const res = await timeline(id);

  expect(res.status).toBe(200);
  expect(res.body).toEqual({
    conversationId: id,
    workflowId: `conversation:${id}`,
    nextCursor: null,
    items: [
      {
        at: expect.any(String),
        type: 'message',
        kind: 'inbound',
        summary: 'inbound contact: Hello, my order is late',
        messageId: first.messageId,
        direction: 'inbound',
        senderType: 'contact',
        deliveryStatus: 'received',
      },
      {
        at: routing.at,
        type: 'decision',
        kind: 'routing',
        summary: 'No rule matched; human agents of the inbox',
        decisionId: routing.id,
        details: { rules: 0 },
      },
      {
        at: expect.any(String),
        type: 'message',
        kind: 'inbound',
        summary: `inbound contact: ${'x'.repeat(150)}${'y'.repeat(50)}`,
        messageId: second.messageId,
        direction: 'inbound',
        senderType: 'contact',
        deliveryStatus: 'received',
      },
      {
        at: assigned.at,
        type: 'decision',
        kind: 'assigned',
        summary: 'Assigned to Admin (least load: 0 of 10)',
        decisionId: assigned.id,
        details: { candidates: [{ userId: admin.userId, load: 0 }] },
        actorUserId: admin.userId,
      },
      {
        at: expect.any(String),
        type: 'message',
        kind: 'outbound',
        summary: 'outbound agent: Sorry, it ships today.',
        messageId: reply.body.message.id,
        direction: 'outbound',
        senderType: 'agent',
        deliveryStatus: 'sent',
      },
    ],
  });
  const times = res.body.items.map((i) => Date.parse(i.at));
  expect([...times].sort((a, b) => a - b)).toEqual(times);
});

test('pages by cursor without skipping or repeating, also when items share a timestamp', async () => {
  const { conversationId: id } = await inbound('first', `timeline-${Date.now()}-${++n}`);
  // Five decisions in one statement: the same created_at, so only the id orders them.
  await stack.api
    .get(EntityManager)
    .fork()
    .getConnection()
    .execute(
      `insert into conversation_decisions (conversation_id, kind, summary, created_at)
       select ?, 'routing', 'same instant ' || g, now() from generate_series(1, 5) g`,
      [id],
    );
  await decide(id, 'handover', 'last');

  const all = await timeline(id);
  expect(all.body.items.map((i) => i.summary)).toEqual([
    'inbound contact: first',
    'same instant 1',
    'same instant 2',
    'same instant 3',
    'same instant 4',
    'same instant 5',
    'last',
  ]);

  const seen: string[] = [];
  let cursor: string | null = null;
  let pages = 0;
  do {
    const page: { status: number; body: Timeline } = await timeline(id, `?limit=2${cursor ? `&after=${encodeURIComponent(cursor)}` : ''}`);
    expect(page.status).toBe(200);
    expect(page.body.items.length).toBeLessThanOrEqual(2);
    seen.push(...page.body.items.map((i) => i.summary));
    cursor = page.body.nextCursor;
    pages += 1;
  } while (cursor);
  expect(pages).toBe(4);
  expect(seen).toEqual(all.body.items.map((i) => i.summary));
});

test('a failed delivery shows its error', async () => {
  const { conversationId: id } = await inbound('hello', `timeline-${Date.now()}-${++n}`);
  await stack.api
    .get(EntityManager)
    .fork()
    .getConnection()
    .execute(
      `insert into messages (conversation_id, direction, sender_type, content, delivery_status, error, created_at)
       values (?, 'outbound', 'system', 'Survey', 'failed', 'mailbox full', clock_timestamp())`,
      [id],
    );
  const res = await timeline(id);
  expect(res.body.items[1]).toEqual({
    at: expect.any(String),
    type: 'message',
    kind: 'outbound',
    summary: 'outbound system: Survey',
    messageId: expect.any(String),
    direction: 'outbound',
    senderType: 'system',
    deliveryStatus: 'failed',
    details: { error: 'mailbox full' },
  });
});

test('unknown conversation 404, bad id 400, bad cursor and limit 400', async () => {
  const unknown = await timeline('00000000-0000-4000-8000-000000000000');
  expect(unknown.status).toBe(404);
  expect(unknown.body).toMatchObject({ message: 'conversation 00000000-0000-4000-8000-000000000000 was not found' });

  const bad = await timeline('not-a-uuid');
  expect(bad.status).toBe(400);
  expect(bad.body).toMatchObject({ message: 'id: must be a UUID', details: [{ field: 'id', problem: 'must be a UUID' }] });

  const { conversationId: id } = await inbound('hi', `timeline-${Date.now()}-${++n}`);
  const badCursor = await timeline(id, '?after=nonsense');
  expect(badCursor.status).toBe(400);
  expect(badCursor.body).toMatchObject({ message: 'after: is not a cursor of this timeline; pass back nextCursor unchanged', details: [{ field: 'after', problem: 'is not a cursor of this timeline; pass back nextCursor unchanged' }] });

  expect((await timeline(id, '?limit=501')).status).toBe(400);
  expect((await timeline(id, '?limit=0')).status).toBe(400);
  expect((await timeline(id, '?limit=500')).status).toBe(200);
});
