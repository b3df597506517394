import { Inject, Injectable, Logger } from '@nestjs/common';
import { Client, WorkflowNotFoundError } from '@temporalio/client';
import { APP_CONFIG, type ServiceConfig } from '../config/config';
import {
  cancelCampaignSignal,
  campaignProgressQuery,
  type CampaignRunInput,
  type CampaignRunWorkflow,
  campaignRunWorkflowId,
  campaignRunWorkflowType,
  type CampaignRunProgress,
  pauseCampaignSignal,
  resumeCampaignSignal,
} from '../../workflows/contracts/campaign.contract';
import { withClientDeadline } from './client-deadline';


/** Starts, signals and queries campaign-run:<id> workflows on the campaigns task queue. */
@Injectable()
export class CampaignWorkflows {
  private readonly logger = new Logger(CampaignWorkflows.name);

  constructor(
    private readonly client: Client,
    @Inject(APP_CONFIG) private readonly config: ServiceConfig,
  ) {}

  /** Idempotent (USE_EXISTING): starting twice keeps the run. */
  async start(input: CampaignRunInput): Promise<void> {
    await withClientDeadline(this.client, () =>
      this.client.workflow.start<CampaignRunWorkflow>(campaignRunWorkflowType, {
        workflowId: campaignRunWorkflowId(input.campaignId),
        taskQueue: this.config.temporal.campaignTaskQueue,
        args: [{ pageSize: this.config.campaigns.pageSize, runHistoryEvents: this.config.campaigns.runHistoryEvents, ...input }],
        workflowIdConflictPolicy: 'USE_EXISTING',
      }),
    );
  }

  async signal(campaignId: string, what: 'pause' | 'resume' | 'cancel'): Promise<void> {
    const signal = { pause: pauseCampaignSignal, resume: resumeCampaignSignal, cancel: cancelCampaignSignal }[what];
    await withClientDeadline(this.client, () => this.client.workflow.getHandle(campaignRunWorkflowId(campaignId)).signal(signal));
  }

  /** The workflow's progress, or null when it cannot be asked (not started, finished long ago, Temporal down). */
  async progress(campaignId: string): Promise<CampaignRunProgress | null> {
    try {
      return await withClientDeadline(this.client, () => this.client.workflow.getHandle(campaignRunWorkflowId(campaignId)).query(campaignProgressQuery));
    } catch (err) {
      // Not started or long gone (WorkflowNotFoundError), or Temporal unreachable: the Postgres counts still answer.
      if (!(err instanceof WorkflowNotFoundError)) this.logger.warn(`campaign ${campaignId}: progress query failed (${(err as Error).message})`);
      return null;
    }
  }
}
