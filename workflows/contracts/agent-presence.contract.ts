/**
 * agent-presence:<userId> — one workflow per agent, started or signalled on login and logout.
 * It owns the agent's presence timers: the heartbeat check (session loss) and the auto-unassign
 * grace period after they go offline.
 */
import { defineQuery, defineSignal } from '@temporalio/workflow';

export const agentPresenceWorkflowId = (userId: string): string => `agent-presence:${userId}`;

export type PresenceChange = 'login' | 'logout';

export interface PresenceChangedSignal {
  type: PresenceChange;
  /** Epoch ms of the change as stored in Postgres (offlineSince for a logout). */
  at: number;
}

export interface AgentPresenceState {
  online: boolean;
  /** Epoch ms; set while offline. */
  offlineSince: number | null;
  offlineReason: 'logout' | 'session_lost' | null;
  /** Inboxes whose grace period already ran out in this offline stretch (their `new` conversations were unassigned). */
  unassignedInboxes: string[];
  /** Epoch ms of the next grace deadline, while one is pending. */
  nextDeadline: number | null;
  pendingChanges?: PresenceChangedSignal[];
}

export interface AgentPresenceInput {
  userId: string;
  accountId: string;
  state?: AgentPresenceState;
}

/** The workflow's type (input -> result): clients start and signal it by this contract, never by its code. */
export type AgentPresenceWorkflow = (input: AgentPresenceInput) => Promise<void>;
export const agentPresenceWorkflowType = 'agentPresenceWorkflow';

export const presenceChangedSignal = defineSignal<[PresenceChangedSignal]>('presenceChanged');
export const agentPresenceStateQuery = defineQuery<AgentPresenceState>('presenceState');
