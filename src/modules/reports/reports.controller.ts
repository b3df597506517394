import { Controller, Get, Query, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { ApiErrors } from '../../common/api-errors';
import { type Actor, CurrentActor } from '../auth/actor';
import { CampaignResultsQuery, CampaignResultsView, ConversationReportQuery, ConversationReportView } from './conversation-report.dto';
import { GetCampaignResultsUseCase } from './get-campaign-results.use-case';
import { GetConversationReportUseCase } from './get-conversation-report.use-case';
import { GetVolumeReportUseCase } from './get-volume-report.use-case';
import { campaignResultsCsv, conversationReportCsv } from './report-csv';
import { VolumeReportQuery, VolumeReportView } from './volume-report.dto';

const REPORT_ERRORS = {
  FORBIDDEN: 'Needs the manager role in the inbox (or in any inbox without inboxId)',
  NOT_FOUND: 'inboxId, agentId or teamId names nothing of the account',
} as const;

const CONVERSATIONS_DESCRIPTION =
  'Recomputed from the event log at every call (nothing is frozen when an event is written): first response, reply and resolution ' +
  "times (average, median, p90, in calendar time and in the inbox's current business hours) and conversations created / resolved, " +
  "by period (account time zone), inbox, agent and team. The answer's `definitions` say exactly what each figure counts.";

@ApiTags('reports')
@Controller('api/v1/reports')
export class ReportsController {
  constructor(
    private readonly volume: GetVolumeReportUseCase,
    private readonly conversations: GetConversationReportUseCase,
    private readonly campaigns: GetCampaignResultsUseCase,
  ) {}

  @Get('volume')
  @ApiOperation({
    summary: 'Conversations created and resolved, by day or week and by inbox (administrators: every inbox; managers: the inboxes they manage)',
    description: "Counted from the conversations' event log; a conversation counts in its current inbox.",
  })
  @ApiOkResponse({ type: VolumeReportView })
  @ApiErrors({ FORBIDDEN: 'Needs the manager role in the inbox (or in any inbox without inboxId)', NOT_FOUND: 'inboxId names no inbox of the account' })
  volumeReport(@CurrentActor() actor: Actor, @Query() query: VolumeReportQuery): Promise<VolumeReportView> {
    return this.volume.execute({ ...query, actor });
  }

  @Get('conversations')
  @ApiOperation({ summary: 'Conversation metrics (administrators: every inbox; managers: the inboxes they manage)', description: CONVERSATIONS_DESCRIPTION })
  @ApiOkResponse({ type: ConversationReportView })
  @ApiErrors(REPORT_ERRORS)
  conversationReport(@CurrentActor() actor: Actor, @Query() query: ConversationReportQuery): Promise<ConversationReportView> {
    return this.conversations.execute({ ...query, actor });
  }

  @Get('conversations.csv')
  @ApiOperation({
    summary: 'Conversation metrics as CSV',
    description: 'The same report as GET /reports/conversations, one row per total, period, inbox, agent and team (column `grouping`); durations in seconds.',
  })
  @ApiProduces('text/csv')
  @ApiOkResponse({ description: 'CSV', schema: { type: 'string' } })
  @ApiErrors(REPORT_ERRORS)
  async conversationReportCsv(@CurrentActor() actor: Actor, @Query() query: ConversationReportQuery, @Res() res: Response): Promise<void> {
    const report = await this.conversations.execute({ ...query, actor });
    res.status(200).setHeader('content-type', 'text/csv; charset=utf-8');
    res.setHeader('content-disposition', 'attachment; filename="conversation-report.csv"');
    res.end(conversationReportCsv(report));
  }

  @Get('campaigns')
  @ApiOperation({
    summary: 'Campaign results: sent, delivered, failed, opted out, replies within 7 days (administrators: every inbox; managers: their inboxes)',
    description: "Campaigns started in the range; the answer's `definitions` say what each figure counts.",
  })
  @ApiOkResponse({ type: CampaignResultsView })
  @ApiErrors({ FORBIDDEN: REPORT_ERRORS.FORBIDDEN, NOT_FOUND: 'inboxId names no inbox of the account' })
  campaignResults(@CurrentActor() actor: Actor, @Query() query: CampaignResultsQuery): Promise<CampaignResultsView> {
    return this.campaigns.execute({ ...query, actor });
  }

  @Get('campaigns.csv')
  @ApiOperation({ summary: 'Campaign results as CSV', description: 'The same rows as GET /reports/campaigns.' })
  @ApiProduces('text/csv')
  @ApiOkResponse({ description: 'CSV', schema: { type: 'string' } })
  @ApiErrors({ FORBIDDEN: REPORT_ERRORS.FORBIDDEN, NOT_FOUND: 'inboxId names no inbox of the account' })
  async campaignResultsCsv(@CurrentActor() actor: Actor, @Query() query: CampaignResultsQuery, @Res() res: Response): Promise<void> {
    const results = await this.campaigns.execute({ ...query, actor });
    res.status(200).setHeader('content-type', 'text/csv; charset=utf-8');
    res.setHeader('content-disposition', 'attachment; filename="campaign-results.csv"');
    res.end(campaignResultsCsv(results));
  }
}
