/**
 * Routing on the real Temporal server and Postgres: round-robin and least load under capacity with
 * concurrent inbound conversations, the waiting queue (VIP first, then oldest), routing rules to a
 * team, search attributes kept current.
 */
import { AssigneeId, ConversationStatus } from '../../workflows/contracts/search-attributes';
import { conversationWorkflowId } from '../../workflows/contracts/conversation.contract';
import { createLifecycleFixture, sleep } from '../support/lifecycle-fixture';
import { eventually, http, startTestStack, type TestStack } from '../support/test-stack';

let stack: TestStack;

beforeAll(async () => {
  stack = await startTestStack({ env: { PRESENCE_HEARTBEAT_TIMEOUT_SECONDS: '3600', LOGIN_MAX_FAILURES: '1000' } });
}, 60_000);

afterAll(async () => {
  await stack?.close();
});

const countBy = (rows: { assignee_id: string | null }[]) => {
  const counts: Record<string, number> = {};
  for (const r of rows) if (r.assignee_id) counts[r.assignee_id] = (counts[r.assignee_id] ?? 0) + 1;
  return counts;
};

test('30 concurrent conversations, 3 agents of capacity 5, round-robin: 5 each, never more, 15 wait; freed seats go to the oldest waiting', async () => {
  const fx = await createLifecycleFixture(stack, { agents: 3, settings: { routing: { distribution: 'round_robin', capacityPerAgent: 5 } } });
  for (const a of fx.agents) await fx.login(a);

  let maxLoad = 0;
  let watching = true;
  const watcher = (async () => {
    while (watching) {
      const counts = countBy(await fx.rows());
      maxLoad = Math.max(maxLoad, ...Object.values(counts), 0);
      await sleep(50);
    }
  })();
  const created = await Promise.all(Array.from({ length: 30 }, (_, i) => fx.inbound(`rr-${i}`, `hello ${i}`)));
  expect(new Set(created.map((c) => c.conversationId)).size).toBe(30);

  // Every conversation was routed: 15 assigned, 15 waiting in the queue.
  await eventually(async () => {
    const rows = await fx.rows();
    return rows.filter((r) => r.assignee_id).length === 15 && rows.filter((r) => r.queued_at).length === 15 ? true : undefined;
  }, 30_000, '15 assigned and 15 queued');
  await sleep(500);
  watching = false;
  await watcher;

  const rows = await fx.rows();
  expect(countBy(rows)).toEqual(Object.fromEntries(fx.agents.map((a) => [a.userId, 5])));
  expect(maxLoad).toBe(5);

  // The explanation: candidates with their loads and capacity, the distribution, the chosen agent.
  const assignedOne = rows.find((r) => r.assignee_id)!;
  const decisions = await fx.decisions(assignedOne.id);
  const assigned = decisions.find((d) => d.kind === 'assigned')!;
  expect(assigned.summary).toMatch(/^assigned to Agent [ABC]: round-robin/);
  expect((assigned.details!.candidates as unknown[]).length).toBe(3);
  expect(assigned.details).toMatchObject({ distribution: 'round_robin', capacityPerAgent: 5 });
  const waitingOne = rows.find((r) => r.queued_at)!;
  expect((await fx.decisions(waitingOne.id)).map((d) => d.kind)).toContain('queued');

  // Agents see the same picture through the API.
  const agentsView = await http<{ waiting: number; agents: { load: number; capacity: number; online: boolean }[] }>(stack, 'GET', `/api/v1/inboxes/${fx.inboxId}/agents`, undefined, fx.admin.token);
  expect(agentsView.body.waiting).toBe(15);
  expect(agentsView.body.agents.map((a) => [a.load, a.capacity, a.online])).toEqual([[5, 5, true], [5, 5, true], [5, 5, true]]);

  // Agent A resolves two: exactly the two oldest waiting conversations go to A.
  const a = fx.agents[0];
  const mine = rows.filter((r) => r.assignee_id === a.userId).slice(0, 2);
  const oldestWaiting = rows.filter((r) => r.queued_at).sort((x, y) => +new Date(x.queued_at!) - +new Date(y.queued_at!) || (x.id < y.id ? -1 : 1)).slice(0, 2).map((r) => r.id);
  for (const m of mine) expect((await http(stack, 'POST', `/api/v1/conversations/${m.id}/resolve`, undefined, a.token)).status).toBe(200);
  await eventually(async () => {
    const now = await fx.rows();
    const got = now.filter((r) => oldestWaiting.includes(r.id) && r.assignee_id === a.userId).length;
    return got === 2 ? true : undefined;
  }, 20_000, 'the two oldest waiting conversations assigned to agent A');
  const after = countBy((await fx.rows()).filter((r) => r.status !== 'resolved'));
  expect(after[a.userId]).toBe(5);
  expect((await fx.rows()).filter((r) => r.queued_at).length).toBe(13);
}, 90_000);

