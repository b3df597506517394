/**
 * The worker's composition root: the only place that knows every use case the activities call.
 * One Worker per task queue, each registering only the workflows and activities that queue runs,
 * over one shared connection to Temporal.
 */
import type { INestApplicationContext } from '@nestjs/common';
import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import { createCampaignQueueActivities, createConversationQueueActivities, createWebhookQueueActivities } from '../../activities';
import type { ServiceConfig } from '../config/config';
import { AiAgentReplyUseCase } from '../modules/ai/use-cases/ai-agent-reply.use-case';
import { RunAutomationUseCase } from '../modules/automation/use-cases/run-automation.use-case';
import { FinishCampaignUseCase } from '../modules/campaigns/use-cases/finish-campaign.use-case';
import { LoadAudiencePageUseCase } from '../modules/campaigns/use-cases/load-audience-page.use-case';
import { LoadDeferredRecipientsUseCase } from '../modules/campaigns/use-cases/load-deferred-recipients.use-case';
import { MarkCampaignRunningUseCase } from '../modules/campaigns/use-cases/mark-campaign-running.use-case';
import { SendCampaignBatchUseCase } from '../modules/campaigns/use-cases/send-campaign-batch.use-case';
import { RunMailboxSessionUseCase } from '../modules/channels/email/use-cases/run-mailbox-session.use-case';
import { DescribeConversationUseCase } from '../modules/conversations/use-cases/describe-conversation.use-case';
import { RecordWorkflowDecisionUseCase } from '../modules/conversations/use-cases/record-workflow-decision.use-case';
import { ReplyOutOfOfficeUseCase } from '../modules/conversations/use-cases/reply-out-of-office.use-case';
import { SendWelcomeMessageUseCase } from '../modules/conversations/use-cases/send-welcome-message.use-case';
import { SendCsatSurveyUseCase } from '../modules/csat/use-cases/send-csat-survey.use-case';
import { AutoUnassignUseCase } from '../modules/presence/use-cases/auto-unassign.use-case';
import { CheckHeartbeatUseCase } from '../modules/presence/use-cases/check-heartbeat.use-case';
import { DrainForAgentUseCase } from '../modules/presence/use-cases/drain-for-agent.use-case';
import { GetGraceDeadlinesUseCase } from '../modules/presence/use-cases/get-grace-deadlines.use-case';
import { DrainQueueUseCase } from '../modules/routing/use-cases/drain-queue.use-case';
import { RouteConversationUseCase } from '../modules/routing/use-cases/route-conversation.use-case';
import { DeliverDueWebhooksUseCase } from '../modules/webhooks/use-cases/deliver-due-webhooks.use-case';
import { workflowCacheSizes, type WorkflowCacheSizes } from './workflow-cache';
import { QUEUE_WORKFLOWS_PATHS, type TaskQueueName } from './workflows-path';

/** Prebuilt workflow bundles per task queue (tests and benches bundle once per run). */
export type WorkflowBundles = Record<TaskQueueName, string>;

export interface ProductWorkers {
  workers: Record<TaskQueueName, Worker>;
  connection: NativeConnection;
  /** How many workflows each Worker caches, and why (WORKER_MEMORY_BUDGET_MB). */
  workflowCache: WorkflowCacheSizes;
  /** Runs every worker until it is shut down; when one fails, the others are shut down too and the error is thrown. */
  run(): Promise<void>;
  /** Asks every running worker to drain and stop (run() resolves once they have). */
  shutdown(): void;
  /** Closes the connection (after run() has settled). */
  close(): Promise<void>;
}

export interface CreateWorkersOptions {
  bundles?: WorkflowBundles;
  /** Overrides for every worker (tests). */
  options?: Partial<WorkerOptions>;
}

