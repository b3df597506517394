/**
 * conversation:<id> on the real dev server with mocked activities: the order of the automatic steps,
 * the CSAT timer (scheduled, sent once at its time, cancelled by a reopen), the queue drain on a freed
 * seat, and continue-as-new carrying the messages not yet handled.
 */
import { randomUUID } from 'node:crypto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { type RunningTemporal, startTemporalDevServerOnFreePort } from '../../src/local-stack/temporal-dev-server';
import {
  conversationChangedSignal,
  type ConversationSnapshot,
  conversationStateQuery,
  type ConversationWorkflow,
  conversationWorkflowId,
  conversationWorkflowType,
  inboundMessageSignal,
  type InboundMessageSignal,
} from '../../workflows/contracts/conversation.contract';
import { freePort } from '../../src/local-stack/free-port';
import { recordingActivities, sleep, until, withWorker, workflowEnv } from './workflow-env';

const snapshotOf = (over: Partial<ConversationSnapshot> = {}): ConversationSnapshot => ({
  exists: true,
  inboxId: 'inbox-1',
  channel: 'api',
  status: 'new',
  assigneeId: null,
  vip: false,
  handler: 'human',
  resolvedAt: null,
  csat: { enabled: true, delaySeconds: 2 },
  ...over,
});

/** Mocked conversation activities whose view of the conversation is `world.snapshot`. */
function conversationActivities(world: { snapshot: ConversationSnapshot; routeDelayMs?: number; automationDueAt?: (number | null)[]; ruleChanges?: Partial<ConversationSnapshot>[] }) {
  const recorded = stepActivities(world);
  // The inbound steps in one activity (INBOUND_STEPS_PATCH) run the three steps' mocks, recorded by their names.
  const steps = recorded.activities as Record<string, (input: unknown) => Promise<unknown>>;
  recorded.activities.inboundSteps = async (input: never) => {
    const { conversationId, messageId, welcome } = input as { conversationId: string; messageId: string; welcome: boolean };
    recorded.calls.push({ name: 'inboundSteps', input, at: Date.now() });
    const sent = welcome ? await steps.sendWelcomeMessage({ conversationId, triggeredByMessageId: messageId }) : null;
    const outOfOffice = await steps.replyOutOfOffice({ conversationId, messageId });
    const routed = await steps.routeConversation({ conversationId, messageId });
    return { welcome: sent, outOfOffice, routed };
  };
  return recorded;
}

function stepActivities(world: { snapshot: ConversationSnapshot; routeDelayMs?: number; automationDueAt?: (number | null)[]; ruleChanges?: Partial<ConversationSnapshot>[] }) {
  return recordingActivities({
    sendWelcomeMessage: () => ({ sent: true, reason: 'sent' }),
    replyOutOfOffice: () => ({ sent: false, reason: 'inside business hours' }),
    routeConversation: async () => {
      if (world.routeDelayMs) await sleep(world.routeDelayMs);
      world.snapshot = { ...world.snapshot, status: world.snapshot.status, assigneeId: world.snapshot.assigneeId ?? 'agent-1' };
      return { outcome: 'assigned', assigneeId: world.snapshot.assigneeId, decisions: [], snapshot: world.snapshot };
    },
    aiAgentReply: () => ({ handedOver: true, reason: 'no model in this test' }),
    describeConversation: () => world.snapshot,
    drainQueue: () => ({ assigned: [], stillWaiting: 0 }),
    sendCsatSurvey: () => ({ sent: true, surveyId: 'survey-1' }),
    recordDecision: (input: { conversationId: string; kind: string; summary: string }) => ({ id: randomUUID(), ...input, details: null, at: new Date().toISOString() }),
    runAutomation: (input: { known?: Partial<ConversationSnapshot> }) => {
      const nextDueAt = world.automationDueAt?.shift() ?? null;
      // A rule's action changes the conversation (as the real pass's actions do, in Postgres).
      const change = world.ruleChanges?.shift();
      if (change) world.snapshot = { ...world.snapshot, ...change };
      const known = input.known;
      const changed = known ? (['exists', 'status', 'assigneeId', 'inboxId', 'vip', 'resolvedAt'] as const).some((k) => known[k] !== world.snapshot[k]) : undefined;
      return { events: 0, runs: [], fired: [], guards: [], nextDueAt, ...(changed === undefined ? {} : { changed }) };
    },
  });
}

