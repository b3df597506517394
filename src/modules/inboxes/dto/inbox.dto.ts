import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsNotEmpty,
  IsObject,
  IsOptional,
  IsString,
  IsUUID,
  Matches,
  Max,
  MaxLength,
  Min,
  ValidateIf,
} from 'class-validator';
import { NestedObject, NestedObjects } from '../../../common/validation';
import { INBOX_ROLES, type InboxRole } from '../inbox-membership.entity';
import type { InboxSettings } from '../inbox-settings';
import { CHANNEL_TYPES, type ChannelType, Inbox } from '../inbox.entity';

const HHMM = /^([01]\d|2[0-3]):[0-5]\d$|^24:00$/;

export class TimeIntervalDto {
  @ApiProperty({ example: '09:00' }) @Matches(HHMM, { message: 'must be HH:MM (00:00-24:00)' }) start!: string;
  @ApiProperty({ example: '17:30' }) @Matches(HHMM, { message: 'must be HH:MM (00:00-24:00)' }) end!: string;
}

export class BusinessHoursDto {
  @ApiPropertyOptional() @IsOptional() @IsBoolean() enabled?: boolean;
  @ApiPropertyOptional({ example: 'Europe/Berlin' }) @IsOptional() @IsString() @MaxLength(64) timezone?: string;
  @ApiPropertyOptional({ description: 'Per weekday (mon..sun) a list of {start,end}; end <= start runs across midnight' })
  @IsOptional()
  @IsObject()
  intervals?: Record<string, TimeIntervalDto[]>;
  @ApiPropertyOptional({ description: 'Per date (YYYY-MM-DD) the intervals of that day; [] = closed' })
  @IsOptional()
  @IsObject()
  exceptions?: Record<string, TimeIntervalDto[]>;
  @ApiPropertyOptional({ nullable: true }) @IsOptional() @ValidateIf((_o, v) => v !== null) @IsString() @MaxLength(5000) outOfOfficeMessage?: string | null;
}

export class CsatDto {
  @ApiPropertyOptional() @IsOptional() @IsBoolean() enabled?: boolean;
  @ApiPropertyOptional() @IsOptional() @IsString() @IsNotEmpty() @MaxLength(1000) question?: string;
  @ApiPropertyOptional({ enum: [5] }) @IsOptional() @IsIn([5]) scale?: 5;
  @ApiPropertyOptional({ minimum: 0, maximum: 604800 }) @IsOptional() @IsInt() @Min(0) @Max(604800) delaySeconds?: number;
}

export class RuleTargetDto {
  @ApiProperty({ enum: ['team', 'agent', 'ai_agent'] }) @IsIn(['team', 'agent', 'ai_agent']) type!: string;
  @ApiPropertyOptional() @ValidateIf((o: RuleTargetDto) => o.type !== 'ai_agent') @IsUUID() id?: string;
}

export class RoutingRuleDto {
  @ApiProperty() @IsString() @IsNotEmpty() @MaxLength(200) name!: string;
  @ApiProperty({ enum: ['all', 'any'] }) @IsIn(['all', 'any']) match!: string;
  /** Checked against the attribute catalog by the use case (validateRoutingConditions), which names each field. */
  @ApiProperty({
    type: 'array',
    items: { type: 'object', additionalProperties: true },
    description:
      'Conditions {attribute, operator, value} (e.g. {"attribute": "contact.vip", "operator": "equals", "value": true}) or nested groups {"all": [...]} / {"any": [...]}, combined by match',
  })
  @IsArray()
  @ArrayMaxSize(50)
  @IsObject({ each: true, message: 'each item must be an object' })
  conditions!: object[];
  @ApiProperty({ type: RuleTargetDto }) @NestedObject(() => RuleTargetDto) target!: RuleTargetDto;
}

export class RoutingDto {
  @ApiPropertyOptional({ type: [RoutingRuleDto] }) @IsOptional() @IsArray() @ArrayMaxSize(100) @NestedObjects(() => RoutingRuleDto) rules?: RoutingRuleDto[];
  @ApiPropertyOptional() @IsOptional() @IsBoolean() aiAgentEnabled?: boolean;
  @ApiPropertyOptional() @IsOptional() @IsBoolean() humanAgentsEnabled?: boolean;
  @ApiPropertyOptional({ enum: ['least_load', 'round_robin'] }) @IsOptional() @IsIn(['least_load', 'round_robin']) distribution?: string;
  @ApiPropertyOptional({ minimum: 1, maximum: 1000 }) @IsOptional() @IsInt() @Min(1) @Max(1000) capacityPerAgent?: number;
}

