import { Module } from '@nestjs/common';
import { ChannelsModule } from '../channels/channels.module';
import { CampaignAccess } from './campaign-access';
import { CampaignsController } from './campaigns.controller';
import { CancelCampaignUseCase } from './use-cases/cancel-campaign.use-case';
import { CreateCampaignUseCase } from './use-cases/create-campaign.use-case';
import { FinishCampaignUseCase } from './use-cases/finish-campaign.use-case';
import { GetCampaignProgressUseCase } from './use-cases/get-campaign-progress.use-case';
import { GetCampaignUseCase } from './use-cases/get-campaign.use-case';
import { LoadAudiencePageUseCase } from './use-cases/load-audience-page.use-case';
import { LoadDeferredRecipientsUseCase } from './use-cases/load-deferred-recipients.use-case';
import { MarkCampaignRunningUseCase } from './use-cases/mark-campaign-running.use-case';
import { ListCampaignsUseCase } from './use-cases/list-campaigns.use-case';
import { PauseCampaignUseCase } from './use-cases/pause-campaign.use-case';
import { PreviewCampaignAudienceUseCase } from './use-cases/preview-campaign-audience.use-case';
import { PreviewAudienceDraftUseCase } from './use-cases/preview-audience-draft.use-case';
import { ResumeCampaignUseCase } from './use-cases/resume-campaign.use-case';
import { SendCampaignBatchUseCase } from './use-cases/send-campaign-batch.use-case';
import { StartCampaignUseCase } from './use-cases/start-campaign.use-case';
import { UpdateCampaignUseCase } from './use-cases/update-campaign.use-case';

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
    PreviewCampaignAudienceUseCase,
    PreviewAudienceDraftUseCase,
    StartCampaignUseCase,
    PauseCampaignUseCase,
    ResumeCampaignUseCase,
    CancelCampaignUseCase,
    GetCampaignProgressUseCase,
    ListCampaignsUseCase,
    ...RUN_ACTIVITY_USE_CASES,
  ],
  exports: RUN_ACTIVITY_USE_CASES,
})
export class CampaignsModule {}
