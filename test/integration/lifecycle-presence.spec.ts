/**
 * Auto-unassign on logout and session loss (agent-presence workflow) on the real Temporal server,
 * with a grace period of a few seconds.
 */
import { agentPresenceWorkflowId } from '../../workflows/contracts/agent-presence.contract';
import { assignedTo, createLifecycleFixture, sleep, unassignedAt } from '../support/lifecycle-fixture';
import { eventually, http, startTestStack, type TestStack } from '../support/test-stack';

const GRACE = 4;
let stack: TestStack;

beforeAll(async () => {
  stack = await startTestStack({ env: { AUTO_UNASSIGN_MIN_GRACE_SECONDS: '1', PRESENCE_HEARTBEAT_TIMEOUT_SECONDS: '3600', LOGIN_MAX_FAILURES: '1000' } });
}, 60_000);

afterAll(async () => {
  await stack?.close();
});


test('logout: after the grace period the agent loses conversations still new (not open ones), and they go to another agent', async () => {
  const fx = await createLifecycleFixture(stack, { agents: 2, settings: { autoUnassign: { enabled: true, graceSeconds: GRACE }, routing: { capacityPerAgent: 10 } } });
  const [a, b] = fx.agents;
  await fx.login(a);
  const fresh = await fx.inbound('p-new', 'new one');
  const worked = await fx.inbound('p-open', 'open one');
  await assignedTo(fx, fresh.conversationId, a.userId);
  await assignedTo(fx, worked.conversationId, a.userId);
  // A answers one: it is in progress (open) and stays with A.
  expect((await http(stack, 'POST', `/api/v1/conversations/${worked.conversationId}/messages`, { content: 'on it' }, a.token)).status).toBe(201);
  await fx.login(b);

  const loggedOutAt = Date.now();
  await fx.logout(a);
  await assignedTo(fx, fresh.conversationId, b.userId, (GRACE + 10) * 1000);
  const at = await unassignedAt(fx, fresh.conversationId);
  expect(Math.abs(at - loggedOutAt - GRACE * 1000)).toBeLessThanOrEqual(2000);
  expect((await fx.rows()).find((r) => r.id === worked.conversationId)!.assignee_id).toBe(a.userId);

  const decisions = await fx.decisions(fresh.conversationId);
  const unassigned = decisions.find((d) => d.kind === 'unassigned')!;
  expect(unassigned.summary).toMatch(new RegExp(`^unassigned from Agent A: logged out at .* not back within the ${GRACE} s grace period`));
  expect(decisions.filter((d) => d.kind === 'assigned').at(-1)!.summary).toMatch(/^assigned to Agent B/);

  // The presence workflow tells ops what it is doing.
  const state = await stack.temporal.workflow.getHandle(agentPresenceWorkflowId(a.userId)).query<{ online: boolean; offlineReason: string; unassignedInboxes: string[] }>('presenceState');
  expect(state).toMatchObject({ online: false, offlineReason: 'logout', unassignedInboxes: [fx.inboxId] });

  // Still logged out: the conversation is resolved, then the customer writes again: back to new while A is
  // away -> unassigned at once.
  expect((await http(stack, 'POST', `/api/v1/conversations/${worked.conversationId}/resolve`, undefined, fx.admin.token)).status).toBe(200);
  const before = Date.now();
  await fx.inbound('p-open', 'one more question');
  await assignedTo(fx, worked.conversationId, b.userId, 10_000);
  expect(Date.now() - before).toBeLessThan(3000);
  const again = (await fx.decisions(worked.conversationId)).filter((d) => d.kind === 'unassigned').at(-1)!;
  expect(again.summary).toContain('a new message moved it back to new');
}, 60_000);

test('logged out: a customer message moving an open or pending conversation back to new unassigns it at once, within the grace period and after it', async () => {
  const fx = await createLifecycleFixture(stack, { agents: 2, settings: { autoUnassign: { enabled: true, graceSeconds: GRACE }, routing: { capacityPerAgent: 10 } } });
  const [a, b] = fx.agents;
  await fx.login(a);
  const opened = await fx.inbound('mb-open', 'first question');
  const waiting = await fx.inbound('mb-pending', 'second question');
  await assignedTo(fx, opened.conversationId, a.userId);
  await assignedTo(fx, waiting.conversationId, a.userId);
  expect((await http(stack, 'POST', `/api/v1/conversations/${opened.conversationId}/messages`, { content: 'on it' }, a.token)).status).toBe(201);
  expect((await http(stack, 'POST', `/api/v1/conversations/${waiting.conversationId}/messages`, { content: 'your order number?' }, a.token)).status).toBe(201);
  expect((await http(stack, 'POST', `/api/v1/conversations/${waiting.conversationId}/pending`, undefined, a.token)).status).toBe(200);
  await fx.login(b);

  const loggedOutAt = Date.now();
  await fx.logout(a);
  // Within the grace period: the customer writes on A's open conversation -> new -> unassigned at once, B takes it.
  await fx.inbound('mb-open', 'any news?');
  await assignedTo(fx, opened.conversationId, b.userId, 10_000);
  expect((await unassignedAt(fx, opened.conversationId)) - loggedOutAt).toBeLessThan(GRACE * 1000);
  const first = (await fx.decisions(opened.conversationId)).find((d) => d.kind === 'unassigned')!;
  expect(first.summary).toMatch(/^unassigned from Agent A at once: logged out at .* a new message moved it back to new \(it was open\)/);

  // After the grace period: the pending conversation stayed with A (in progress) ...
  await sleep(GRACE * 1000 + 1500);
  expect((await fx.rows()).find((r) => r.id === waiting.conversationId)).toMatchObject({ assignee_id: a.userId, status: 'pending' });
  // ... until the customer answers: back to new, unassigned at once and routed to B.
  const before = Date.now();
  await fx.inbound('mb-pending', '4711');
  await assignedTo(fx, waiting.conversationId, b.userId, 10_000);
  expect(Date.now() - before).toBeLessThan(3000);
  const second = (await fx.decisions(waiting.conversationId)).filter((d) => d.kind === 'unassigned').at(-1)!;
  expect(second.summary).toContain('(it was pending)');
  expect(second.details).toMatchObject({ previousAssigneeId: a.userId, movedBackFrom: 'pending', offlineReason: 'logout' });
}, 60_000);