export class AutoUnassignDto {
  @ApiPropertyOptional() @IsOptional() @IsBoolean() enabled?: boolean;
  /** 30-600 s; the lower bound is AUTO_UNASSIGN_MIN_GRACE_SECONDS (checked with the other settings). */
  @ApiPropertyOptional({ minimum: 30, maximum: 600, default: 120 }) @IsOptional() @IsInt() @Min(1) @Max(600) graceSeconds?: number;
}

export class InboxSettingsDto {
  @ApiPropertyOptional({ enum: ['open', 'assignment'] }) @IsOptional() @IsIn(['open', 'assignment']) assignmentMode?: 'open' | 'assignment';
  @ApiPropertyOptional({ type: BusinessHoursDto }) @IsOptional() @NestedObject(() => BusinessHoursDto) businessHours?: BusinessHoursDto;
  @ApiPropertyOptional({ type: CsatDto }) @IsOptional() @NestedObject(() => CsatDto) csat?: CsatDto;
  @ApiPropertyOptional({ type: RoutingDto }) @IsOptional() @NestedObject(() => RoutingDto) routing?: RoutingDto;
  @ApiPropertyOptional({ type: AutoUnassignDto }) @IsOptional() @NestedObject(() => AutoUnassignDto) autoUnassign?: AutoUnassignDto;
}

export class CreateInboxDto {
  @ApiProperty({ example: 'Support' }) @IsString() @IsNotEmpty() @MaxLength(200) name!: string;
  @ApiProperty({ enum: CHANNEL_TYPES, example: 'api' }) @IsIn(CHANNEL_TYPES) channelType!: ChannelType;
  @ApiPropertyOptional({ nullable: true, description: 'Sent once when a conversation starts; null turns it off.' })
  @IsOptional()
  @ValidateIf((_o, v) => v !== null)
  @IsString()
  @MaxLength(5000)
  welcomeMessage?: string | null;
  @ApiPropertyOptional({ type: InboxSettingsDto }) @IsOptional() @NestedObject(() => InboxSettingsDto) settings?: InboxSettingsDto;
}

export class UpdateInboxDto {
  @ApiPropertyOptional() @IsOptional() @IsString() @IsNotEmpty() @MaxLength(200) name?: string;
  @ApiPropertyOptional({ nullable: true }) @IsOptional() @ValidateIf((_o, v) => v !== null) @IsString() @MaxLength(5000) welcomeMessage?: string | null;
  @ApiPropertyOptional({ type: InboxSettingsDto }) @IsOptional() @NestedObject(() => InboxSettingsDto) settings?: InboxSettingsDto;
}

export class SetMemberDto {
  @ApiProperty({ enum: INBOX_ROLES }) @IsIn(INBOX_ROLES) role!: InboxRole;
}

export class InboxView {
  @ApiProperty() id!: string;
  @ApiProperty() accountId!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ enum: CHANNEL_TYPES }) channelType!: ChannelType;
  @ApiProperty({ nullable: true, type: String }) welcomeMessage!: string | null;
  @ApiProperty() settings!: InboxSettings;
  @ApiProperty({ enum: ['member', 'manager', 'admin'], nullable: true, description: "The caller's role" }) myRole!: string | null;
  @ApiProperty() createdAt!: string;

  static of(i: Inbox, myRole: string | null): InboxView {
    return {
      id: i.id,
      accountId: i.account.id,
      name: i.name,
      channelType: i.channelType,
      welcomeMessage: i.welcomeMessage,
      settings: i.settings,
      myRole,
      createdAt: i.createdAt.toISOString(),
    };
  }
}

export class MemberView {
  @ApiProperty() userId!: string;
  @ApiProperty() name!: string;
  @ApiProperty() email!: string;
  @ApiProperty({ enum: INBOX_ROLES }) role!: InboxRole;
}
