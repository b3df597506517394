/**
 * Open mode (inbox setting assignmentMode 'open') on the real Temporal server and Postgres: routing
 * assigns nobody although agents are online with free seats; a rule's team or agent target does not
 * assign either; the AI agent still answers (an answer, not an assignment) and its handover assigns
 * nobody; conversations queued before the inbox switched to open mode are not assigned by a queue pass.
 */
import { conversationStateQuery, conversationWorkflowId } from '../../workflows/contracts/conversation.contract';
import { startFakeOpenAi, type FakeOpenAi } from '../support/fake-openai';
import { assignedTo, createLifecycleFixture, sleep, type LifecycleFixture } from '../support/lifecycle-fixture';
import { eventually, http, startTestStack, type TestStack } from '../support/test-stack';

const OPEN_MODE = 'open mode: nobody is assigned; any member may answer';
let stack: TestStack;
let openai: FakeOpenAi;

beforeAll(async () => {
  openai = await startFakeOpenAi();
  stack = await startTestStack({
    env: { PRESENCE_HEARTBEAT_TIMEOUT_SECONDS: '3600', LOGIN_MAX_FAILURES: '1000', OPENAI_API_KEY: 'test-key', OPENAI_BASE_URL: openai.baseUrl, OPENAI_TIMEOUT_MS: '2000' },
  });
}, 60_000);

afterAll(async () => {
  await stack?.close();
  await openai?.close();
});

/** Waits until the conversation workflow handled `count` inbound messages (welcome, out-of-office, routing done). */
async function handled(conversationId: string, count = 1): Promise<void> {
  await eventually(
    async () => ((await stack.temporal.workflow.getHandle(conversationWorkflowId(conversationId)).query(conversationStateQuery)).inboundHandled >= count ? true : undefined),
    15_000,
    `conversation ${conversationId} handled ${count} message(s)`,
  );
}

const row = async (fx: LifecycleFixture, id: string) => (await fx.rows()).find((r) => r.id === id)!;

test('open mode: routing assigns nobody although an agent is online with free seats; the decision says why; any member answers', async () => {
  const fx = await createLifecycleFixture(stack, { agents: 2, settings: { assignmentMode: 'open', routing: { capacityPerAgent: 10 } } });
  const [a, b] = fx.agents;
  await fx.login(a);
  await fx.login(b);
  const c = await fx.inbound('open-1', 'hello');
  await handled(c.conversationId);
  await sleep(300);
  expect(await row(fx, c.conversationId)).toMatchObject({ assignee_id: null, queued_at: null, status: 'new' });
  const decisions = await fx.decisions(c.conversationId);
  expect(decisions.map((d) => d.kind)).not.toContain('assigned');
  expect(decisions.map((d) => d.kind)).not.toContain('queued');
  expect(decisions.find((d) => d.kind === 'routing')!.summary).toBe(`no routing rules; ${OPEN_MODE}`);

  // Nobody can take it for themselves; any member answers without.
  const self = await http<{ message: string }>(stack, 'POST', `/api/v1/conversations/${c.conversationId}/self-assign`, undefined, a.token);
  expect(self.status).toBe(403);
  expect(self.body.message).toContain('open mode');
  expect((await http(stack, 'POST', `/api/v1/conversations/${c.conversationId}/messages`, { content: 'Hi, Agent B here' }, b.token)).status).toBe(201);
  expect(await row(fx, c.conversationId)).toMatchObject({ assignee_id: null, status: 'open' });
  // The customer writes again: back to new, still nobody assigned.
  await fx.inbound('open-1', 'thanks, one more thing');
  await handled(c.conversationId, 2);
  expect(await row(fx, c.conversationId)).toMatchObject({ assignee_id: null, queued_at: null, status: 'new' });
}, 60_000);

test("open mode: a rule's agent target assigns nobody; the decision names the rule", async () => {
  const fx = await createLifecycleFixture(stack, { agents: 1, settings: { assignmentMode: 'open' } });
  const [a] = fx.agents;
  await fx.login(a);
  const patch = await http(stack, 'PATCH', `/api/v1/inboxes/${fx.inboxId}`, {
    settings: { routing: { rules: [{ name: 'Refunds', match: 'any', conditions: [{ attribute: 'message.content', operator: 'contains', value: 'refund' }], target: { type: 'agent', id: a.userId } }] } },
  }, fx.admin.token);
  expect(patch.status).toBe(200);
  const c = await fx.inbound('open-rule', 'I want a refund');
  await handled(c.conversationId);
  await sleep(300);
  expect(await row(fx, c.conversationId)).toMatchObject({ assignee_id: null, queued_at: null });
  const routing = (await fx.decisions(c.conversationId)).find((d) => d.kind === 'routing')!;
  expect(routing.summary).toBe(
    `rule "Refunds" matched: message.content contains "refund" (was "I want a refund") -> agent "Agent A", not assigned (a rule's target assigns only in assignment mode); ${OPEN_MODE}`,
  );
  expect(routing.details).toMatchObject({ assignmentMode: 'open', target: { type: 'agent', id: a.userId } });
}, 60_000);

test('open mode: the AI agent still answers; its handover assigns nobody', async () => {
  openai.respondWith((body) => ({ content: body.messages.some((m) => m.content.includes('opening hours')) ? 'We are open 9-17.' : 'HANDOVER' }));
  const fx = await createLifecycleFixture(stack, { agents: 1, settings: { assignmentMode: 'open', routing: { aiAgentEnabled: true } } });
  const [a] = fx.agents;
  await fx.login(a);
  const c = await fx.inbound('open-ai', 'What are your opening hours?');
  await eventually(
    async () => ((await fx.sql<{ n: number }>(`select count(*)::int as n from messages where conversation_id = ? and sender_type = 'ai'`, [c.conversationId]))[0].n === 1 ? true : undefined),
    15_000,
    'AI answer',
  );
  await fx.inbound('open-ai', 'I want to talk to a human please');
  await eventually(async () => ((await fx.decisions(c.conversationId)).some((d) => d.kind === 'handover') ? true : undefined), 15_000, 'handover');
  await handled(c.conversationId, 2);
  await sleep(300);
  expect(await row(fx, c.conversationId)).toMatchObject({ assignee_id: null, queued_at: null });
  const last = (await fx.decisions(c.conversationId)).filter((d) => d.kind === 'routing').at(-1)!;
  expect(last.summary).toBe(`no routing rules; the AI agent handed over; ${OPEN_MODE}`);
}, 60_000);

test('switched to open mode: a conversation queued before is not assigned when an agent logs in; switched back, it is', async () => {
  const fx = await createLifecycleFixture(stack, { agents: 1, settings: { assignmentMode: 'assignment' } });
  const [a] = fx.agents;
  const c = await fx.inbound('open-switch', 'anyone?');
  await eventually(async () => ((await row(fx, c.conversationId))?.queued_at ? true : undefined), 15_000, 'queued');
  expect((await http(stack, 'PATCH', `/api/v1/inboxes/${fx.inboxId}`, { settings: { assignmentMode: 'open' } }, fx.admin.token)).status).toBe(200);
  await fx.login(a);
  await sleep(2000);
  expect((await row(fx, c.conversationId)).assignee_id).toBeNull();

  expect((await http(stack, 'PATCH', `/api/v1/inboxes/${fx.inboxId}`, { settings: { assignmentMode: 'assignment' } }, fx.admin.token)).status).toBe(200);
  await fx.logout(a);
  await fx.login(a);
  await assignedTo(fx, c.conversationId, a.userId);
}, 60_000);
