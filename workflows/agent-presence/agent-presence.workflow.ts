/**
 * agent-presence:<userId> — one workflow per agent, started or signalled on login and logout.
 *
 *  - Online: checks the heartbeat when its window may have run out (the activity compares the
 *    stored last heartbeat with PRESENCE_HEARTBEAT_TIMEOUT_SECONDS); none in time means the session
 *    is lost, which counts as going offline.
 *  - Offline: waits for each grace period of the agent's inboxes (auto-unassign settings, shortest
 *    first) on a Temporal timer, then unassigns their conversations still `new` there and routes
 *    them to others. Logging in before a deadline cancels what is left.
 *  - Logging in hands the agent waiting conversations up to their capacity.
 *
 * The timers are Temporal timers: they fire on time across worker and server restarts.
 */
import { allHandlersFinished, condition, continueAsNew, proxyActivities, setHandler, workflowInfo } from '@temporalio/workflow';
import type { PresenceActivities } from '../../activities/presence.activities';
import {
  type AgentPresenceWorkflow,
  type AgentPresenceState,
  agentPresenceStateQuery,
  presenceChangedSignal,
  type PresenceChangedSignal,
} from '../contracts/agent-presence.contract';

const activities = proxyActivities<PresenceActivities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '500 ms', maximumInterval: '10 seconds', nonRetryableErrorTypes: ['DomainError'] },
});

interface GraceGroup {
  graceSeconds: number;
  inboxIds: string[];
}

export const agentPresenceWorkflow: AgentPresenceWorkflow = async (input) => {
  const { userId } = input;
  const state: AgentPresenceState = input.state ?? { online: false, offlineSince: null, offlineReason: null, unassignedInboxes: [], nextDeadline: null };
  const changes: PresenceChangedSignal[] = [...(state.pendingChanges ?? [])];
  delete state.pendingChanges;
  let checkAt: number | null = state.online ? Date.now() : null;
  let deadlines: GraceGroup[] | null = null;

  setHandler(presenceChangedSignal, (change) => {
    changes.push(change);
  });
  setHandler(agentPresenceStateQuery, () => ({ ...state, unassignedInboxes: [...state.unassignedInboxes], pendingChanges: [...changes] }));

  const wake = () => changes.length > 0 || workflowInfo().continueAsNewSuggested;

  async function wait(untilMs: number | null): Promise<'change' | 'timer' | 'continue-as-new'> {
    // condition() without a timeout resolves to void: it woke for a change or continue-as-new, never a timer.
    const woke = untilMs === null ? (await condition(wake), true) : await condition(wake, Math.max(1, untilMs - Date.now()));
    if (changes.length > 0) return 'change';
    if (woke) return 'continue-as-new';
    return 'timer';
  }

  for (;;) {
    while (changes.length > 0) {
      const change = changes.shift()!;
      if (change.type === 'login') {
        state.online = true;
        state.offlineSince = null;
        state.offlineReason = null;
        state.unassignedInboxes = [];
        state.nextDeadline = null;
        deadlines = null;
        checkAt = Date.now();
        await activities.drainForAgent({ userId });
      } else if (state.online || state.offlineSince !== change.at) {
        state.online = false;
        state.offlineSince = change.at;
        state.offlineReason = 'logout';
        state.unassignedInboxes = [];
        deadlines = null;
        checkAt = null;
      }
    }

    let woke: 'change' | 'timer' | 'continue-as-new';
    if (state.online) {
      woke = await wait(checkAt ?? Date.now());
      if (woke === 'timer') {
        const check = await activities.checkHeartbeat({ userId });
        if (check.state === 'online') {
          checkAt = Date.now() + check.checkAgainInMs;
        } else {
          state.online = false;
          state.offlineSince = check.offlineSince ?? Date.now();
          state.offlineReason = check.state === 'session_lost' ? 'session_lost' : 'logout';
          state.unassignedInboxes = [];
          deadlines = null;
          checkAt = null;
        }
        continue;
      }
    } else {
      if (deadlines === null) deadlines = await activities.graceDeadlines({ userId });
      const next = deadlines.find((d) => d.inboxIds.some((id) => !state.unassignedInboxes.includes(id)));
      state.nextDeadline = next ? state.offlineSince! + next.graceSeconds * 1000 : null;
      woke = await wait(state.nextDeadline);
      if (woke === 'timer' && next) {
        await activities.unassignAfterGrace({ userId, inboxIds: next.inboxIds, offlineSince: state.offlineSince!, graceSeconds: next.graceSeconds });
        state.unassignedInboxes.push(...next.inboxIds);
        state.nextDeadline = null;
        continue;
      }
    }
    if (woke === 'continue-as-new' && changes.length === 0) {
      await condition(allHandlersFinished);
      await continueAsNew<AgentPresenceWorkflow>({ ...input, state: { ...state, pendingChanges: [...changes] } });
    }
  }
};
