import { Inject, Injectable } from '@nestjs/common';
import { Client, WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import { APP_CONFIG, type ServiceConfig } from '../config/config';
import { type CrmLookupWorkflow, type CrmLookupWorkflowInput, crmLookupWorkflowId, crmLookupWorkflowType } from '../../workflows/contracts/crm.contract';
import { withClientDeadline } from './client-deadline';

/** Starts crm-lookup:<connectorId>:<contactId> workflows (on the webhooks task queue). */
@Injectable()
export class CrmWorkflows {
  constructor(
    private readonly client: Client,
    @Inject(APP_CONFIG) private readonly config: ServiceConfig,
  ) {}

  /** Idempotent: a lookup of the same queued row that is still running is the one. */
  async startLookup(input: CrmLookupWorkflowInput): Promise<void> {
    try {
      await withClientDeadline(this.client, () =>
        this.client.workflow.start<CrmLookupWorkflow>(crmLookupWorkflowType, {
          workflowId: crmLookupWorkflowId(input.connectorId, input.contactId, input.queueId),
          taskQueue: this.config.temporal.webhookTaskQueue,
          args: [input],
          workflowIdConflictPolicy: 'USE_EXISTING',
        }),
      );
    } catch (err) {
      if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
    }
  }
}
