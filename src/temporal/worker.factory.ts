import type { INestApplicationContext } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';
import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import { createActivities } from '../../activities';
import type { ServiceConfig } from '../config/config';
import { AiAgentReplyUseCase } from '../modules/ai/use-cases/ai-agent-reply.use-case';
import { DescribeConversationUseCase } from '../modules/conversations/use-cases/describe-conversation.use-case';
import { ReplyOutOfOfficeUseCase } from '../modules/conversations/use-cases/reply-out-of-office.use-case';
import { SendWelcomeMessageUseCase } from '../modules/conversations/use-cases/send-welcome-message.use-case';
import { SendCsatSurveyUseCase } from '../modules/csat/use-cases/send-csat-survey.use-case';
import { AutoUnassignUseCase } from '../modules/presence/use-cases/auto-unassign.use-case';
import { CheckHeartbeatUseCase } from '../modules/presence/use-cases/check-heartbeat.use-case';
import { DrainForAgentUseCase } from '../modules/presence/use-cases/drain-for-agent.use-case';
import { RunMailboxSessionUseCase } from '../modules/channels/email/use-cases/run-mailbox-session.use-case';
import { DrainQueueUseCase } from '../modules/routing/drain-queue.use-case';
import { RouteConversationUseCase } from '../modules/routing/route-conversation.use-case';
import { CampaignRunBookkeepingUseCase } from '../modules/campaigns/use-cases/campaign-run-bookkeeping.use-case';
import { SendCampaignBatchUseCase } from '../modules/campaigns/use-cases/send-campaign-batch.use-case';
import { ConversationWorkflows } from './conversation-workflows';
import { WORKFLOWS_PATH } from './workflows-path';

export interface CreatedWorker {
  worker: Worker;
  connection: NativeConnection;
}

/**
 * Builds the Temporal worker for a Nest application context. `workflowBundlePath` reuses a bundle
 * made once (tests); otherwise the workflows are bundled from WORKFLOWS_PATH at start.
 */
export async function createTemporalWorker(
  app: INestApplicationContext,
  config: ServiceConfig,
  extra: { workflowBundlePath?: string; options?: Partial<WorkerOptions> } = {},
): Promise<CreatedWorker> {
  const activities = createActivities({
    em: app.get(EntityManager),
    sendWelcomeMessage: app.get(SendWelcomeMessageUseCase),
    replyOutOfOffice: app.get(ReplyOutOfOfficeUseCase),
    routeConversation: app.get(RouteConversationUseCase),
    describeConversation: app.get(DescribeConversationUseCase),
    drainQueue: app.get(DrainQueueUseCase),
    aiAgentReply: app.get(AiAgentReplyUseCase),
    sendCsatSurvey: app.get(SendCsatSurveyUseCase),
    conversationWorkflows: app.get(ConversationWorkflows),
    checkHeartbeat: app.get(CheckHeartbeatUseCase),
    autoUnassign: app.get(AutoUnassignUseCase),
    drainForAgent: app.get(DrainForAgentUseCase),
    runMailboxSession: app.get(RunMailboxSessionUseCase),
    sendCampaignBatch: app.get(SendCampaignBatchUseCase),
    campaignRunBookkeeping: app.get(CampaignRunBookkeepingUseCase),
  });
  // Connect once everything the activities need is there, so a failed lookup leaves no connection open.
  const connection = await NativeConnection.connect({ address: config.temporal.address });
  const worker = await Worker.create({
    connection,
    namespace: config.temporal.namespace,
    taskQueue: config.temporal.taskQueue,
    ...(extra.workflowBundlePath ? { workflowBundle: { codePath: extra.workflowBundlePath } } : { workflowsPath: WORKFLOWS_PATH }),
    activities,
    stickyQueueScheduleToStartTimeout: config.temporal.stickyTimeoutMs,
    ...extra.options,
  }).catch(async (err: unknown) => {
    await connection.close();
    throw err;
  });
  return { worker, connection };
}

/**
 * The second worker of the worker process: campaign-run workflows and their activities on
 * TEMPORAL_CAMPAIGN_TASK_QUEUE, so a large campaign never delays conversation work (and the other way round).
 */
export function createCampaignWorker(
  app: INestApplicationContext,
  config: ServiceConfig,
  extra: { workflowBundlePath?: string; options?: Partial<WorkerOptions> } = {},
): Promise<CreatedWorker> {
  return createTemporalWorker(app, config, { ...extra, options: { taskQueue: config.temporal.campaignTaskQueue, ...extra.options } });
}
