import { Module } from '@nestjs/common';
import { ConversationsModule } from '../conversations/conversations.module';
import { CsatController, CsatPublicController } from './csat.controller';
import { CsatRepliesModule } from './csat-replies.module';
import { CsatSurveySender } from './csat-survey-sender';
import { GetCsatReportUseCase } from './use-cases/get-csat-report.use-case';
import { GetCsatSurveyByTokenUseCase } from './use-cases/get-csat-survey-by-token.use-case';
import { RateCsatSurveyUseCase } from './use-cases/rate-csat-survey.use-case';
import { SendCsatSurveyUseCase } from './use-cases/send-csat-survey.use-case';
import { SendManualCsatSurveyUseCase } from './use-cases/send-manual-csat-survey.use-case';

/**
 * Satisfaction surveys: sent after a resolution (SendCsatSurveyUseCase, run by the conversation
 * workflow's activity) or by hand, rated through the public link or by reply (CsatReplies, in
 * CsatRepliesModule for the inbound path), and reported by inbox, agent or period.
 */
@Module({
  imports: [ConversationsModule, CsatRepliesModule],
  controllers: [CsatController, CsatPublicController],
  providers: [CsatSurveySender, SendCsatSurveyUseCase, SendManualCsatSurveyUseCase, GetCsatSurveyByTokenUseCase, RateCsatSurveyUseCase, GetCsatReportUseCase],
  exports: [SendCsatSurveyUseCase, CsatSurveySender, CsatRepliesModule],
})
export class CsatModule {}
