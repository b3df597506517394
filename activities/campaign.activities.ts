import { Context } from '@temporalio/activity';
import type { FinishCampaignUseCase } from '../src/modules/campaigns/use-cases/finish-campaign.use-case';
import type { LoadAudiencePageUseCase } from '../src/modules/campaigns/use-cases/load-audience-page.use-case';
import type { LoadDeferredRecipientsUseCase } from '../src/modules/campaigns/use-cases/load-deferred-recipients.use-case';
import type { MarkCampaignRunningUseCase } from '../src/modules/campaigns/use-cases/mark-campaign-running.use-case';
import type { CampaignBatchResult, SendCampaignBatchInput, SendCampaignBatchUseCase } from '../src/modules/campaigns/use-cases/send-campaign-batch.use-case';
import { asActivity } from './errors';

/** Well under the campaign workflow's heartbeat timeout (5 s). */
const HEARTBEAT_EVERY_MS = 1000;

export interface CampaignActivityDeps {
  markCampaignRunning: MarkCampaignRunningUseCase;
  loadAudiencePage: LoadAudiencePageUseCase;
  loadDeferredRecipients: LoadDeferredRecipientsUseCase;
  sendCampaignBatch: SendCampaignBatchUseCase;
  finishCampaign: FinishCampaignUseCase;
}

/** The campaign-run workflow's side effects (registered on the campaigns task queue's worker). */
export function createCampaignActivities(deps: CampaignActivityDeps) {
  return {
    markCampaignRunning(input: { campaignId: string }) {
      return asActivity(() => deps.markCampaignRunning.execute(input));
    },
    loadAudiencePage(input: { campaignId: string; after: string | null; limit: number }) {
      return asActivity(() => deps.loadAudiencePage.execute(input));
    },
    loadDeferredRecipients(input: { campaignId: string; limit: number }) {
      return asActivity(() => deps.loadDeferredRecipients.execute(input));
    },
    finishCampaign(input: { campaignId: string; status: 'completed' | 'cancelled' | 'failed'; reason: string | null }) {
      return asActivity(() => deps.finishCampaign.execute(input));
    },
    /**
     * Heartbeats after every recipient and every second while waiting (on pacing or a slow provider), so
     * only a dead worker misses the heartbeat timeout: its batch is retried then, and never while a live
     * attempt is still calling the provider.
     */
    async sendCampaignBatch(input: Omit<SendCampaignBatchInput, 'heartbeat'>): Promise<CampaignBatchResult> {
      const ctx = Context.current();
      const beat = setInterval(() => ctx.heartbeat(), HEARTBEAT_EVERY_MS);
      try {
        return await asActivity(() => deps.sendCampaignBatch.execute({ ...input, heartbeat: () => ctx.heartbeat() }));
      } finally {
        clearInterval(beat);
      }
    },
  };
}

export type CampaignActivities = ReturnType<typeof createCampaignActivities>;
