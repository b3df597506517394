/**
 * The conversation workflow's other decisions on the real server: out-of-office once per closed
 * period (and not right after an agent answered), CSAT after the delay and cancelled by a reopen,
 * the AI agent answering and handing over to humans.
 */
import { startFakeOpenAi, type FakeOpenAi } from '../support/fake-openai';
import { createLifecycleFixture, sleep, type LifecycleFixture } from '../support/lifecycle-fixture';
import { eventually, http, startTestStack, type TestStack } from '../support/test-stack';

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

const messages = (fx: LifecycleFixture, conversationId: string) =>
  fx.sql<{ direction: string; sender_type: string; content: string; idempotency_key: string | null }>(
    `select direction, sender_type, content, idempotency_key from messages where conversation_id = ? order by id`,
    [conversationId],
  );

/** A fixed-offset zone where it is now between 03:00 and 21:00, and today's weekday there. */
function daytimeZone(): { timezone: string; weekday: string } {
  for (const timezone of ['UTC', 'Etc/GMT-12', 'Etc/GMT+10']) {
    const parts = new Intl.DateTimeFormat('en-US', { timeZone: timezone, hour: 'numeric', hourCycle: 'h23', weekday: 'short' }).formatToParts(new Date());
    const hour = Number(parts.find((p) => p.type === 'hour')!.value);
    if (hour >= 3 && hour < 21) return { timezone, weekday: parts.find((p) => p.type === 'weekday')!.value.toLowerCase() };
  }
  throw new Error('no daytime zone');
}

test('out-of-office: once per closed period, again after the hours changed, not right after an agent answered', async () => {
  const { timezone, weekday } = daytimeZone();
  const fx = await createLifecycleFixture(stack, {
    settings: {
      assignmentMode: 'open',
      businessHours: { enabled: true, timezone, intervals: { [weekday]: [{ start: '00:00', end: '01:00' }] }, exceptions: {}, outOfOfficeMessage: 'We are closed, {{contact.name}}.' },
    },
  });
  const c = await fx.inbound('ooo-1', 'first', { name: 'Jane' });
  await fx.inbound('ooo-1', 'second');
  await fx.inbound('ooo-1', 'third');
  // Open mode: routing assigns nobody and says so.
  await eventually(async () => ((await fx.decisions(c.conversationId)).some((d) => d.kind === 'routing') ? true : undefined), 10_000, 'routed');
  await eventually(async () => {
    const state = await stack.temporal.workflow.getHandle(`conversation:${c.conversationId}`).query<{ inboundHandled: number }>('state');
    return state.inboundHandled === 3 ? true : undefined;
  }, 10_000, 'three messages handled');
  let out = (await messages(fx, c.conversationId)).filter((m) => m.direction === 'outbound');
  expect(out.map((m) => m.content)).toEqual(['We are closed, Jane.']);
  const decision = (await fx.decisions(c.conversationId)).find((d) => d.kind === 'out_of_office')!;
  expect(decision.summary).toMatch(/^out-of-office reply sent: closed/);
  expect(decision.summary).toContain('opens again at');

  // The hours change (a later open stretch today): a new closed period, a new reply — no restart needed.
  expect((await http(stack, 'PATCH', `/api/v1/inboxes/${fx.inboxId}`, { settings: { businessHours: { intervals: { [weekday]: [{ start: '00:00', end: '02:00' }] } } } }, fx.admin.token)).status).toBe(200);
  await fx.inbound('ooo-1', 'fourth');
  await eventually(async () => ((await messages(fx, c.conversationId)).filter((m) => m.direction === 'outbound').length === 2 ? true : undefined), 10_000, 'second out-of-office');
  out = (await messages(fx, c.conversationId)).filter((m) => m.direction === 'outbound');
  expect(new Set(out.map((m) => m.idempotency_key)).size).toBe(2);

  // An agent answers, then the hours change again: the customer's next message gets no out-of-office.
  expect((await http(stack, 'POST', `/api/v1/conversations/${c.conversationId}/messages`, { content: 'Hi, I am here' }, fx.admin.token)).status).toBe(201);
  expect((await http(stack, 'PATCH', `/api/v1/inboxes/${fx.inboxId}`, { settings: { businessHours: { intervals: { [weekday]: [{ start: '00:00', end: '02:30' }] } } } }, fx.admin.token)).status).toBe(200);
  await fx.inbound('ooo-1', 'thanks');
  await eventually(async () => ((await fx.decisions(c.conversationId)).some((d) => d.kind === 'out_of_office' && d.summary.startsWith('out-of-office not sent')) ? true : undefined), 10_000, 'quiet decision');
  out = (await messages(fx, c.conversationId)).filter((m) => m.direction === 'outbound');
  expect(out.map((m) => m.sender_type)).toEqual(['system', 'system', 'agent']);
}, 60_000);

test('business hours open: no out-of-office', async () => {
  const { timezone, weekday } = daytimeZone();
  const fx = await createLifecycleFixture(stack, {
    settings: { businessHours: { enabled: true, timezone, intervals: { [weekday]: [{ start: '00:00', end: '24:00' }] }, exceptions: {}, outOfOfficeMessage: 'closed' } },
  });
  const c = await fx.inbound('open-1', 'hello');
  await eventually(async () => ((await fx.decisions(c.conversationId)).some((d) => d.kind === 'queued') ? true : undefined), 10_000, 'routed');
  expect((await messages(fx, c.conversationId)).filter((m) => m.direction === 'outbound')).toEqual([]);
}, 30_000);

