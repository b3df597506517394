import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, IsArray, IsBoolean, IsInt, IsISO8601, IsNotEmpty, IsObject, IsOptional, IsString, IsUUID, Max, MaxLength, Min, ValidateIf } from 'class-validator';
import { NestedObjects } from '../../../common/validation';
import { WHAT_IF_DEFAULT_LAST, WHAT_IF_DEFAULT_LIMIT, WHAT_IF_MAX_LIMIT, WHAT_IF_MAX_RULES, type WhatIfResult } from '../use-cases/what-if.use-case';

/** A rule body as the rules API takes it; trigger, conditions and actions are checked by what-if-draft-rules.ts (the 400 names e.g. rules.0.trigger.minutes). */
export class DraftRuleDto {
  @ApiProperty({ example: 'Refunds' }) @IsString() @IsNotEmpty() @MaxLength(200) name!: string;

  @ApiPropertyOptional({ nullable: true, type: String })
  @IsOptional()
  @ValidateIf((_o, v) => v !== null)
  @IsString()
  @MaxLength(2000)
  description?: string | null;

  @ApiPropertyOptional({ nullable: true, format: 'uuid', description: 'Scope: this inbox only (must be the inbox replayed); null: account-wide' })
  @IsOptional()
  @ValidateIf((_o, v) => v !== null)
  @IsUUID()
  inboxId?: string | null;

  @ApiProperty({ type: 'object', additionalProperties: true, example: { event: 'message_received' }, description: '{ event, from?, to?, tags? } or a time-based { event, minutes, status? }' })
  @IsObject({ message: 'must be an object' })
  trigger!: Record<string, unknown>;

  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: true,
    example: { all: [{ attribute: 'message.content', operator: 'contains', value: 'refund' }] },
    description: 'A condition or a group { all: [...] } / { any: [...] }, nested; default: no conditions',
  })
  @IsOptional()
  @IsObject({ message: 'must be an object' })
  conditions?: Record<string, unknown>;

  @ApiProperty({ type: 'array', items: { type: 'object', additionalProperties: true }, example: [{ type: 'add_tag', tag: 'refund' }] })
  @IsArray()
  @IsObject({ each: true, message: 'each item must be an object' })
  actions!: Record<string, unknown>[];

  @ApiPropertyOptional({ default: false }) @IsOptional() @IsBoolean() stopProcessing?: boolean;
  @ApiPropertyOptional({ default: false }) @IsOptional() @IsBoolean() allowChaining?: boolean;
  @ApiPropertyOptional({ description: 'Accepted and ignored (a draft is replayed whatever it says)' }) @IsOptional() @IsBoolean() enabled?: boolean;
  @ApiPropertyOptional({ description: 'Accepted and ignored (drafts run in the order given)' }) @IsOptional() @IsInt() position?: number;
}

export class WhatIfDto {
  @ApiProperty({ format: 'uuid', description: 'The inbox whose recorded conversations are replayed (you must manage it)' }) @IsUUID() inboxId!: string;

  @ApiPropertyOptional({ type: [DraftRuleDto], description: 'Draft rules, in order' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(WHAT_IF_MAX_RULES)
  @NestedObjects(() => DraftRuleDto)
  rules?: DraftRuleDto[];

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
