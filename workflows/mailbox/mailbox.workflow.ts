/**
 * mailbox:<inboxId> — keeps one IMAP session for an email inbox, through a long-running, heartbeating
 * activity (runMailboxSession): it fetches new mail by UID above the checkpoint in Postgres, waits in
 * IMAP IDLE, reconnects with backoff when the server drops, and returns after `sessionSeconds` (or when
 * the channel was disabled or removed). The workflow runs one session after the other and
 * continues-as-new every `sessionsPerRun` sessions, carrying its counters.
 *
 * A worker that dies mid-session is noticed by the heartbeat timeout; the activity is retried with
 * backoff on another worker and resumes from the checkpoint (the checkpoint is in Postgres, not in the
 * history, so nothing is lost or fetched twice).
 */
import { allHandlersFinished, condition, continueAsNew, proxyActivities, setHandler, workflowInfo } from '@temporalio/workflow';
import type { MailboxActivities } from '../../activities/mailbox.activities';
import { mailboxStateQuery, type MailboxWorkflow, type MailboxWorkflowState } from '../contracts/mailbox.contract';

const DEFAULT_SESSIONS_PER_RUN = 100;

export const mailboxWorkflow: MailboxWorkflow = async (input) => {
  const state: MailboxWorkflowState = input.state ?? { sessions: 0, stored: 0, duplicates: 0, uidValidity: null, lastUid: '0', lastOutcome: null };
  setHandler(mailboxStateQuery, () => ({ ...state }));

  const { runMailboxSession } = proxyActivities<MailboxActivities>({
    startToCloseTimeout: (input.sessionSeconds + 300) * 1000,
    heartbeatTimeout: '30 seconds',
    retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '30 seconds', nonRetryableErrorTypes: ['DomainError'] },
  });

  const perRun = input.sessionsPerRun ?? DEFAULT_SESSIONS_PER_RUN;
  for (let runs = 0; ; ) {
    const session = await runMailboxSession({ inboxId: input.inboxId, maxRunMs: input.sessionSeconds * 1000 });
    runs += 1;
    state.sessions += 1;
    state.stored += session.stored;
    state.duplicates += session.duplicates;
    state.uidValidity = session.uidValidity;
    state.lastUid = session.lastUid;
    state.lastOutcome = `${session.outcome}: ${session.reason}`;
    if (session.outcome === 'stopped') return state;
    if (runs >= perRun || workflowInfo().continueAsNewSuggested) {
      await condition(allHandlersFinished);
      await continueAsNew<MailboxWorkflow>({ ...input, state });
    }
  }
};