async function startConversation(env: TestWorkflowEnvironment, taskQueue: string, conversationId: string, messageId: string) {
  return env.client.workflow.signalWithStart<ConversationWorkflow, [InboundMessageSignal]>(conversationWorkflowType, {
    workflowId: conversationWorkflowId(conversationId),
    taskQueue,
    args: [{ conversationId, inboxId: 'inbox-1', channel: 'api' }],
    signal: inboundMessageSignal,
    signalArgs: [{ messageId }],
  });
}

describe('conversation workflow', () => {
  let env: TestWorkflowEnvironment;
  beforeAll(async () => {
    env = await workflowEnv();
  });
  afterAll(async () => {
    await env?.teardown();
  });

  test('each inbound message runs welcome (once), out-of-office and routing, in the order they came', async () => {
    const world = { snapshot: snapshotOf() };
    const { activities, calls, named } = conversationActivities(world);
    await withWorker(env, 'conversations', activities, async (taskQueue) => {
      const conversationId = randomUUID();
      const handle = await startConversation(env, taskQueue, conversationId, 'm1');
      await handle.signal(inboundMessageSignal, { messageId: 'm2' });
      await handle.signal(inboundMessageSignal, { messageId: 'm3' });
      await until(async () => ((await handle.query(conversationStateQuery)).inboundHandled === 3 ? true : undefined), 10_000, 'three messages handled');
      expect(named('sendWelcomeMessage')).toHaveLength(1);
      expect(named<{ messageId: string }>('replyOutOfOffice').map((c) => c.input.messageId)).toEqual(['m1', 'm2', 'm3']);
      expect(named<{ messageId: string }>('routeConversation').map((c) => c.input.messageId)).toEqual(['m1', 'm2', 'm3']);
      // Per message: out-of-office before routing.
      const steps = calls.filter((c) => c.name === 'replyOutOfOffice' || c.name === 'routeConversation').map((c) => c.name);
      expect(steps).toEqual(['replyOutOfOffice', 'routeConversation', 'replyOutOfOffice', 'routeConversation', 'replyOutOfOffice', 'routeConversation']);
      await handle.terminate('test done');
    });
  });

  test('a fresh run records one patch marker (CONVERSATION_SHAPE_PATCH) and takes every patch of its shape: one change-version upsert, not one per patch', async () => {
    const world = { snapshot: snapshotOf() };
    const { activities, named } = conversationActivities(world);
    await withWorker(env, 'conversations', activities, async (taskQueue) => {
      const handle = await startConversation(env, taskQueue, randomUUID(), 'm1');
      await until(async () => ((await handle.query(conversationStateQuery)).inboundHandled === 1 && named('runAutomation').length === 1 ? true : undefined), 10_000, 'message handled');
      const history = await handle.fetchHistory();
      const events = history.events ?? [];
      const markers = events.filter((e) => e.markerRecordedEventAttributes).map((e) => e.markerRecordedEventAttributes!.markerName);
      expect(markers.filter((m) => m === 'core_patch')).toHaveLength(1);
      // The patched steps ran: one inbound-steps activity (INBOUND_STEPS_PATCH), the pass with its compact form and `known`.
      expect(named('inboundSteps')).toHaveLength(1);
      expect(named('sendWelcomeMessage')).toHaveLength(1);
      expect(named<{ compact?: boolean; known?: unknown }>('runAutomation')[0].input).toMatchObject({ compact: true, known: expect.anything() });
      // Upserts: the shape's change version and the conversation's own search attributes.
      expect(events.filter((e) => e.upsertWorkflowSearchAttributesEventAttributes)).toHaveLength(2);
      await handle.terminate('test done');
    });
  });

  test('a resolution schedules the CSAT survey after the inbox delay: one survey, at its time, and a freed seat drains the queue', async () => {
    const world = { snapshot: snapshotOf() };
    const { activities, named } = conversationActivities(world);
    await withWorker(env, 'conversations', activities, async (taskQueue) => {
      const conversationId = randomUUID();
      const handle = await startConversation(env, taskQueue, conversationId, 'm1');
      await until(async () => ((await handle.query(conversationStateQuery)).inboundHandled === 1 ? true : undefined));

      const resolvedAt = new Date().toISOString();
      world.snapshot = { ...world.snapshot, status: 'resolved', resolvedAt };
      await handle.signal(conversationChangedSignal, { reason: 'resolved by an agent' });

      const scheduled = await until(() => named<{ kind: string; summary: string }>('recordDecision').find((c) => c.input.kind === 'csat_scheduled'));
      expect(scheduled.input.summary).toContain('2 s after the resolution');
      // agent-1 held it while it was new: the seat is free again.
      await until(() => named('drainQueue')[0]);
      expect(named<{ inboxId: string; except: string }>('drainQueue')[0].input).toMatchObject({ inboxId: 'inbox-1', except: conversationId });
      expect((await handle.query(conversationStateQuery)).csat).toEqual({ resolutionKey: resolvedAt, dueAt: Date.parse(resolvedAt) + 2000 });

      const sent = await until(() => named<{ resolutionKey: string }>('sendCsatSurvey')[0], 10_000, 'the survey');
      expect(sent.input.resolutionKey).toBe(resolvedAt);
      expect(sent.at).toBeGreaterThanOrEqual(Date.parse(resolvedAt) + 2000);
      expect(sent.at).toBeLessThan(Date.parse(resolvedAt) + 2000 + 1500);

      // Another change of the same resolution (e.g. a tag) schedules nothing new.
      await handle.signal(conversationChangedSignal, { reason: 'tagged' });
      await sleep(2500);
      expect(named('sendCsatSurvey')).toHaveLength(1);
      expect(named<{ kind: string }>('recordDecision').filter((c) => c.input.kind === 'csat_scheduled')).toHaveLength(1);
      expect((await handle.query(conversationStateQuery)).csat).toBeNull();
      await handle.terminate('test done');
    });
  });

  test('a reopen before the survey is due cancels it: no survey, a csat_cancelled decision', async () => {
    const world = { snapshot: snapshotOf({ csat: { enabled: true, delaySeconds: 3 } }) };
    const { activities, named } = conversationActivities(world);
    await withWorker(env, 'conversations', activities, async (taskQueue) => {
      const handle = await startConversation(env, taskQueue, randomUUID(), 'm1');
      await until(async () => ((await handle.query(conversationStateQuery)).inboundHandled === 1 ? true : undefined));
      world.snapshot = { ...world.snapshot, status: 'resolved', resolvedAt: new Date().toISOString() };
      await handle.signal(conversationChangedSignal, { reason: 'resolved' });
      await until(() => named<{ kind: string }>('recordDecision').find((c) => c.input.kind === 'csat_scheduled'));

      await sleep(1000);
      world.snapshot = { ...world.snapshot, status: 'new', resolvedAt: null };
      await handle.signal(conversationChangedSignal, { reason: 'reopened by a customer message' });
      const cancelled = await until(() => named<{ kind: string; summary: string }>('recordDecision').find((c) => c.input.kind === 'csat_cancelled'));
      expect(cancelled.input.summary).toContain('new again');

      await sleep(3000); // past the original due time
      expect(named('sendCsatSurvey')).toEqual([]);
      expect((await handle.query(conversationStateQuery)).csat).toBeNull();
      await handle.terminate('test done');
    });
  });

  test("a rule's own resolve: the pass answers changed, the workflow re-reads the conversation in the same task (seat, CSAT), no signal", async () => {
    const world = { snapshot: snapshotOf({ csat: { enabled: true, delaySeconds: 3600 } }), ruleChanges: [{ status: 'resolved', resolvedAt: new Date().toISOString() }] as Partial<ConversationSnapshot>[] };
    const { activities, calls, named } = conversationActivities(world);
    await withWorker(env, 'conversations', activities, async (taskQueue) => {
      const handle = await startConversation(env, taskQueue, randomUUID(), 'm1');
      const scheduled = await until(() => named<{ kind: string }>('recordDecision').find((c) => c.input.kind === 'csat_scheduled'), 5000, 'the survey scheduled');
      expect(scheduled).toBeDefined();
      // runAutomation was told the snapshot (assigned, new), answered changed; then describe, then the freed seat.
      const order = calls.map((c) => c.name);
      const pass = order.indexOf('runAutomation');
      expect(order.slice(pass, pass + 3)).toEqual(['runAutomation', 'describeConversation', 'drainQueue']);
      expect(named<{ known: Partial<ConversationSnapshot> }>('runAutomation')[0].input.known).toMatchObject({ status: 'new', assigneeId: 'agent-1', resolvedAt: null });
      expect((await handle.query(conversationStateQuery)).snapshot?.status).toBe('resolved');
      const history = await handle.fetchHistory();
      expect((history.events ?? []).filter((e) => e.workflowExecutionSignaledEventAttributes).length).toBe(1);
      await handle.terminate('test done');
    });
  });

  test('automation runs after each lifecycle step, and again on a timer when a time-based rule is due', async () => {
    const dueIn = 1500;
    const world = { snapshot: snapshotOf(), automationDueAt: [] as (number | null)[] };
    const { activities, calls, named } = conversationActivities(world);
    await withWorker(env, 'conversations', activities, async (taskQueue) => {
      const conversationId = randomUUID();
      const started = Date.now();
      world.automationDueAt.push(started + dueIn, null);
      const handle = await startConversation(env, taskQueue, conversationId, 'm1');
      await until(() => named('runAutomation')[0], 5000, 'the automation step after the first message');
      // After the message's lifecycle steps (routing), not before.
      const order = calls.map((c) => c.name);
      expect(order.indexOf('runAutomation')).toBeGreaterThan(order.indexOf('routeConversation'));
      const second = await until(() => named('runAutomation')[1], 5000, 'the automation timer');
      expect(second.at).toBeGreaterThanOrEqual(started + dueIn);
      expect(second.at).toBeLessThan(started + dueIn + 1000);
      expect((await handle.query(conversationStateQuery)).automationDueAt).toBeNull();
      await sleep(500);
      expect(named('runAutomation')).toHaveLength(2);
      // A change runs it again (the rules see the change's events).
      await handle.signal(conversationChangedSignal, { reason: 'tagged' });
      await until(() => named('runAutomation')[2], 5000, 'automation after a change');
      await handle.terminate('test done');
    });
  });

  test('CSAT off for the inbox: a resolution schedules nothing', async () => {
    const world = { snapshot: snapshotOf({ csat: { enabled: false, delaySeconds: 0 } }) };
    const { activities, named } = conversationActivities(world);
    await withWorker(env, 'conversations', activities, async (taskQueue) => {
      const handle = await startConversation(env, taskQueue, randomUUID(), 'm1');
      await until(async () => ((await handle.query(conversationStateQuery)).inboundHandled === 1 ? true : undefined));
      world.snapshot = { ...world.snapshot, status: 'resolved', resolvedAt: new Date().toISOString() };
      await handle.signal(conversationChangedSignal, { reason: 'resolved' });
      await until(async () => ((await handle.query(conversationStateQuery)).snapshot?.status === 'resolved' ? true : undefined));
      await sleep(500);
      expect(named('recordDecision')).toEqual([]);
      expect(named('sendCsatSurvey')).toEqual([]);
      await handle.terminate('test done');
    });
  });
});

