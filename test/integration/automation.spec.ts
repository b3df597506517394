/**
 * Automation rules end to end on the real services: rules in order with "stop processing", a
 * time-based rule cancelled by the event that breaks it, an escalation that fires once per wait, and
 * the loop guard. Rules go straight into their table here (the rules API has its own tests).
 */
import { EntityManager } from '@mikro-orm/postgresql';
import { conversationWorkflowId } from '../../workflows/contracts/conversation.contract';
import { ConversationStatus } from '../../workflows/contracts/search-attributes';
import { conversationRow, decisionsOf, firings, insertRule, statusChangedAt, tagsOf } from '../support/automation';
import { createLifecycleFixture, sleep, type LifecycleFixture } from '../support/lifecycle-fixture';
import { eventually, http, startTestStack, type TestStack } from '../support/test-stack';

let stack: TestStack;
/** Firings per conversation and hour (no other test here comes near it). */
const BUDGET = 20;

beforeAll(async () => {
  stack = await startTestStack({
    env: { AUTOMATION_MIN_DURATION_SECONDS: '1', AUTO_UNASSIGN_MIN_GRACE_SECONDS: '1', LOGIN_MAX_FAILURES: '1000', AUTOMATION_MAX_CHAIN_DEPTH: '5', AUTOMATION_MAX_FIRINGS_PER_HOUR: String(BUDGET) },
  });
}, 120_000);

afterAll(async () => {
  await stack?.close();
});

const seconds = (s: number) => s / 60;

async function team(fx: LifecycleFixture, name: string, members: string[]): Promise<string> {
  const created = await http<{ id: string }>(stack, 'POST', '/api/v1/teams', { name }, fx.admin.token);
  expect(created.status).toBe(201);
  for (const userId of members) expect((await http(stack, 'PUT', `/api/v1/teams/${created.body.id}/members/${userId}`, undefined, fx.admin.token)).status).toBe(200);
  return created.body.id;
}

/** The events of the conversation all ran through the rules (nothing left unprocessed). */
const settled = (conversationId: string) =>
  eventually(
    async () => {
      const [row] = await stack.api.get(EntityManager).fork().execute<{ n: string }[]>(`select count(*) as n from conversation_events where conversation_id = ? and processed_at is null`, [conversationId]);
      return Number(row.n) === 0 ? true : undefined;
    },
    15_000,
    `events of ${conversationId} processed`,
  );