test('least load: the agent with the fewest open conversations gets the next one; ties rotate', async () => {
  const fx = await createLifecycleFixture(stack, { agents: 2, settings: { routing: { distribution: 'least_load', capacityPerAgent: 10 } } });
  const [a, b] = fx.agents;
  await fx.login(a);
  const first = await fx.inbound('ll-1', 'one');
  const second = await fx.inbound('ll-2', 'two');
  await eventually(async () => ((await fx.rows()).filter((r) => r.assignee_id === a.userId).length === 2 ? true : undefined), 15_000, 'A holds both');
  await fx.login(b);
  const third = await fx.inbound('ll-3', 'three');
  const fourth = await fx.inbound('ll-4', 'four');
  await eventually(async () => {
    const rows = await fx.rows();
    return rows.find((r) => r.id === fourth.conversationId)?.assignee_id ? true : undefined;
  }, 15_000, 'fourth assigned');
  const rows = await fx.rows();
  const holder = (id: string) => rows.find((r) => r.id === id)!.assignee_id;
  expect([holder(first.conversationId), holder(second.conversationId)]).toEqual([a.userId, a.userId]);
  expect([holder(third.conversationId), holder(fourth.conversationId)]).toEqual([b.userId, b.userId]);
  // Third and fourth are routed concurrently: whichever came first saw B at 0, the other at 1 (A had 2).
  const summaries = await Promise.all([third, fourth].map(async (c) => (await fx.decisions(c.conversationId)).find((d) => d.kind === 'assigned')!.summary));
  expect(summaries.map((s) => /least load: Agent B has (\d)\/10/.exec(s)?.[1]).sort()).toEqual(['0', '1']);
}, 60_000);

test('VIP contacts jump the queue; waiting conversations are assigned when an agent logs in', async () => {
  const fx = await createLifecycleFixture(stack, { agents: 1, settings: { routing: { capacityPerAgent: 1 } } });
  const [a] = fx.agents;
  const plain1 = await fx.inbound('q-plain-1', 'first');
  const plain2 = await fx.inbound('q-plain-2', 'second');
  const vipContact = await fx.inbound('q-vip', 'hello, VIP here');
  // Make the third contact a VIP, then let it write again (it stays in the queue behind nobody).
  const conv = await fx.sql<{ contact_id: string }>(`select contact_id from conversations where id = ?`, [vipContact.conversationId]);
  expect((await http(stack, 'PATCH', `/api/v1/contacts/${conv[0].contact_id}`, { vip: true }, fx.admin.token)).status).toBe(200);
  await eventually(async () => ((await fx.rows()).filter((r) => r.queued_at).length === 3 ? true : undefined), 15_000, 'three waiting');

  await fx.login(a);
  await eventually(async () => ((await fx.rows()).find((r) => r.id === vipContact.conversationId)?.assignee_id === a.userId ? true : undefined), 15_000, 'VIP assigned first');
  let rows = await fx.rows();
  expect(rows.filter((r) => r.assignee_id).map((r) => r.id)).toEqual([vipContact.conversationId]);
  const decision = (await fx.decisions(vipContact.conversationId)).find((d) => d.kind === 'assigned')!;
  expect(decision.summary).toContain('VIP contact, first in the queue');
  expect(decision.summary).toContain('came online');

  // The VIP search attribute followed the change.
  const handle = stack.temporal.workflow.getHandle(conversationWorkflowId(vipContact.conversationId));
  await eventually(async () => {
    const d = await handle.describe();
    return d.typedSearchAttributes.get(AssigneeId) === a.userId ? true : undefined;
  }, 10_000, 'AssigneeId search attribute');

  // Resolving frees the seat: the oldest plain conversation is next.
  expect((await http(stack, 'POST', `/api/v1/conversations/${vipContact.conversationId}/resolve`, undefined, a.token)).status).toBe(200);
  await eventually(async () => ((await fx.rows()).find((r) => r.id === plain1.conversationId)?.assignee_id === a.userId ? true : undefined), 15_000, 'oldest plain next');
  rows = await fx.rows();
  expect(rows.find((r) => r.id === plain2.conversationId)!.assignee_id).toBeNull();
  await eventually(async () => {
    const d = await handle.describe();
    return d.typedSearchAttributes.get(ConversationStatus) === 'resolved' ? true : undefined;
  }, 10_000, 'ConversationStatus resolved');
}, 60_000);