/** What each task queue runs: its name in the configuration and its activities. */
function queues(app: INestApplicationContext, config: ServiceConfig): Record<TaskQueueName, { taskQueue: string; activities: object }> {
  return {
    conversations: {
      taskQueue: config.temporal.taskQueue,
      activities: createConversationQueueActivities({
        sendWelcomeMessage: app.get(SendWelcomeMessageUseCase),
        replyOutOfOffice: app.get(ReplyOutOfOfficeUseCase),
        routeConversation: app.get(RouteConversationUseCase),
        describeConversation: app.get(DescribeConversationUseCase),
        drainQueue: app.get(DrainQueueUseCase),
        aiAgentReply: app.get(AiAgentReplyUseCase),
        sendCsatSurvey: app.get(SendCsatSurveyUseCase),
        recordWorkflowDecision: app.get(RecordWorkflowDecisionUseCase),
        runAutomation: app.get(RunAutomationUseCase),
        checkHeartbeat: app.get(CheckHeartbeatUseCase),
        getGraceDeadlines: app.get(GetGraceDeadlinesUseCase),
        autoUnassign: app.get(AutoUnassignUseCase),
        drainForAgent: app.get(DrainForAgentUseCase),
        runMailboxSession: app.get(RunMailboxSessionUseCase),
      }),
    },
    // Campaign runs on their own queue, so a large campaign never delays conversation work (and the other way round).
    campaigns: {
      taskQueue: config.temporal.campaignTaskQueue,
      activities: createCampaignQueueActivities({
        markCampaignRunning: app.get(MarkCampaignRunningUseCase),
        loadAudiencePage: app.get(LoadAudiencePageUseCase),
        loadDeferredRecipients: app.get(LoadDeferredRecipientsUseCase),
        sendCampaignBatch: app.get(SendCampaignBatchUseCase),
        finishCampaign: app.get(FinishCampaignUseCase),
      }),
    },
    // Webhook deliveries on their own queue: a slow or failing receiver never delays conversation work.
    webhooks: {
      taskQueue: config.temporal.webhookTaskQueue,
      activities: createWebhookQueueActivities({ deliverDueWebhooks: app.get(DeliverDueWebhooksUseCase) }),
    },
  };
}

/**
 * Builds the product's workers for a Nest application context (the worker module). Without
 * `bundles` each worker bundles its queue's workflows at start.
 */
export async function createWorkers(app: INestApplicationContext, config: ServiceConfig, extra: CreateWorkersOptions = {}): Promise<ProductWorkers> {
  // Look every use case up before connecting, so a failed lookup leaves no connection open.
  const byQueue = queues(app, config);
  const connection = await NativeConnection.connect({ address: config.temporal.address });
  const names = Object.keys(byQueue) as TaskQueueName[];
  const cache = workflowCacheSizes({ budgetMb: config.temporal.workerMemoryBudgetMb, override: config.temporal.maxCachedWorkflows });
  // The queues' workers are created side by side (each loads its workflow bundle): a restarted
  // worker polls sooner, so timers that came due meanwhile fire with less delay.
  const created = await Promise.allSettled(
    names.map((name) =>
      Worker.create({
        connection,
        namespace: config.temporal.namespace,
        taskQueue: byQueue[name].taskQueue,
        ...(extra.bundles ? { workflowBundle: { codePath: extra.bundles[name] } } : { workflowsPath: QUEUE_WORKFLOWS_PATHS[name] }),
        activities: byQueue[name].activities,
        stickyQueueScheduleToStartTimeout: config.temporal.stickyTimeoutMs,
        maxCachedWorkflows: cache.sizes[name],
        ...extra.options,
      }),
    ),
  );
  const failed = created.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) {
    await connection.close();
    throw failed.reason;
  }
  const workers = Object.fromEntries(names.map((name, i) => [name, (created[i] as PromiseFulfilledResult<Worker>).value])) as Record<TaskQueueName, Worker>;
  const all = Object.values(workers);
  const shutdown = () => {
    for (const w of all) if (w.getState() === 'RUNNING') w.shutdown();
  };
  return {
    workers,
    connection,
    workflowCache: cache,
    shutdown,
    async run() {
      const runs = all.map((w) =>
        w.run().catch((err: unknown) => {
          shutdown();
          throw err;
        }),
      );
      // Wait for every worker to drain, then report the first failure.
      const results = await Promise.allSettled(runs);
      const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
      if (failed) throw failed.reason;
    },
    close: () => connection.close(),
  };
}
