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

export interface ConversationWorkflowState {
  welcomeHandled: boolean;
  /** Inbound messages whose automatic steps (welcome, ...) are done. */
  inboundHandled: number;
  lastInboundMessageId?: string;
}

export interface InboundMessageSignal {
  messageId: string;
}

export const inboundMessageSignal = defineSignal<[InboundMessageSignal]>('inboundMessage');

export const conversationStateQuery = defineQuery<ConversationWorkflowState>('state');