test('a routing rule sends matching conversations to a team; the decision names the rule and the condition', async () => {
  const fx = await createLifecycleFixture(stack, { agents: 3 });
  const [a, b, c] = fx.agents;
  for (const ag of fx.agents) await fx.login(ag);
  const team = await http<{ id: string }>(stack, 'POST', '/api/v1/teams', { name: `Billing ${Date.now()}` }, fx.admin.token);
  expect(team.status).toBe(201);
  expect((await http(stack, 'PUT', `/api/v1/teams/${team.body.id}/members/${c.userId}`, {}, fx.admin.token)).status).toBeLessThan(300);
  const patch = await http(stack, 'PATCH', `/api/v1/inboxes/${fx.inboxId}`, {
    settings: { routing: { rules: [{ name: 'Refunds', match: 'any', conditions: [{ attribute: 'message.content', operator: 'contains', value: 'refund' }], target: { type: 'team', id: team.body.id } }] } },
  }, fx.admin.token);
  expect(patch.status).toBe(200);

  const refund = await fx.inbound('rule-1', 'I want a REFUND please');
  const other = await fx.inbound('rule-2', 'hello');
  await eventually(async () => {
    const rows = await fx.rows();
    return rows.every((r) => r.assignee_id) ? true : undefined;
  }, 15_000, 'both assigned');
  const rows = await fx.rows();
  expect(rows.find((r) => r.id === refund.conversationId)!.assignee_id).toBe(c.userId);
  expect([a.userId, b.userId, c.userId]).toContain(rows.find((r) => r.id === other.conversationId)!.assignee_id);
  const routing = (await fx.decisions(refund.conversationId)).find((d) => d.kind === 'routing')!;
  expect(routing.summary).toBe(`rule "Refunds" matched: message.content contains "refund" (was "I want a REFUND please") -> team "${(await fx.sql<{ name: string }>('select name from teams where id = ?', [team.body.id]))[0].name}"`);
}, 60_000);

test('a routing rule with nested groups routes by its tree, each group by its own all/any; the decision shows the tree and its trace mirrors it', async () => {
  const fx = await createLifecycleFixture(stack, { agents: 2 });
  const [a, b] = fx.agents;
  for (const ag of fx.agents) await fx.login(ag);
  const teamName = `Refunds ${Date.now()}`;
  const team = await http<{ id: string }>(stack, 'POST', '/api/v1/teams', { name: teamName }, fx.admin.token);
  expect((await http(stack, 'PUT', `/api/v1/teams/${team.body.id}/members/${b.userId}`, {}, fx.admin.token)).status).toBeLessThan(300);
  // refund AND (vip OR (no "cancel" AND api channel)): three levels.
  const conditions = [
    { attribute: 'message.content', operator: 'starts_with', value: 'refund' },
    {
      any: [
        { attribute: 'contact.vip', operator: 'equals', value: true },
        { all: [{ attribute: 'message.content', operator: 'does_not_contain', value: 'cancel' }, { attribute: 'conversation.channel', operator: 'in', value: ['api', 'sms'] }] },
      ],
    },
  ];
  const patch = await http<{ settings: { routing: { rules: { conditions: unknown }[] } } }>(
    stack,
    'PATCH',
    `/api/v1/inboxes/${fx.inboxId}`,
    { settings: { routing: { rules: [{ name: 'Nested refunds', match: 'all', conditions, target: { type: 'team', id: team.body.id } }] } } },
    fx.admin.token,
  );
  expect(patch.status).toBe(200);
  expect(patch.body.settings.routing.rules[0].conditions).toEqual(conditions);

  const hit = await fx.inbound('nested-1', 'Refund for order 7');
  const miss = await fx.inbound('nested-2', 'Refund or cancel, whatever');
  await eventually(async () => ((await fx.rows()).every((r) => r.assignee_id) ? true : undefined), 15_000, 'both assigned');
  const rows = await fx.rows();
  expect(rows.find((r) => r.id === hit.conversationId)!.assignee_id).toBe(b.userId);
  expect([a.userId, b.userId]).toContain(rows.find((r) => r.id === miss.conversationId)!.assignee_id);

  const routing = (await fx.decisions(hit.conversationId)).find((d) => d.kind === 'routing')!;
  expect(routing.summary).toBe(
    `rule "Nested refunds" matched: all of (message.content starts with "refund" (was "Refund for order 7") ✓, any of (contact.vip equals true (was false) ✗, all of (message.content does not contain "cancel" (was "Refund for order 7") ✓, conversation.channel in ["api", "sms"] (was "api") ✓) ✓) ✓) -> team "${teamName}"`,
  );
  const [step] = (routing.details as { trace: { rule: string; matched: boolean; conditions: unknown[] }[] }).trace;
  expect(step).toMatchObject({ rule: 'Nested refunds', matched: true });
  expect(step.conditions[1]).toEqual({
    any: [
      { attribute: 'contact.vip', operator: 'equals', expected: true, actual: false, passed: false },
      {
        all: [
          { attribute: 'message.content', operator: 'does_not_contain', expected: 'cancel', actual: 'Refund for order 7', passed: true },
          { attribute: 'conversation.channel', operator: 'in', expected: ['api', 'sms'], actual: 'api', passed: true },
        ],
        matched: true,
      },
    ],
    matched: true,
  });
  const missed = (await fx.decisions(miss.conversationId)).find((d) => d.kind === 'routing')!;
  expect(missed.summary).toBe('no routing rule matched (1 checked); human agents of the inbox');
  expect((missed.details as { trace: { explanation: string }[] }).trace[0].explanation).toBe(
    'rule "Nested refunds" did not match: all of (message.content starts with "refund" (was "Refund or cancel, whatever") ✓, any of (contact.vip equals true (was false) ✗, all of (message.content does not contain "cancel" (was "Refund or cancel, whatever") ✗, conversation.channel in ["api", "sms"] (was "api") ✓) ✗) ✗)',
  );
}, 60_000);
