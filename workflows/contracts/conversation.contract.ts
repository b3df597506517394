/**
 * The conversation workflow's public surface: its id, start input, signals and queries.
 * Signals carry ids and small values only; bodies stay in Postgres.
 */
import { defineQuery, defineSignal } from '@temporalio/workflow';

export const conversationWorkflowId = (conversationId: string): string => `conversation:${conversationId}`;

export interface ConversationWorkflowInput {
  conversationId: string;
  inboxId: string;
  channel: string;
  /** Carried across continue-as-new. */
  state?: ConversationWorkflowState;
}

/** What the workflow last saw of its conversation in Postgres (drives search attributes and CSAT). */
export interface ConversationSnapshot {
  exists: boolean;
  inboxId: string;
  channel: string;
  status: string;
  assigneeId: string | null;
  vip: boolean;
  handler: 'human' | 'ai';
  /** ISO time of the current resolution, when resolved. */
  resolvedAt: string | null;
  csat: { enabled: boolean; delaySeconds: number };
}

export interface PendingCsat {
  resolutionKey: string;
  /** Epoch ms when the survey is due. */
  dueAt: number;
}

export interface ConversationWorkflowState {
  welcomeHandled: boolean;
  /** Inbound messages whose automatic steps (welcome, out-of-office, routing) are done. */
  inboundHandled: number;
  lastInboundMessageId?: string;
  /** Inbound messages signalled but not yet handled; carried across continue-as-new. */
  pendingMessages?: string[];
  /** A change was signalled and not yet looked at; carried across continue-as-new. */
  changePending?: boolean;
  snapshot?: ConversationSnapshot;
  csat?: PendingCsat | null;
  /** The resolution whose survey was scheduled (or decided against), so one resolution gets one survey. */
  csatResolutionKey?: string | null;
  /** Epoch ms when the next time-based automation rule comes due (the workflow's timer for it). */
  automationDueAt?: number | null;
}

export interface InboundMessageSignal {
  messageId: string;
}

/** Something about the conversation changed in Postgres (status, assignee, VIP, inbox); `reason` says what, for the history. */
export interface ConversationChangedSignal {
  reason: string;
}

/** The workflow's type (input -> result): clients start and signal it by this contract, never by its code. */
export type ConversationWorkflow = (input: ConversationWorkflowInput) => Promise<void>;
export const conversationWorkflowType = 'conversationWorkflow';

export const inboundMessageSignal = defineSignal<[InboundMessageSignal]>('inboundMessage');
export const conversationChangedSignal = defineSignal<[ConversationChangedSignal]>('conversationChanged');

export const conversationStateQuery = defineQuery<ConversationWorkflowState>('state');
