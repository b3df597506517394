import { Inject, Injectable } from '@nestjs/common';
import { Client } from '@temporalio/client';
import { APP_CONFIG, type ServiceConfig } from '../config/config';
import {
  type WebhookEndpointWorkflow,
  webhookEndpointWorkflowId,
  webhookEndpointWorkflowType,
  webhookWakeSignal,
} from '../../workflows/contracts/webhook.contract';
import { withClientDeadline } from './client-deadline';

/** Wakes (starting when needed) webhook-endpoint:<id> delivery workflows. */
@Injectable()
export class WebhookWorkflows {
  constructor(
    private readonly client: Client,
    @Inject(APP_CONFIG) private readonly config: ServiceConfig,
  ) {}

  /** Idempotent: signals the running workflow, or starts one that first looks at what is due. */
  async wake(endpointId: string): Promise<void> {
    await withClientDeadline(this.client, () =>
      this.client.workflow.signalWithStart<WebhookEndpointWorkflow>(webhookEndpointWorkflowType, {
        workflowId: webhookEndpointWorkflowId(endpointId),
        taskQueue: this.config.temporal.webhookTaskQueue,
        args: [{ endpointId }],
        signal: webhookWakeSignal,
        signalArgs: [],
      }),
    );
  }
}