test('logging in within the grace period cancels the unassign', async () => {
  const fx = await createLifecycleFixture(stack, { agents: 2, settings: { autoUnassign: { enabled: true, graceSeconds: GRACE } } });
  const [a, b] = fx.agents;
  await fx.login(a);
  const c = await fx.inbound('p-cancel', 'hello');
  await assignedTo(fx, c.conversationId, a.userId);
  await fx.login(b);
  await fx.logout(a);
  await sleep((GRACE * 1000) / 2);
  await fx.login(a);
  await sleep(GRACE * 1000 + 2000);
  expect((await fx.rows()).find((r) => r.id === c.conversationId)!.assignee_id).toBe(a.userId);
  expect((await fx.decisions(c.conversationId)).map((d) => d.kind)).not.toContain('unassigned');
}, 60_000);

test('auto-unassign off for the inbox: nothing is unassigned', async () => {
  const fx = await createLifecycleFixture(stack, { agents: 1, settings: { autoUnassign: { enabled: false, graceSeconds: GRACE } } });
  const [a] = fx.agents;
  await fx.login(a);
  const c = await fx.inbound('p-off', 'hello');
  await assignedTo(fx, c.conversationId, a.userId);
  await fx.logout(a);
  await sleep(GRACE * 1000 + 2000);
  expect((await fx.rows()).find((r) => r.id === c.conversationId)!.assignee_id).toBe(a.userId);
}, 30_000);

describe('session loss', () => {
  let lossStack: TestStack;
  beforeAll(async () => {
    lossStack = await startTestStack({ env: { AUTO_UNASSIGN_MIN_GRACE_SECONDS: '1', PRESENCE_HEARTBEAT_TIMEOUT_SECONDS: '2', LOGIN_MAX_FAILURES: '1000' } });
  }, 60_000);
  afterAll(async () => {
    await lossStack?.close();
  });

  test('no heartbeat for the timeout counts as logout; heartbeats keep the agent online', async () => {
    const fx = await createLifecycleFixture(lossStack, { agents: 2, settings: { autoUnassign: { enabled: true, graceSeconds: 2 } } });
    const [a, b] = fx.agents;
    await fx.login(a);
    await fx.login(b);
    let beating = true;
    const beat = (async () => {
      while (beating) {
        await http(lossStack, 'POST', '/api/v1/presence/heartbeat', undefined, b.token);
        await sleep(500);
      }
    })();
    // Route one to each (capacity 1 would be simpler; least load with both online alternates).
    const c1 = await fx.inbound('s-1', 'one');
    const c2 = await fx.inbound('s-2', 'two');
    await eventually(async () => ((await fx.rows()).every((r) => r.assignee_id) ? true : undefined), 10_000, 'both assigned');
    const heldByA = (await fx.rows()).find((r) => r.assignee_id === a.userId)!;
    expect(heldByA).toBeDefined();
    // A sends no heartbeat: session lost after ~2 s, unassigned after 2 s more, and B takes it.
    await assignedTo(fx, heldByA.id, b.userId, 15_000);
    const d = (await fx.decisions(heldByA.id)).find((x) => x.kind === 'unassigned')!;
    expect(d.summary).toContain('session lost (no heartbeat)');
    const presence = await fx.sql<{ online: boolean; offline_reason: string }>(`select online, offline_reason from agent_presence where user_id = ?`, [a.userId]);
    expect(presence[0]).toEqual({ online: false, offline_reason: 'session_lost' });
    const bPresence = await fx.sql<{ online: boolean }>(`select online from agent_presence where user_id = ?`, [b.userId]);
    expect(bPresence[0].online).toBe(true);
    beating = false;
    await beat;

    // A heartbeat brings A back: online again, and it says so.
    const back = await http<{ online: boolean; resumed: boolean }>(lossStack, 'POST', '/api/v1/presence/heartbeat', undefined, a.token);
    expect(back.status).toBe(200);
    expect(back.body).toMatchObject({ online: true, resumed: true });
    expect([c1.conversationId, c2.conversationId]).toContain(heldByA.id);
  }, 60_000);
});
