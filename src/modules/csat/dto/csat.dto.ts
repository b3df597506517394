import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsInt, IsISO8601, IsNotEmpty, IsOptional, IsString, IsUUID, Max, MaxLength, Min } from 'class-validator';
import type { ServiceConfig } from '../../../config/config';
import { CSAT_COMMENT_MAX, CSAT_SCALE } from '../csat-rating';
import { surveyUrl } from '../csat-survey-sender';
import type { CsatSurvey } from '../csat-survey.entity';
import { CSAT_REPORT_GROUPS, type CsatReportGroup } from '../use-cases/get-csat-report.use-case';

export class SendCsatSurveyDto {
  @ApiPropertyOptional({
    example: 'How did we do, {{contact.first_name}}?',
    description: "The question; may use variables. Default: the inbox's CSAT question.",
  })
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(1000)
  question?: string;
}

export class RateCsatSurveyDto {
  @ApiProperty({ minimum: 1, maximum: CSAT_SCALE, example: 5 })
  @IsInt()
  @Min(1)
  @Max(CSAT_SCALE)
  rating!: number;

  @ApiPropertyOptional({ maxLength: CSAT_COMMENT_MAX, description: 'Replaces the stored comment; "" removes it; omitted keeps it.' })
  @IsOptional()
  @IsString()
  @MaxLength(CSAT_COMMENT_MAX)
  comment?: string;
}

export class CsatReportQuery {
  @ApiPropertyOptional({ example: '2026-03-01', description: 'ISO date or date-time; default 30 days before `to`' })
  @IsOptional()
  @IsISO8601({ strict: true })
  from?: string;

  @ApiPropertyOptional({ example: '2026-03-31', description: 'ISO date-time (exclusive) or date (that day included); default now' })
  @IsOptional()
  @IsISO8601({ strict: true })
  to?: string;

  @ApiPropertyOptional({ format: 'uuid', description: 'Only this inbox (you must manage it)' })
  @IsOptional()
  @IsUUID()
  inboxId?: string;

  @ApiPropertyOptional({ format: 'uuid', description: 'Only surveys of conversations this agent held when resolved' })
  @IsOptional()
  @IsUUID()
  agentId?: string;

  @ApiPropertyOptional({ enum: CSAT_REPORT_GROUPS, default: 'inbox', description: "Periods are days, ISO weeks (Monday) and months in the account's time zone" })
  @IsOptional()
  @IsIn(CSAT_REPORT_GROUPS)
  groupBy?: CsatReportGroup;
}

export class CsatSurveyView {
  @ApiProperty() id!: string;
  @ApiProperty() conversationId!: string;
  @ApiProperty() inboxId!: string;
  @ApiProperty({ nullable: true, type: String, description: 'Who held the conversation when the survey was sent' }) agentId!: string | null;
  @ApiProperty({ description: 'The resolution (its resolvedAt) or manual:<uuid>' }) resolutionKey!: string;
  @ApiProperty() question!: string;
  @ApiProperty({ description: 'The public rating link sent to the customer' }) url!: string;
  @ApiProperty({ nullable: true, type: String }) messageId!: string | null;
  @ApiProperty({ nullable: true, type: String }) sentAt!: string | null;
  @ApiProperty({ nullable: true, type: Number, minimum: 1, maximum: CSAT_SCALE }) rating!: number | null;
  @ApiProperty({ nullable: true, type: String }) comment!: string | null;
  @ApiProperty({ nullable: true, type: String }) ratedAt!: string | null;

  static of(s: CsatSurvey, config: ServiceConfig): CsatSurveyView {
    return {
      id: s.id,
      conversationId: s.conversation.id,
      inboxId: s.inboxId,
      agentId: s.agentId,
      resolutionKey: s.resolutionKey,
      question: s.question,
      url: surveyUrl(config, s.token),
      messageId: s.messageId === null ? null : String(s.messageId),
      sentAt: s.sentAt?.toISOString() ?? null,
      rating: s.rating,
      comment: s.comment,
      ratedAt: s.ratedAt?.toISOString() ?? null,
    };
  }
}

export class PublicCsatSurveyView {
  @ApiProperty() question!: string;
  @ApiProperty({ example: 5 }) scale!: number;
  @ApiProperty({ nullable: true, type: Number }) rating!: number | null;
  @ApiProperty({ nullable: true, type: String }) comment!: string | null;
  @ApiProperty({ nullable: true, type: String }) ratedAt!: string | null;
  @ApiProperty() sentAt!: string;
  @ApiProperty({ description: 'Whether a rating can still be given or changed' }) canChange!: boolean;
  @ApiProperty({ description: 'Ratings are accepted until then' }) changeableUntil!: string;
}

export class CsatReportRowView {
  @ApiProperty({ nullable: true, type: String, description: 'Inbox or agent id (null: no agent), period ("2026-03-02", "2026-03") or "total"' })
  key!: string | null;
  @ApiProperty() label!: string;
  @ApiProperty() surveysSent!: number;
  @ApiProperty() responses!: number;
  @ApiProperty({ nullable: true, type: Number, description: 'Mean rating, 2 decimals' }) averageRating!: number | null;
  @ApiProperty({ nullable: true, type: Number, description: 'Share of responses rated 4 or 5 (0-1)' }) satisfiedShare!: number | null;
  @ApiProperty({ nullable: true, type: Number, description: 'responses / surveysSent (0-1)' }) responseRate!: number | null;
}

export class CsatReportView {
  @ApiProperty() from!: string;
  @ApiProperty() to!: string;
  @ApiProperty({ example: 'Europe/Berlin', description: "The account's time zone the periods are in" }) timezone!: string;
  @ApiProperty({ enum: CSAT_REPORT_GROUPS }) groupBy!: CsatReportGroup;
  @ApiProperty({ type: [CsatReportRowView] }) rows!: CsatReportRowView[];
  @ApiProperty({ type: CsatReportRowView }) total!: CsatReportRowView;
}

