import { Inject, Injectable, Logger } from '@nestjs/common';
import { Client, WorkflowNotFoundError } from '@temporalio/client';
import { APP_CONFIG, type ServiceConfig } from '../config/config';
import { type MailboxWorkflow, mailboxWorkflowId, type MailboxWorkflowInput, mailboxWorkflowType } from '../../workflows/contracts/mailbox.contract';
import { withClientDeadline } from './client-deadline';


/** Starts and stops mailbox:<inboxId> workflows. */
@Injectable()
export class MailboxWorkflows {
  private readonly logger = new Logger(MailboxWorkflows.name);

  constructor(
    private readonly client: Client,
    @Inject(APP_CONFIG) private readonly config: ServiceConfig,
  ) {}

  /** Idempotent: a running mailbox workflow is kept (USE_EXISTING). */
  async start(inboxId: string): Promise<void> {
    const input: MailboxWorkflowInput = { inboxId, sessionSeconds: this.config.email.sessionSeconds };
    await withClientDeadline(this.client, () =>
      this.client.workflow.start<MailboxWorkflow>(mailboxWorkflowType, {
        workflowId: mailboxWorkflowId(inboxId),
        taskQueue: this.config.temporal.taskQueue,
        args: [input],
        workflowIdConflictPolicy: 'USE_EXISTING',
      }),
    );
  }

  /**
   * Terminates the mailbox workflow (best effort: its session also ends by itself within
   * EMAIL_MAILBOX_CHECK_MS once it finds the channel disabled or removed).
   */
  async stop(inboxId: string, reason: string): Promise<void> {
    try {
      await withClientDeadline(this.client, () => this.client.workflow.getHandle(mailboxWorkflowId(inboxId)).terminate(reason));
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) return;
      this.logger.warn(`mailbox of inbox ${inboxId}: workflow not terminated (${(err as Error).message}); its session stops by itself`);
    }
  }
}