describe('conversation workflow: continue-as-new', () => {
  let server: RunningTemporal;
  let env: TestWorkflowEnvironment;
  beforeAll(async () => {
    // A dev server that suggests continue-as-new after 20 events, so a burst of messages spans runs.
    server = await startTemporalDevServerOnFreePort(
      { fastSqlite: true, cliPath: process.env.TEMPORAL_CLI_PATH, dynamicConfig: { 'limit.historyCount.suggestContinueAsNew': 20 } },
      freePort,
    );
    env = await workflowEnv(server.address);
  }, 60_000);
  afterAll(async () => {
    await env?.teardown();
    await server?.stop();
  });

  test('a burst of 30 messages while routing is slow: several runs, each message handled once and in order, one welcome', async () => {
    const world = { snapshot: snapshotOf(), routeDelayMs: 100 };
    const { activities, named } = conversationActivities(world);
    await withWorker(env, 'conversations', activities, async (taskQueue) => {
      const conversationId = randomUUID();
      const ids = Array.from({ length: 30 }, (_, i) => `m${i + 1}`);
      const handle = await startConversation(env, taskQueue, conversationId, ids[0]);
      const firstRunId = (await handle.describe()).runId;
      for (const messageId of ids.slice(1)) await handle.signal(inboundMessageSignal, { messageId });

      await until(() => (named('routeConversation').length >= 30 ? true : undefined), 30_000, 'every message routed');
      await sleep(500);
      expect(named<{ messageId: string }>('routeConversation').map((c) => c.input.messageId)).toEqual(ids);
      expect(named('sendWelcomeMessage')).toHaveLength(1);

      const latest = await handle.describe();
      expect(latest.runId).not.toBe(firstRunId);
      const first = await env.client.workflow.getHandle(conversationWorkflowId(conversationId), firstRunId).describe();
      expect(first.status.name).toBe('CONTINUED_AS_NEW');
      const state = await handle.query(conversationStateQuery);
      expect(state.welcomeHandled).toBe(true);
      expect(state.inboundHandled).toBe(30);
      expect(state.pendingMessages).toEqual([]);
      await handle.terminate('test done');
    });
  }, 60_000);
});
