import { CancelledFailure, Context } from '@temporalio/activity';
import type {
  MailboxSessionInput,
  MailboxSessionResult,
  RunMailboxSessionUseCase,
} from '../src/modules/channels/email/use-cases/run-mailbox-session.use-case';
import { SessionCancelled } from '../src/modules/channels/email/use-cases/run-mailbox-session.use-case';
import { asActivity } from './errors';

export interface MailboxActivityDeps {
  runMailboxSession: RunMailboxSessionUseCase;
}

/** The mailbox workflow's side effects: one long-running, heartbeating IMAP session per call. */
export function createMailboxActivities(deps: MailboxActivityDeps) {
  return {
    runMailboxSession(input: MailboxSessionInput): Promise<MailboxSessionResult> {
      const ctx = Context.current();
      return asActivity(async () => {
        try {
          return await deps.runMailboxSession.execute({
            ...input,
            hooks: { heartbeat: (details) => ctx.heartbeat(details), signal: ctx.cancellationSignal },
          });
        } catch (err) {
          // Worker shutdown or a terminated workflow: confirm the cancellation, so the attempt ends at once.
          if (err instanceof SessionCancelled || ctx.cancellationSignal.aborted) {
            throw new CancelledFailure(`mailbox session of inbox ${input.inboxId} cancelled`);
          }
          throw err;
        }
      });
    },
  };
}

export type MailboxActivities = ReturnType<typeof createMailboxActivities>;
