/**
 * mailbox:<inboxId> — one workflow per email inbox's mailbox (the email channel is keyed by its inbox).
 * Started when the channel is enabled, terminated when it is disabled; it also ends by itself when
 * its session finds the channel disabled or removed (the inbox deleted).
 */
import { defineQuery } from '@temporalio/workflow';

export const mailboxWorkflowId = (inboxId: string): string => `mailbox:${inboxId}`;

export interface MailboxWorkflowState {
  /** Sessions run in this workflow since it started (across continue-as-new). */
  sessions: number;
  stored: number;
  duplicates: number;
  uidValidity: string | null;
  lastUid: string;
  lastOutcome: string | null;
}

export interface MailboxWorkflowInput {
  inboxId: string;
  /** How long one session (one activity holding the IMAP connection) runs before the next starts. */
  sessionSeconds: number;
  /** Continue-as-new after this many sessions (or earlier, when Temporal suggests it). */
  sessionsPerRun?: number;
  state?: MailboxWorkflowState;
}

/** The workflow's type (input -> result: the counters when the channel stopped): clients start it by this contract, never by its code. */
export type MailboxWorkflow = (input: MailboxWorkflowInput) => Promise<MailboxWorkflowState>;
export const mailboxWorkflowType = 'mailboxWorkflow';

export const mailboxStateQuery = defineQuery<MailboxWorkflowState>('mailboxState');