test('CSAT: sent once after resolving; a reopen before the delay cancels it; the customer answers by reply', async () => {
  const fx = await createLifecycleFixture(stack, { agents: 1, settings: { csat: { enabled: true, delaySeconds: 3, question: 'How did we do, {{contact.name}}?' } } });
  const [a] = fx.agents;
  await fx.login(a);
  const c = await fx.inbound('csat-1', 'help', { name: 'Jo' });
  await eventually(async () => ((await fx.rows())[0]?.assignee_id === a.userId ? true : undefined), 10_000, 'assigned');

  // Resolve, reopen after 1 s: no survey.
  expect((await http(stack, 'POST', `/api/v1/conversations/${c.conversationId}/resolve`, undefined, a.token)).status).toBe(200);
  await eventually(async () => ((await fx.decisions(c.conversationId)).some((d) => d.kind === 'csat_scheduled') ? true : undefined), 5_000, 'scheduled');
  await sleep(1000);
  expect((await http(stack, 'POST', `/api/v1/conversations/${c.conversationId}/reopen`, undefined, a.token)).status).toBe(200);
  await eventually(async () => ((await fx.decisions(c.conversationId)).some((d) => d.kind === 'csat_cancelled') ? true : undefined), 5_000, 'cancelled');
  await sleep(3500);
  expect((await messages(fx, c.conversationId)).filter((m) => m.idempotency_key?.startsWith('csat:'))).toEqual([]);

  // Resolve again: one survey after ~3 s, not more.
  const resolvedAt = Date.now();
  expect((await http(stack, 'POST', `/api/v1/conversations/${c.conversationId}/resolve`, undefined, a.token)).status).toBe(200);
  await eventually(async () => ((await messages(fx, c.conversationId)).some((m) => m.idempotency_key?.startsWith('csat:')) ? true : undefined), 10_000, 'survey sent');
  expect(Date.now() - resolvedAt).toBeGreaterThanOrEqual(2500);
  await sleep(1500);
  const surveys = (await messages(fx, c.conversationId)).filter((m) => m.idempotency_key?.startsWith('csat:'));
  expect(surveys).toHaveLength(1);
  expect(surveys[0].content).toContain('How did we do, Jo?');
  const rows = await fx.sql<{ agent_id: string; rating: number | null }>(`select agent_id, rating from csat_surveys where conversation_id = ?`, [c.conversationId]);
  expect(rows).toEqual([{ agent_id: a.userId, rating: null }]);

  // The customer answers "5 great": rating stored, the conversation stays resolved, nobody is bothered.
  await fx.inbound('csat-1', '5 great');
  await eventually(async () => ((await fx.sql<{ rating: number }>(`select rating from csat_surveys where conversation_id = ?`, [c.conversationId]))[0].rating === 5 ? true : undefined), 10_000, 'rating');
  await sleep(500);
  expect((await fx.conversation(c.conversationId)).status).toBe('resolved');
}, 60_000);

test('AI agent: answers while it can, hands over to a human on request; the handover routes to an agent', async () => {
  openai.respondWith((body) => ({ content: body.messages.some((m) => m.content.includes('opening hours')) ? 'We are open 9-17.' : 'HANDOVER' }));
  const fx = await createLifecycleFixture(stack, { agents: 1, settings: { routing: { aiAgentEnabled: true } } });
  const [a] = fx.agents;
  await fx.login(a);
  const c = await fx.inbound('ai-1', 'What are your opening hours?');
  await eventually(async () => ((await messages(fx, c.conversationId)).some((m) => m.sender_type === 'ai') ? true : undefined), 15_000, 'AI answer');
  expect((await messages(fx, c.conversationId)).filter((m) => m.sender_type === 'ai').map((m) => m.content)).toEqual(['We are open 9-17.']);
  expect((await fx.rows())[0].assignee_id).toBeNull();
  expect((await fx.decisions(c.conversationId)).map((d) => d.kind)).toEqual(expect.arrayContaining(['ai_agent']));

  await fx.inbound('ai-1', 'I want to talk to a human please');
  await eventually(async () => ((await fx.rows())[0].assignee_id === a.userId ? true : undefined), 15_000, 'handed over and assigned');
  const kinds = (await fx.decisions(c.conversationId)).map((d) => d.kind);
  expect(kinds.indexOf('handover')).toBeGreaterThan(-1);
  expect(kinds.indexOf('assigned')).toBeGreaterThan(kinds.indexOf('handover'));
  // The timeline shows it all in order.
  const timeline = await http<{ items: { type: string; kind: string; summary: string }[] }>(stack, 'GET', `/api/v1/conversations/${c.conversationId}/timeline`, undefined, fx.admin.token);
  expect(timeline.status).toBe(200);
  const kindsInTimeline = timeline.body.items.map((i) => i.kind);
  expect(kindsInTimeline.indexOf('handover')).toBeLessThan(kindsInTimeline.lastIndexOf('assigned'));
}, 60_000);
