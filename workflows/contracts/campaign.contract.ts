/**
 * campaign-run:<campaignId> — one workflow per campaign run, on its own task queue
 * (TEMPORAL_CAMPAIGN_TASK_QUEUE). Pages through the audience by contact id and continues-as-new after
 * every page, carrying the cursor and the counters.
 */
import { defineQuery, defineSignal } from '@temporalio/workflow';

export const campaignRunWorkflowId = (campaignId: string): string => `campaign-run:${campaignId}`;

export interface CampaignCounters {
  sent: number;
  failed: number;
  skipped: number;
  optedOut: number;
  /** Deferrals to the end of a recipient's quiet hours (a recipient deferred, then sent, counts here and in sent). */
  deferred: number;
}

export interface CampaignRunState {
  /** The last contact id of the pages done; the next page starts after it. */
  cursor: string | null;
  counters: CampaignCounters;
  paused: boolean;
  cancelled: boolean;
  /** Epoch ms when sending began (after the schedule). */
  startedAt: number | null;
  /** Runs (continue-as-new generations) so far. */
  runs: number;
  /** The rate limit's token bucket (workflow time, epoch ms; recipients taken since), carried across runs. */
  bucket?: { start: number; taken: number };
  /** 'audience': paging through the audience; 'deferred': sending recipients whose quiet hours ended. */
  pass?: 'audience' | 'deferred';
}

export interface CampaignRunInput {
  campaignId: string;
  /** Epoch ms; the run waits for it on a Temporal timer. */
  scheduledAt: number | null;
  /** Messages per second; null: unthrottled. */
  rateLimitPerSecond: number | null;
  /** Recipients per audience page (CAMPAIGN_PAGE_SIZE). */
  pageSize?: number;
  /** Continue as new at the first page boundary after the run's history reached this many events (CAMPAIGN_RUN_HISTORY_EVENTS). */
  runHistoryEvents?: number;
  state?: CampaignRunState;
}

export interface CampaignRunProgress extends CampaignRunState {
  /** waiting: for scheduledAt; quiet-hours: every recipient left is deferred, waiting for the next one due. */
  phase: 'waiting' | 'sending' | 'paused' | 'quiet-hours' | 'finished';
  /** Recipients per second since sending began (pauses included). */
  rate: number;
}

/** The workflow's type (input -> result: the final state): clients start and signal it by this contract, never by its code. */
export type CampaignRunWorkflow = (input: CampaignRunInput) => Promise<CampaignRunState>;
export const campaignRunWorkflowType = 'campaignRunWorkflow';

export const pauseCampaignSignal = defineSignal('pauseCampaign');
export const resumeCampaignSignal = defineSignal('resumeCampaign');
export const cancelCampaignSignal = defineSignal('cancelCampaign');
export const campaignProgressQuery = defineQuery<CampaignRunProgress>('campaignProgress');
