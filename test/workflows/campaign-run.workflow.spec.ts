/**
 * campaign-run:<id> on the real dev server with mocked activities: paging through the audience,
 * pause holding the sends and resume continuing after the last one, cancel, continue-as-new at a
 * page boundary carrying the cursor and counters, and a failed batch failing the run with its reason.
 */
import { randomUUID } from 'node:crypto';
import { ApplicationFailure } from '@temporalio/common';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import {
  cancelCampaignSignal,
  campaignProgressQuery,
  type CampaignRunInput,
  type CampaignRunWorkflow,
  campaignRunWorkflowId,
  campaignRunWorkflowType,
  pauseCampaignSignal,
  resumeCampaignSignal,
} from '../../workflows/contracts/campaign.contract';
import { recordingActivities, sleep, until, withWorker, workflowEnv } from './workflow-env';

const AUDIENCE = Array.from({ length: 12 }, (_, i) => `contact-${String(i + 1).padStart(2, '0')}`);

function campaignActivities(opts: { batchDelayMs?: number; failBatch?: boolean } = {}) {
  return recordingActivities({
    markCampaignRunning: () => undefined,
    loadAudiencePage: ({ after, limit }: { after: string | null; limit: number }) => AUDIENCE.filter((id) => after === null || id > after).slice(0, limit),
    loadDeferredRecipients: () => ({ due: [], deferred: 0, nextAt: null }),
    sendCampaignBatch: async ({ contactIds }: { contactIds: string[] }) => {
      if (opts.batchDelayMs) await sleep(opts.batchDelayMs);
      if (opts.failBatch) throw ApplicationFailure.create({ type: 'DomainError', message: 'the sending inbox was deleted', nonRetryable: true });
      return { sent: contactIds.length, failed: 0, skipped: 0, optedOut: 0, deferred: 0 };
    },
    finishCampaign: () => undefined,
  });
}

function start(env: TestWorkflowEnvironment, taskQueue: string, input: Partial<CampaignRunInput> = {}) {
  const campaignId = randomUUID();
  return env.client.workflow.start<CampaignRunWorkflow>(campaignRunWorkflowType, {
    workflowId: campaignRunWorkflowId(campaignId),
    taskQueue,
    args: [{ campaignId, scheduledAt: null, rateLimitPerSecond: null, pageSize: 3, runHistoryEvents: 500, ...input }],
  });
}

const sentIds = (named: ReturnType<typeof campaignActivities>['named']) => named<{ contactIds: string[] }>('sendCampaignBatch').flatMap((c) => c.input.contactIds);

describe('campaign-run workflow', () => {
  let env: TestWorkflowEnvironment;
  beforeAll(async () => {
    env = await workflowEnv();
  });
  afterAll(async () => {
    await env?.teardown();
  });

  test('pause holds sending between batches; resume continues after the last recipient sent; every recipient once', async () => {
    const { activities, named } = campaignActivities({ batchDelayMs: 200 });
    await withWorker(env, 'campaigns', activities, async (taskQueue) => {
      const handle = await start(env, taskQueue, { rateLimitPerSecond: 5 });
      await until(() => named('sendCampaignBatch')[0], 5000, 'the first batch');
      await handle.signal(pauseCampaignSignal);
      await until(async () => ((await handle.query(campaignProgressQuery)).phase === 'paused' ? true : undefined), 5000, 'paused');
      const whilePaused = named('sendCampaignBatch').length;
      await sleep(1500);
      expect(named('sendCampaignBatch')).toHaveLength(whilePaused);
      expect((await handle.query(campaignProgressQuery)).paused).toBe(true);

      await handle.signal(resumeCampaignSignal);
      const result = await handle.result();
      expect(sentIds(named)).toEqual(AUDIENCE);
      expect(result.counters.sent).toBe(12);
      expect(named<{ status: string }>('finishCampaign').map((c) => c.input.status)).toEqual(['completed']);
      expect(named('markCampaignRunning')).toHaveLength(1);
    });
  });

  test('continue-as-new at page boundaries: the cursor and counters travel, no recipient twice', async () => {
    const { activities, named } = campaignActivities();
    await withWorker(env, 'campaigns', activities, async (taskQueue) => {
      const handle = await start(env, taskQueue, { pageSize: 2, runHistoryEvents: 10 });
      const firstRunId = (await handle.describe()).runId;
      const result = await handle.result();
      expect(sentIds(named)).toEqual(AUDIENCE);
      expect(result.counters.sent).toBe(12);
      expect(result.runs).toBeGreaterThanOrEqual(2);
      expect((await env.client.workflow.getHandle(handle.workflowId, firstRunId).describe()).status.name).toBe('CONTINUED_AS_NEW');
      // Each page after the first starts after the last contact of the page before.
      const afters = named<{ after: string | null }>('loadAudiencePage').map((c) => c.input.after);
      expect(afters.slice(0, 6)).toEqual([null, 'contact-02', 'contact-04', 'contact-06', 'contact-08', 'contact-10']);
      expect(named('markCampaignRunning')).toHaveLength(1);
    });
  });

  test('cancel stops after the batch in flight and records the campaign cancelled', async () => {
    const { activities, named } = campaignActivities({ batchDelayMs: 300 });
    await withWorker(env, 'campaigns', activities, async (taskQueue) => {
      const handle = await start(env, taskQueue, { rateLimitPerSecond: 3 });
      await until(() => named('sendCampaignBatch')[0], 5000, 'the first batch');
      await handle.signal(cancelCampaignSignal);
      await handle.result();
      expect(sentIds(named).length).toBeLessThan(AUDIENCE.length);
      expect(named<{ status: string; reason: string }>('finishCampaign').map((c) => c.input)).toEqual([expect.objectContaining({ status: 'cancelled', reason: 'cancelled by a manager' })]);
    });
  });

  test('a scheduled run waits for its time; cancelling before it ends the run without sending', async () => {
    const { activities, named } = campaignActivities();
    await withWorker(env, 'campaigns', activities, async (taskQueue) => {
      const handle = await start(env, taskQueue, { scheduledAt: Date.now() + 60_000 });
      await until(async () => ((await handle.query(campaignProgressQuery)).phase === 'waiting' ? true : undefined));
      await handle.signal(cancelCampaignSignal);
      await handle.result();
      expect(named('markCampaignRunning')).toEqual([]);
      expect(named('sendCampaignBatch')).toEqual([]);
      expect(named<{ status: string; reason: string }>('finishCampaign')[0].input).toMatchObject({ status: 'cancelled', reason: 'cancelled before it started' });
    });
  });

  test('a batch that fails for good fails the run with its reason', async () => {
    const { activities, named } = campaignActivities({ failBatch: true });
    await withWorker(env, 'campaigns', activities, async (taskQueue) => {
      const handle = await start(env, taskQueue);
      await handle.result();
      expect(named<{ status: string; reason: string }>('finishCampaign')[0].input).toMatchObject({ status: 'failed', reason: 'the sending inbox was deleted' });
    });
  });
});
