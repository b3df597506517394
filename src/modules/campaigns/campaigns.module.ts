import { Module } from '@nestjs/common';
import { ChannelsModule } from '../channels/channels.module';
import { CampaignAccess } from './campaign-access';
import { CampaignsController } from './campaigns.controller';
import { FinishCampaignUseCase } from './use-cases/finish-campaign.use-case';
import { LoadAudiencePageUseCase } from './use-cases/load-audience-page.use-case';
import { LoadDeferredRecipientsUseCase } from './use-cases/load-deferred-recipients.use-case';
import { MarkCampaignRunningUseCase } from './use-cases/mark-campaign-running.use-case';
import { ListCampaignsUseCase } from './use-cases/list-campaigns.use-case';
import { CampaignProgressUseCase, ControlCampaignUseCase, GetCampaignUseCase } from './use-cases/run-campaign.use-cases';
import { CreateCampaignUseCase, UpdateCampaignUseCase } from './use-cases/save-campaign.use-cases';
import { SendCampaignBatchUseCase } from './use-cases/send-campaign-batch.use-case';

/** What the campaign-run workflow's activities call. */
const RUN_ACTIVITY_USE_CASES = [MarkCampaignRunningUseCase, LoadAudiencePageUseCase, LoadDeferredRecipientsUseCase, SendCampaignBatchUseCase, FinishCampaignUseCase];

/** Campaigns: the API (list, drafts, start/pause/resume/cancel, progress) and the campaign-run activities' use cases. */
@Module({
  imports: [ChannelsModule],
  controllers: [CampaignsController],
  providers: [
    CampaignAccess,
    CreateCampaignUseCase,
    UpdateCampaignUseCase,
    GetCampaignUseCase,
    ControlCampaignUseCase,
    CampaignProgressUseCase,
    ListCampaignsUseCase,
    ...RUN_ACTIVITY_USE_CASES,
  ],
  exports: RUN_ACTIVITY_USE_CASES,
})
export class CampaignsModule {}
