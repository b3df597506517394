import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, IsArray, IsInt, IsISO8601, IsOptional, IsString, IsUUID, Max, MaxLength, Min } from 'class-validator';
import { NestedObjects } from '../../../common/validation';
import { CreateAutomationRuleDto } from './automation-rule.dto';
import { WHAT_IF_DEFAULT_LAST, WHAT_IF_DEFAULT_LIMIT, WHAT_IF_MAX_LIMIT, WHAT_IF_MAX_RULES, type WhatIfResult } from '../use-cases/what-if.use-case';

export class WhatIfDto {
  @ApiProperty({ format: 'uuid', description: 'The inbox whose recorded conversations are replayed (you must manage it)' }) @IsUUID() inboxId!: string;

  @ApiPropertyOptional({ type: [CreateAutomationRuleDto], description: 'Draft rules, in order: bodies as POST /automation-rules takes them (enabled and position do not matter here)' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(WHAT_IF_MAX_RULES)
  @NestedObjects(() => CreateAutomationRuleDto)
  rules?: CreateAutomationRuleDto[];

  @ApiPropertyOptional({ type: [String], description: 'Or saved rules, in this order' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(WHAT_IF_MAX_RULES)
  @IsUUID('all', { each: true })
  ruleIds?: string[];

  @ApiPropertyOptional({ default: WHAT_IF_DEFAULT_LAST, minimum: 1, description: 'The last N recorded conversations (by creation, most recent first); at most AUTOMATION_WHAT_IF_MAX_CONVERSATIONS' })
  @IsOptional()
  @IsInt()
  @Min(1)
  last?: number;

  @ApiPropertyOptional({ description: 'Or a period: conversations created from this instant (ISO)' }) @IsOptional() @IsISO8601({ strict: true }) from?: string;
  @ApiPropertyOptional({ description: '... until this instant, exclusive (ISO)' }) @IsOptional() @IsISO8601({ strict: true }) to?: string;
  @ApiPropertyOptional({ description: 'nextCursor of the previous answer' }) @IsOptional() @IsString() @MaxLength(500) cursor?: string;

  @ApiPropertyOptional({ default: WHAT_IF_DEFAULT_LIMIT, minimum: 1, maximum: WHAT_IF_MAX_LIMIT, description: 'Per-conversation results per page' })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(WHAT_IF_MAX_LIMIT)
  limit?: number;
}

export class WhatIfView implements WhatIfResult {
  @ApiProperty() inboxId!: string;
  @ApiProperty({ type: 'object', additionalProperties: true, description: '{ last } or { from, to }' }) selection!: WhatIfResult['selection'];
  @ApiProperty({ description: 'Conversations replayed' }) conversations!: number;
  @ApiProperty() eventsReplayed!: number;
  @ApiProperty() timersEvaluated!: number;
  @ApiProperty({ description: 'The replay stopped early (the cap or the time budget): the figures cover the most recent conversations only' }) truncated!: boolean;
  @ApiProperty({ nullable: true, type: String }) truncatedReason!: string | null;
  @ApiProperty({
    type: 'array',
    items: { type: 'object', additionalProperties: true },
    description: 'Per rule: conversations it would have hit, firings, skipped evaluations, and per action the comparison with what happened (alreadySo, doneLater, doneLaterByPerson, customerWroteAfter, agentRepliedAfter) and a text',
  })
  rules!: WhatIfResult['rules'];
  @ApiProperty({
    type: 'array',
    items: { type: 'object', additionalProperties: true },
    description: 'Conversations where a rule would have fired: the firings (event or timer, when, conditions, actions side by side with what happened) and what the conversation came to',
  })
  results!: WhatIfResult['results'];
  @ApiProperty({ nullable: true, type: String }) nextCursor!: string | null;
  @ApiProperty({ type: 'object', additionalProperties: true }) scanned!: WhatIfResult['scanned'];
  @ApiProperty({ type: [String], description: 'What the simulation cannot know' }) limits!: string[];
}
