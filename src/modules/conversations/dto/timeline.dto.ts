import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import { DECISION_KINDS } from '../conversation-decision.entity';
import { DELIVERY_STATUSES, MESSAGE_DIRECTIONS, SENDER_TYPES } from '../message.entity';
import { TIMELINE_DEFAULT_LIMIT, TIMELINE_MAX_LIMIT, type Timeline, type TimelineItem } from '../use-cases/get-conversation-timeline.use-case';

export class TimelineQuery {
  @ApiPropertyOptional({ description: 'nextCursor of the previous page' }) @IsOptional() @IsString() @MaxLength(500) after?: string;

  @ApiPropertyOptional({ default: TIMELINE_DEFAULT_LIMIT, minimum: 1, maximum: TIMELINE_MAX_LIMIT })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(TIMELINE_MAX_LIMIT)
  limit?: number;
}

export class TimelineItemView implements TimelineItem {
  @ApiProperty({ description: 'ISO time' }) at!: string;
  @ApiProperty({ enum: ['message', 'decision'] }) type!: 'message' | 'decision';
  @ApiProperty({
    description: 'Messages: their direction; decisions: their kind',
    enum: [...MESSAGE_DIRECTIONS, ...DECISION_KINDS],
  })
  kind!: string;
  @ApiProperty({ description: 'Messages: "<direction> <senderType>: <first 200 characters>"; decisions: why, in words' }) summary!: string;
  @ApiPropertyOptional() messageId?: string;
  @ApiPropertyOptional() decisionId?: string;
  @ApiPropertyOptional({ enum: MESSAGE_DIRECTIONS }) direction?: string;
  @ApiPropertyOptional({ enum: SENDER_TYPES }) senderType?: string;
  @ApiPropertyOptional({ enum: DELIVERY_STATUSES }) deliveryStatus?: string;
  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: true,
    description: 'Decisions: the facts behind them (rule, candidates and loads, interval, reason); failed messages: { error }',
  })
  details?: Record<string, unknown>;
  @ApiPropertyOptional({ format: 'uuid', description: 'Decisions taken by a person: who' }) actorUserId?: string;
}

export class TimelineView implements Timeline {
  @ApiProperty() conversationId!: string;
  @ApiProperty({ description: 'The conversation workflow in Temporal (its history has the same decisions)', example: 'conversation:<id>' })
  workflowId!: string;
  @ApiProperty({ type: [TimelineItemView], description: 'Oldest first: by time, a message before the decisions it caused, then id' })
  items!: TimelineItemView[];
  @ApiProperty({ nullable: true, type: String, description: 'Pass as after for the next page; null at the end' }) nextCursor!: string | null;
}