describe('rules in order', () => {
  test('VIP refund: only the first rule (tag, priority, team, stop); a non-VIP refund: only the second; order swapped: both', async () => {
    const fx = await createLifecycleFixture(stack, { agents: 2, settings: { routing: { capacityPerAgent: 10 } } });
    const [a, b] = fx.agents;
    await fx.login(a);
    await fx.login(b);
    const billing = await team(fx, 'Billing', [b.userId]);
    const vipRefund = await insertRule(stack, {
      accountId: fx.admin.accountId,
      name: 'VIP refunds',
      position: 0,
      stopProcessing: true,
      trigger: { event: 'message_received' },
      conditions: { all: [{ attribute: 'message.content', operator: 'contains', value: 'refund' }, { attribute: 'contact.vip', operator: 'equals', value: true }] },
      actions: [{ type: 'add_tag', tag: 'refund-vip' }, { type: 'set_priority', priority: 3 }, { type: 'assign_team', teamId: billing }],
    });
    const refund = await insertRule(stack, {
      accountId: fx.admin.accountId,
      name: 'Refunds',
      position: 1,
      trigger: { event: 'message_received' },
      conditions: { all: [{ attribute: 'message.content', operator: 'contains', value: 'refund' }] },
      actions: [{ type: 'add_tag', tag: 'refund' }],
    });

    // A VIP: the contact exists after a first message, then becomes VIP.
    const hello = await fx.inbound('vip-1', 'Hello there');
    await settled(hello.conversationId);
    const contact = (await fx.sql<{ contact_id: string }>(`select contact_id from conversations where id = ?`, [hello.conversationId]))[0].contact_id;
    expect((await http(stack, 'PATCH', `/api/v1/contacts/${contact}`, { vip: true }, fx.admin.token)).status).toBe(200);
    await fx.inbound('vip-1', 'I want a REFUND please');
    await settled(hello.conversationId);
    await eventually(async () => ((await conversationRow(stack, hello.conversationId)).assignee_id === b.userId ? true : undefined), 15_000, 'assigned to Billing');
    expect(await tagsOf(stack, hello.conversationId)).toEqual(['refund-vip']);
    expect((await conversationRow(stack, hello.conversationId)).priority).toBe(3);
    const fired = (await decisionsOf(stack, hello.conversationId, 'automation')).map((d) => d.summary);
    expect(fired).toHaveLength(1);
    expect(fired[0]).toMatch(/^rule "VIP refunds" \(v1\) fired on message received: all of \(message\.content contains "refund"/);
    // The second rule was not evaluated: the first stops later rules (the run says so).
    const runs = await fx.sql<{ evaluations: { ruleId: string; skipped?: string; matched: boolean }[] }>(
      `select r.evaluations from automation_runs r join conversation_events e on e.id = r.event_id where e.conversation_id = ? and e.type = 'message_received' order by r.id desc limit 1`,
      [hello.conversationId],
    );
    expect(runs[0].evaluations).toEqual([
      expect.objectContaining({ ruleId: vipRefund, matched: true, fired: true }),
      expect.objectContaining({ ruleId: refund, matched: false, skipped: 'rule "VIP refunds" fired before and stops later rules' }),
    ]);

    // The workflow history holds every evaluation too (the automation step's results), values included.
    const history = await eventually(async () => {
      const h = await stack.temporal.workflow.getHandle(conversationWorkflowId(hello.conversationId)).fetchHistory();
      const results = (h.events ?? []).flatMap((e) => Object.values(e.markerRecordedEventAttributes?.details ?? {}).flatMap((d) => (d.payloads ?? []).map((p) => Buffer.from(p.data ?? []).toString())));
      return results.some((r) => r.includes('"skipped":"rule \\"VIP refunds\\" fired before and stops later rules"')) ? results : undefined;
    }, 10_000, 'the evaluations in the history');
    expect(history.some((r) => r.includes('message.content contains \\"refund\\" (was \\"I want a REFUND please\\")'))).toBe(true);

    const plain = await fx.inbound('plain-1', 'refund for order 42?');
    await settled(plain.conversationId);
    expect(await tagsOf(stack, plain.conversationId)).toEqual(['refund']);
    expect((await conversationRow(stack, plain.conversationId)).priority).toBe(0);

    // The other order, through the rules API: "Refunds" first (it does not stop), then "VIP refunds".
    const moved = await http<{ items: { id: string; position: number }[] }>(stack, 'POST', `/api/v1/automation-rules/${refund}/move`, { position: 0 }, fx.admin.token);
    expect(moved.status).toBe(200);
    expect(moved.body.items.map((r) => r.id)).toEqual([refund, vipRefund]);
    const hello2 = await fx.inbound('vip-2', 'Hi');
    await settled(hello2.conversationId);
    const contact2 = (await fx.sql<{ contact_id: string }>(`select contact_id from conversations where id = ?`, [hello2.conversationId]))[0].contact_id;
    await http(stack, 'PATCH', `/api/v1/contacts/${contact2}`, { vip: true }, fx.admin.token);
    await fx.inbound('vip-2', 'refund now');
    await settled(hello2.conversationId);
    expect(await tagsOf(stack, hello2.conversationId)).toEqual(['refund', 'refund-vip']);
  }, 90_000);
});

describe('time-based rules', () => {
  test('"pending for 10 s -> resolve": resolved 10 s after it went pending; a customer message at 5 s cancels it', async () => {
    const fx = await createLifecycleFixture(stack, { agents: 1, settings: { routing: { capacityPerAgent: 10 } } });
    const [agent] = fx.agents;
    const token = await fx.login(agent);
    await insertRule(stack, {
      accountId: fx.admin.accountId,
      inboxId: fx.inboxId,
      name: 'Close stale pending',
      trigger: { event: 'in_status', status: 'pending', minutes: seconds(10) },
      actions: [{ type: 'set_status', status: 'resolved' }],
    });
    const start = async (source: string) => {
      const c = await fx.inbound(source, 'where is my parcel?');
      await eventually(async () => ((await conversationRow(stack, c.conversationId)).assignee_id ? true : undefined), 15_000, 'assigned');
      expect((await http(stack, 'POST', `/api/v1/conversations/${c.conversationId}/messages`, { content: 'It left today; tell us if it does not arrive.' }, token)).status).toBe(201);
      expect((await http(stack, 'POST', `/api/v1/conversations/${c.conversationId}/pending`, undefined, token)).status).toBe(200);
      return c.conversationId;
    };
    const [stays, answered] = await Promise.all([start('pending-1'), start('pending-2')]);
    await sleep(5000);
    await fx.inbound('pending-2', 'It has not arrived yet');

    const pendingAt = (await statusChangedAt(stack, stays, 'pending'))!;
    const resolvedAt = await eventually(async () => (await statusChangedAt(stack, stays, 'resolved')) ?? undefined, 20_000, 'resolved by the rule');
    expect(resolvedAt - pendingAt).toBeGreaterThanOrEqual(10_000);
    expect(resolvedAt - pendingAt).toBeLessThan(11_000);
    expect((await conversationRow(stack, stays)).status).toBe('resolved');

    await sleep(Math.max(0, pendingAt + 12_000 - Date.now()));
    expect((await conversationRow(stack, answered)).status).toBe('new');
    expect(await firings(stack, answered)).toEqual([]);
    const decision = (await decisionsOf(stack, stays, 'automation'))[0];
    expect(decision.summary).toMatch(/^rule "Close stale pending" \(v1\) fired on in status for 10 s \(pending\) since /);
  }, 90_000);

  test('"agent unresponsive 5 s -> unassign, tag escalated": once per wait, not on every later message', async () => {
    const fx = await createLifecycleFixture(stack, { agents: 1, settings: { routing: { capacityPerAgent: 10 } } });
    const [agent] = fx.agents;
    await fx.login(agent);
    await insertRule(stack, {
      accountId: fx.admin.accountId,
      inboxId: fx.inboxId,
      name: 'Escalate unanswered',
      trigger: { event: 'agent_unresponsive', minutes: seconds(5) },
      actions: [{ type: 'unassign' }, { type: 'add_tag', tag: 'escalated' }],
    });
    const c = await fx.inbound('waiting-1', 'Hello? Anyone?');
    const writtenAt = Date.now();
    await eventually(async () => ((await conversationRow(stack, c.conversationId)).assignee_id === agent.userId ? true : undefined), 15_000, 'assigned');
    await eventually(async () => ((await tagsOf(stack, c.conversationId)).includes('escalated') ? true : undefined), 15_000, 'escalated');
    const [fired] = await firings(stack, c.conversationId);
    expect(new Date(fired.created_at).getTime() - writtenAt).toBeGreaterThanOrEqual(4_500);
    expect(fired.outcomes?.map((o) => o.outcome)).toEqual(['done', 'done']);
    // The customer writes twice more while still waiting: the same wait, no second escalation.
    await fx.inbound('waiting-1', 'Still waiting');
    await sleep(1500);
    await fx.inbound('waiting-1', 'Hello??');
    await sleep(7000);
    expect(await firings(stack, c.conversationId)).toHaveLength(1);
  }, 90_000);
});

describe("a rule's own changes", () => {
  test('a rule resolves: the seat, the CSAT survey and the search attributes follow in the same workflow task, without a signal to itself', async () => {
    const fx = await createLifecycleFixture(stack, { agents: 1, settings: { routing: { capacityPerAgent: 1 }, csat: { enabled: true, delaySeconds: 3600 } } });
    const [agent] = fx.agents;
    await fx.login(agent);
    await insertRule(stack, {
      accountId: fx.admin.accountId,
      inboxId: fx.inboxId,
      name: 'Thanks closes',
      trigger: { event: 'message_received' },
      conditions: { all: [{ attribute: 'message.content', operator: 'contains', value: 'thanks, solved' }] },
      actions: [{ type: 'set_status', status: 'resolved' }],
    });
    const first = await fx.inbound('own-1', 'my parcel is late');
    await eventually(async () => ((await conversationRow(stack, first.conversationId)).assignee_id === agent.userId ? true : undefined), 15_000, 'first assigned');
    // The agent is full (capacity 1): the second conversation waits in the queue.
    const second = await fx.inbound('own-2', 'me too');
    await settled(second.conversationId);
    expect((await conversationRow(stack, second.conversationId)).assignee_id).toBeNull();

    await fx.inbound('own-1', 'thanks, solved!');
    await eventually(async () => ((await conversationRow(stack, first.conversationId)).status === 'resolved' ? true : undefined), 15_000, 'resolved by the rule');
    // The freed seat went to the waiting conversation, the survey was scheduled, the search attribute follows.
    await eventually(async () => ((await conversationRow(stack, second.conversationId)).assignee_id === agent.userId ? true : undefined), 15_000, 'the queued one took the seat');
    await eventually(async () => ((await decisionsOf(stack, first.conversationId, 'csat_scheduled')).length === 1 ? true : undefined), 10_000, 'CSAT scheduled');
    const handle = stack.temporal.workflow.getHandle(conversationWorkflowId(first.conversationId));
    await eventually(async () => ((await handle.describe()).typedSearchAttributes.get(ConversationStatus) === 'resolved' ? true : undefined), 10_000, 'status search attribute');
    // Two signals: the two inbound messages. The rule's resolve told its workflow through the pass's answer.
    const signals = ((await handle.fetchHistory()).events ?? []).filter((e) => e.workflowExecutionSignaledEventAttributes).map((e) => e.workflowExecutionSignaledEventAttributes!.signalName);
    expect(signals).toEqual(['inboundMessage', 'inboundMessage']);
  }, 90_000);
});

describe('time-based rules of many conversations', () => {
  test('conversations whose spans start at the same instant each fire (a timer is per conversation)', async () => {
    const fx = await createLifecycleFixture(stack, { agents: 0 });
    await insertRule(stack, { accountId: fx.admin.accountId, name: 'Idle 3 s', trigger: { event: 'conversation_idle', minutes: seconds(3) }, actions: [{ type: 'add_tag', tag: 'idle' }] });
    const ids = [];
    for (const source of ['same-1', 'same-2', 'same-3']) ids.push((await fx.inbound(source, 'hello')).conversationId);
    for (const id of ids) await settled(id);
    // The same instant for every last message; a change makes each workflow plan its timer again.
    await fx.sql(`update messages set created_at = date_trunc('second', clock_timestamp()) where conversation_id in (?, ?, ?)`, ids);
    for (const id of ids) await http(stack, 'POST', `/api/v1/conversations/${id}/tags`, { tags: ['replanned'] }, fx.admin.token);
    for (const id of ids) await eventually(async () => ((await tagsOf(stack, id)).includes('idle') ? true : undefined), 15_000, `${id} idle`);
  }, 60_000);
});

describe('loop guard', () => {
  test('two chaining rules that re-trigger each other stop at the depth limit with one guard decision naming both', async () => {
    const fx = await createLifecycleFixture(stack, { agents: 0 });
    await insertRule(stack, {
      accountId: fx.admin.accountId,
      name: 'A: x makes y',
      position: 0,
      allowChaining: true,
      trigger: { event: 'tag_added', tags: ['x'] },
      actions: [{ type: 'add_tag', tag: 'y' }, { type: 'remove_tag', tag: 'x' }],
    });
    await insertRule(stack, {
      accountId: fx.admin.accountId,
      name: 'B: y makes x',
      position: 1,
      allowChaining: true,
      trigger: { event: 'tag_added', tags: ['y'] },
      actions: [{ type: 'add_tag', tag: 'x' }, { type: 'remove_tag', tag: 'y' }],
    });
    const c = await fx.inbound('loop-1', 'hi');
    await settled(c.conversationId);
    expect((await http(stack, 'POST', `/api/v1/conversations/${c.conversationId}/tags`, { tags: ['x'] }, fx.admin.token)).status).toBe(200);
    const guards = await eventually(async () => {
      const g = await decisionsOf(stack, c.conversationId, 'automation_guard');
      return g.length ? g : undefined;
    }, 15_000, 'the guard');
    await settled(c.conversationId);
    await sleep(500);
    expect(await decisionsOf(stack, c.conversationId, 'automation_guard')).toHaveLength(1);
    expect(guards[0].summary).toMatch(/^loop guard: rules caused a chain of 6 events \(limit 5, AUTOMATION_MAX_CHAIN_DEPTH\): "A: x makes y" -> "B: y makes x" -> "A: x makes y" -> "B: y makes x" -> "A: x makes y"/);
    expect(guards[0].details).toMatchObject({ rules: ['A: x makes y', 'B: y makes x'] });
    // The person's tag (depth 0) and five rule-caused levels fire (depths 0-5); the sixth level is refused.
    expect(await firings(stack, c.conversationId)).toHaveLength(6);
  }, 60_000);

  test('a rule that does not allow chaining ignores events caused by other rules', async () => {
    const fx = await createLifecycleFixture(stack, { agents: 0 });
    await insertRule(stack, { accountId: fx.admin.accountId, name: 'tag vip', position: 0, trigger: { event: 'message_received' }, actions: [{ type: 'add_tag', tag: 'seen' }] });
    await insertRule(stack, { accountId: fx.admin.accountId, name: 'on seen', position: 1, trigger: { event: 'tag_added', tags: ['seen'] }, actions: [{ type: 'set_priority', priority: 2 }] });
    const c = await fx.inbound('chain-off', 'hello');
    await settled(c.conversationId);
    await eventually(async () => ((await tagsOf(stack, c.conversationId)).includes('seen') ? true : undefined), 10_000, 'tagged');
    await settled(c.conversationId);
    expect((await conversationRow(stack, c.conversationId)).priority).toBe(0);
    const [run] = await fx.sql<{ evaluations: { name: string; skipped?: string }[] }>(
      `select r.evaluations from automation_runs r join conversation_events e on e.id = r.event_id where e.conversation_id = ? and e.type = 'tag_added'`,
      [c.conversationId],
    );
    expect(run.evaluations).toEqual([expect.objectContaining({ name: 'on seen', skipped: 'the event was caused by a rule, and this rule does not allow chaining' })]);
    // The same tag added by a person does trigger it.
    await http(stack, 'DELETE', `/api/v1/conversations/${c.conversationId}/tags/seen`, undefined, fx.admin.token);
    await http(stack, 'POST', `/api/v1/conversations/${c.conversationId}/tags`, { tags: ['seen'] }, fx.admin.token);
    await eventually(async () => ((await conversationRow(stack, c.conversationId)).priority === 2 ? true : undefined), 10_000, 'priority by the person-triggered rule');
  }, 60_000);

  test('the hourly budget: two rules fire on each message until the conversation had BUDGET firings; then nothing fires, with one guard decision naming them', async () => {
    const fx = await createLifecycleFixture(stack, { agents: 0 });
    for (const [position, tag] of ['one', 'two'].entries()) {
      await insertRule(stack, { accountId: fx.admin.accountId, name: `tag ${tag}`, position, trigger: { event: 'message_received' }, actions: [{ type: 'add_tag', tag }] });
    }
    let conversationId = '';
    for (let i = 0; i < BUDGET / 2 + 2; i++) {
      conversationId = (await fx.inbound('budget-1', `message ${i}`)).conversationId;
      await settled(conversationId);
    }
    const all = await firings(stack, conversationId);
    expect(all).toHaveLength(BUDGET);
    expect(all.every((f) => f.status === 'done')).toBe(true);
    expect(new Set(all.map((f) => f.key)).size).toBe(BUDGET);
    const guards = await decisionsOf(stack, conversationId, 'automation_guard');
    expect(guards).toHaveLength(1);
    expect(guards[0].summary).toMatch(new RegExp(`^loop guard: ${BUDGET} rule firings on this conversation in the last hour \\(limit ${BUDGET}, AUTOMATION_MAX_FIRINGS_PER_HOUR\\); nothing more fires for now: `));
    expect(guards[0].details).toMatchObject({ limit: 'hourly_budget', firings: BUDGET, rules: expect.arrayContaining(['tag one', 'tag two']) });
    // Each firing has its decision; the messages past the budget were evaluated, both rules skipped by the guard.
    expect(await decisionsOf(stack, conversationId, 'automation')).toHaveLength(BUDGET);
    const runs = await fx.sql<{ evaluations: { name: string; matched: boolean; skipped?: string; fired?: boolean }[] }>(
      `select r.evaluations from automation_runs r join conversation_events e on e.id = r.event_id where e.conversation_id = ? and e.type = 'message_received' order by e.id`,
      [conversationId],
    );
    expect(runs).toHaveLength(BUDGET / 2 + 2);
    for (const run of runs.slice(0, BUDGET / 2)) expect(run.evaluations.map((e) => [e.name, e.fired === true])).toEqual([['tag one', true], ['tag two', true]]);
    for (const run of runs.slice(BUDGET / 2)) {
      expect(run.evaluations.map((e) => [e.name, e.fired === true, e.skipped?.startsWith(`loop guard: ${BUDGET} rule firings`)])).toEqual([['tag one', false, true], ['tag two', false, true]]);
    }
  }, 90_000);
});
