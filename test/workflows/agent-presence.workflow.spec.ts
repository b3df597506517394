/**
 * agent-presence:<userId> on the real dev server with mocked activities: the grace timers after a
 * logout (each inbox group at its own deadline), a login before a deadline cancelling the rest, the
 * heartbeat check that notices a lost session, and the queue drain on login.
 */
import { randomUUID } from 'node:crypto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import {
  type AgentPresenceWorkflow,
  agentPresenceStateQuery,
  agentPresenceWorkflowId,
  agentPresenceWorkflowType,
  presenceChangedSignal,
  type PresenceChangedSignal,
} from '../../workflows/contracts/agent-presence.contract';
import { recordingActivities, sleep, until, withWorker, workflowEnv } from './workflow-env';

interface Unassign {
  userId: string;
  inboxIds: string[];
  offlineSince: number;
  graceSeconds: number;
}

function presenceActivities(world: { heartbeat: 'online' | 'session_lost'; offlineSince?: number }) {
  return recordingActivities({
    checkHeartbeat: () =>
      world.heartbeat === 'online' ? { state: 'online', checkAgainInMs: 300 } : { state: 'session_lost', offlineSince: world.offlineSince ?? Date.now() },
    graceDeadlines: () => [
      { graceSeconds: 1, inboxIds: ['inbox-a'] },
      { graceSeconds: 2, inboxIds: ['inbox-b', 'inbox-c'] },
    ],
    unassignAfterGrace: (input: Unassign) => ({ applied: true, reason: 'test', unassigned: [], reassigned: [], input }),
    drainForAgent: () => ({ assigned: [] }),
  });
}

async function signal(env: TestWorkflowEnvironment, taskQueue: string, userId: string, change: PresenceChangedSignal) {
  return env.client.workflow.signalWithStart<AgentPresenceWorkflow, [PresenceChangedSignal]>(agentPresenceWorkflowType, {
    workflowId: agentPresenceWorkflowId(userId),
    taskQueue,
    args: [{ userId, accountId: 'account-1' }],
    signal: presenceChangedSignal,
    signalArgs: [change],
  });
}

describe('agent-presence workflow', () => {
  let env: TestWorkflowEnvironment;
  beforeAll(async () => {
    env = await workflowEnv();
  });
  afterAll(async () => {
    await env?.teardown();
  });

  test('logout: each group of inboxes is unassigned when its grace period ends, counted from the logout', async () => {
    const { activities, named } = presenceActivities({ heartbeat: 'online' });
    await withWorker(env, 'conversations', activities, async (taskQueue) => {
      const userId = randomUUID();
      await signal(env, taskQueue, userId, { type: 'login', at: Date.now() });
      await until(() => named('drainForAgent')[0], 5000, 'the drain on login');
      const offlineSince = Date.now();
      const handle = await signal(env, taskQueue, userId, { type: 'logout', at: offlineSince });

      const [first, second] = await until(() => (named('unassignAfterGrace').length >= 2 ? named<Unassign>('unassignAfterGrace') : undefined), 10_000, 'both deadlines');
      expect(first.input).toEqual({ userId, inboxIds: ['inbox-a'], offlineSince, graceSeconds: 1 });
      expect(second.input).toEqual({ userId, inboxIds: ['inbox-b', 'inbox-c'], offlineSince, graceSeconds: 2 });
      expect(first.at - offlineSince).toBeGreaterThanOrEqual(1000);
      expect(first.at - offlineSince).toBeLessThan(2000);
      expect(second.at - offlineSince).toBeGreaterThanOrEqual(2000);
      expect(second.at - offlineSince).toBeLessThan(3000);

      const state = await handle.query(agentPresenceStateQuery);
      expect(state).toMatchObject({ online: false, offlineSince, offlineReason: 'logout', nextDeadline: null });
      expect(state.unassignedInboxes.sort()).toEqual(['inbox-a', 'inbox-b', 'inbox-c']);
      await handle.terminate('test done');
    });
  });

  test('a login before the deadline cancels the grace timers and hands the agent waiting conversations', async () => {
    const { activities, named } = presenceActivities({ heartbeat: 'online' });
    await withWorker(env, 'conversations', activities, async (taskQueue) => {
      const userId = randomUUID();
      const handle = await signal(env, taskQueue, userId, { type: 'logout', at: Date.now() });
      await until(() => named('graceDeadlines')[0]);
      await sleep(300);
      await signal(env, taskQueue, userId, { type: 'login', at: Date.now() });
      await until(() => named('drainForAgent')[0], 5000, 'the drain on login');
      await sleep(2500); // past both deadlines
      expect(named('unassignAfterGrace')).toEqual([]);
      expect(await handle.query(agentPresenceStateQuery)).toMatchObject({ online: true, offlineSince: null, nextDeadline: null });
      await handle.terminate('test done');
    });
  });

  test('online: the heartbeat is checked again and again; a lost session counts as offline from the last heartbeat', async () => {
    const world: { heartbeat: 'online' | 'session_lost'; offlineSince?: number } = { heartbeat: 'online' };
    const { activities, named } = presenceActivities(world);
    await withWorker(env, 'conversations', activities, async (taskQueue) => {
      const userId = randomUUID();
      const handle = await signal(env, taskQueue, userId, { type: 'login', at: Date.now() });
      await until(() => (named('checkHeartbeat').length >= 3 ? true : undefined), 5000, 'repeated heartbeat checks');
      world.offlineSince = Date.now() - 200;
      world.heartbeat = 'session_lost';
      const [first] = await until(() => (named('unassignAfterGrace').length ? named<Unassign>('unassignAfterGrace') : undefined), 10_000, 'the first deadline');
      expect(first.input.offlineSince).toBe(world.offlineSince);
      expect(await handle.query(agentPresenceStateQuery)).toMatchObject({ online: false, offlineReason: 'session_lost', offlineSince: world.offlineSince });
      await handle.terminate('test done');
    });
  });
});
