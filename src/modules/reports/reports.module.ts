import { Module } from '@nestjs/common';
import { GetCampaignResultsUseCase } from './get-campaign-results.use-case';
import { GetConversationReportUseCase } from './get-conversation-report.use-case';
import { GetVolumeReportUseCase } from './get-volume-report.use-case';
import { ReportsController } from './reports.controller';

/** Reports over the conversations' event log and campaign results (the CSAT report lives in the CSAT module). */
@Module({
  controllers: [ReportsController],
  providers: [GetVolumeReportUseCase, GetConversationReportUseCase, GetCampaignResultsUseCase],
})
export class ReportsModule {}
