import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsISO8601, IsOptional, IsUUID } from 'class-validator';
import { CONVERSATION_REPORT_GROUPS } from './get-conversation-report.use-case';
import type { PeriodGroup } from './zoned-time';

export class ConversationReportQuery {
  @ApiPropertyOptional({ example: '2026-03-01', description: "ISO date (local midnight in the account's time zone) or date-time; default 30 days before `to` (the range is at most 366 days)" })
  @IsOptional()
  @IsISO8601({ strict: true })
  from?: string;

  @ApiPropertyOptional({ example: '2026-03-31', description: 'ISO date-time (exclusive) or date (that local day included); default now' })
  @IsOptional()
  @IsISO8601({ strict: true })
  to?: string;

  @ApiPropertyOptional({ format: 'uuid', description: 'Only this inbox (you must manage it)' })
  @IsOptional()
  @IsUUID()
  inboxId?: string;

  @ApiPropertyOptional({ format: 'uuid', description: 'Only the replies and resolutions credited to this agent' })
  @IsOptional()
  @IsUUID()
  agentId?: string;

  @ApiPropertyOptional({ format: 'uuid', description: "Only the replies and resolutions credited to this team's members" })
  @IsOptional()
  @IsUUID()
  teamId?: string;

  @ApiPropertyOptional({ enum: CONVERSATION_REPORT_GROUPS, default: 'day', description: "Days, ISO weeks (Monday) or months in the account's time zone" })
  @IsOptional()
  @IsIn(CONVERSATION_REPORT_GROUPS, { message: `must be one of: ${CONVERSATION_REPORT_GROUPS.join(', ')}` })
  groupBy?: PeriodGroup;
}

export class StatsView {
  @ApiProperty({ type: 'integer', description: 'How many values' }) count!: number;
  @ApiProperty({ type: Number, nullable: true, description: 'Mean, seconds (0.1 s)' }) average!: number | null;
  @ApiProperty({ type: Number, nullable: true, description: 'Median, seconds' }) median!: number | null;
  @ApiProperty({ type: Number, nullable: true, description: 'Nearest-rank 90th percentile, seconds' }) p90!: number | null;
}

export class MetricFiguresView {
  @ApiProperty({ type: StatsView, description: 'Calendar time' }) calendar!: StatsView;
  @ApiProperty({ type: StatsView, description: "Only the inbox's current business hours" }) business!: StatsView;
}

export class ConversationReportRowView {
  @ApiProperty({ type: String, nullable: true, description: 'Period key (day, Monday of the week, YYYY-MM), inbox/agent/team id (null: no agent), or "total"' })
  key!: string | null;
  @ApiProperty({ example: '2026-W10' }) label!: string;
  @ApiProperty({ type: 'integer', nullable: true, description: 'Conversations started (null on agent and team rows, and with an agent or team filter)' })
  created!: number | null;
  @ApiProperty({ type: 'integer', description: 'Resolutions' }) resolved!: number;
  @ApiProperty({ type: MetricFiguresView }) firstResponse!: MetricFiguresView;
  @ApiProperty({ type: MetricFiguresView }) reply!: MetricFiguresView;
  @ApiProperty({ type: MetricFiguresView }) resolution!: MetricFiguresView;
}

export class ConversationReportDefinitionsView {
  @ApiProperty() humanReply!: string;
  @ApiProperty() conversationStart!: string;
  @ApiProperty() firstResponseTime!: string;
  @ApiProperty() replyTime!: string;
  @ApiProperty() resolutionTime!: string;
  @ApiProperty() created!: string;
  @ApiProperty() resolved!: string;
  @ApiProperty() businessHours!: string;
  @ApiProperty() statistics!: string;
  @ApiProperty() periods!: string;
  @ApiProperty() teams!: string;
}

export class ConversationReportView {
  @ApiProperty({ format: 'date-time' }) from!: string;
  @ApiProperty({ format: 'date-time' }) to!: string;
  @ApiProperty({ example: 'Europe/Berlin', description: "The account's time zone the periods are in" }) timezone!: string;
  @ApiProperty({ enum: CONVERSATION_REPORT_GROUPS }) groupBy!: PeriodGroup;
  @ApiProperty({ type: ConversationReportDefinitionsView, description: 'What each figure means' }) definitions!: ConversationReportDefinitionsView;
  @ApiProperty({ type: ConversationReportRowView }) total!: ConversationReportRowView;
  @ApiProperty({ type: [ConversationReportRowView], description: 'Periods with activity, oldest first' }) periods!: ConversationReportRowView[];
  @ApiProperty({ type: [ConversationReportRowView], description: 'Inboxes with activity, by name' }) inboxes!: ConversationReportRowView[];
  @ApiProperty({ type: [ConversationReportRowView], description: 'Agents credited with replies or resolutions, by name ("No agent" last)' }) agents!: ConversationReportRowView[];
  @ApiProperty({ type: [ConversationReportRowView], description: 'Teams of those agents, by name' }) teams!: ConversationReportRowView[];
}

export class CampaignResultsQuery {
  @ApiPropertyOptional({ example: '2026-03-01', description: 'Campaigns started from (ISO date in the account time zone, or date-time); default 90 days before `to`' })
  @IsOptional()
  @IsISO8601({ strict: true })
  from?: string;

  @ApiPropertyOptional({ example: '2026-03-31', description: 'Until (exclusive date-time, or date included); default now' })
  @IsOptional()
  @IsISO8601({ strict: true })
  to?: string;

  @ApiPropertyOptional({ format: 'uuid', description: 'Only campaigns sent from this inbox (you must manage it)' })
  @IsOptional()
  @IsUUID()
  inboxId?: string;
}

export class CampaignResultTotalView {
  @ApiProperty({ type: 'integer' }) recipients!: number;
  @ApiProperty({ type: 'integer' }) sent!: number;
  @ApiProperty({ type: 'integer' }) delivered!: number;
  @ApiProperty({ type: 'integer' }) failed!: number;
  @ApiProperty({ type: 'integer' }) optedOut!: number;
  @ApiProperty({ type: 'integer', description: 'Recipients who replied within 7 days' }) replied!: number;
}

export class CampaignResultRowView extends CampaignResultTotalView {
  @ApiProperty({ format: 'uuid' }) campaignId!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ format: 'uuid' }) inboxId!: string;
  @ApiProperty() inboxName!: string;
  @ApiProperty() status!: string;
  @ApiProperty({ type: String, nullable: true, format: 'date-time' }) startedAt!: string | null;
}

export class CampaignResultDefinitionsView {
  @ApiProperty() campaigns!: string;
  @ApiProperty() recipients!: string;
  @ApiProperty() sent!: string;
  @ApiProperty() delivered!: string;
  @ApiProperty() failed!: string;
  @ApiProperty() optedOut!: string;
  @ApiProperty() replied!: string;
}

export class CampaignResultsView {
  @ApiProperty({ format: 'date-time' }) from!: string;
  @ApiProperty({ format: 'date-time' }) to!: string;
  @ApiProperty({ type: CampaignResultDefinitionsView }) definitions!: CampaignResultDefinitionsView;
  @ApiProperty({ type: [CampaignResultRowView] }) campaigns!: CampaignResultRowView[];
  @ApiProperty({ type: CampaignResultTotalView }) total!: CampaignResultTotalView;
}
