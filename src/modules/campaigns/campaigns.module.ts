import { Module } from '@nestjs/common';
import { ChannelsModule } from '../channels/channels.module';
import { CampaignAccess } from './campaign-access';
import { CampaignWorkflows } from './campaign-workflows';
import { CampaignsController } from './campaigns.controller';
import { CampaignRunBookkeepingUseCase } from './use-cases/campaign-run-bookkeeping.use-case';
import { ListCampaignsUseCase } from './use-cases/list-campaigns.use-case';
import { CampaignProgressUseCase, ControlCampaignUseCase, GetCampaignUseCase } from './use-cases/run-campaign.use-cases';
import { CreateCampaignUseCase, UpdateCampaignUseCase } from './use-cases/save-campaign.use-cases';
import { SendCampaignBatchUseCase } from './use-cases/send-campaign-batch.use-case';

/** Campaigns: the API (list, drafts, start/pause/resume/cancel, progress) and the campaign-run activities' use cases. */
@Module({
  imports: [ChannelsModule],
  controllers: [CampaignsController],
  providers: [
    CampaignAccess,
    CampaignWorkflows,
    CreateCampaignUseCase,
    UpdateCampaignUseCase,
    GetCampaignUseCase,
    ControlCampaignUseCase,
    CampaignProgressUseCase,
    ListCampaignsUseCase,
    SendCampaignBatchUseCase,
    CampaignRunBookkeepingUseCase,
  ],
  exports: [SendCampaignBatchUseCase, CampaignRunBookkeepingUseCase],
})
export class CampaignsModule {}
