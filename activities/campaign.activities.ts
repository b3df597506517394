import { Context } from '@temporalio/activity';
import type { CampaignRunBookkeepingUseCase } from '../src/modules/campaigns/use-cases/campaign-run-bookkeeping.use-case';
import type { CampaignBatchResult, SendCampaignBatchUseCase } from '../src/modules/campaigns/use-cases/send-campaign-batch.use-case';
import { asActivity } from './errors';

/** Well under the campaign workflow's heartbeat timeout (5 s). */
const HEARTBEAT_EVERY_MS = 1000;

export interface CampaignActivityDeps {
  sendCampaignBatch: SendCampaignBatchUseCase;
  campaignRunBookkeeping: CampaignRunBookkeepingUseCase;
}

/** The campaign-run workflow's side effects (registered on the campaigns task queue's worker). */
export function createCampaignActivities(deps: CampaignActivityDeps) {
  return {
    markCampaignRunning(input: { campaignId: string }) {
      return asActivity(() => deps.campaignRunBookkeeping.markRunning(input));
    },
    loadAudiencePage(input: { campaignId: string; after: string | null; limit: number }) {
      return asActivity(() => deps.campaignRunBookkeeping.loadPage(input));
    },
    loadDeferredRecipients(input: { campaignId: string; limit: number }) {
      return asActivity(() => deps.campaignRunBookkeeping.loadDeferred(input));
    },
    finishCampaign(input: { campaignId: string; status: 'completed' | 'cancelled' | 'failed'; reason: string | null }) {
      return asActivity(() => deps.campaignRunBookkeeping.finish(input));
    },
    /**
     * Heartbeats after every recipient and every second while waiting (on pacing or a slow provider), so
     * only a dead worker misses the heartbeat timeout: its batch is retried then, and never while a live
     * attempt is still calling the provider.
     */
    async sendCampaignBatch(input: { campaignId: string; contactIds: string[]; pace?: { firstDueAt: number; intervalMs: number } }): Promise<CampaignBatchResult> {
      const ctx = Context.current();
      const beat = setInterval(() => ctx.heartbeat(), HEARTBEAT_EVERY_MS);
      try {
        return await asActivity(() => deps.sendCampaignBatch.execute(input, () => ctx.heartbeat()));
      } finally {
        clearInterval(beat);
      }
    },
  };
}

export type CampaignActivities = ReturnType<typeof createCampaignActivities>;
