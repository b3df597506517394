import { ApiProperty, ApiPropertyOptional, OmitType, PartialType } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayUnique, IsArray, IsBoolean, IsInt, IsNotEmpty, IsObject, IsOptional, IsString, IsUUID, Max, MaxLength, Min, ValidateIf } from 'class-validator';
import { CONVERSATION_STATUSES } from '../../conversations/conversation.entity';
import { ACTION_TYPES, EVENT_TRIGGERS, TIME_TRIGGERS } from '../automation-rule.types';
import type { AutomationRule } from '../automation-rule.entity';
import { MAX_ACTIONS, MAX_TEMPLATE_LENGTH, MAX_TRIGGER_MINUTES, SETTABLE_STATUSES } from '../rule-validation';

/** At most this many rules in one account (the engine reads them all on every event). */
export const MAX_RULES_PER_ACCOUNT = 500;

// Documentation of the JSON parts. Trigger, conditions and actions are checked by rule-validation.ts
// (every problem named by its field, e.g. actions.2.teamId), not by class-validator.

export class RuleTriggerDoc {
  @ApiProperty({ enum: [...EVENT_TRIGGERS, ...TIME_TRIGGERS], description: 'An event of the conversation, or a time-based trigger (a durable timer in the conversation workflow)' })
  event!: string;
  @ApiPropertyOptional({
    minimum: 0,
    maximum: MAX_TRIGGER_MINUTES,
    description: `Time-based triggers only (required there): minutes after the anchor (fractions allowed; at least AUTOMATION_MIN_DURATION_SECONDS / 60, at most ${MAX_TRIGGER_MINUTES} = 60 days). Anchors: conversation_idle the last message either way; customer_unresponsive our last answer; agent_unresponsive the first unanswered customer message; in_status the status change; first_response_due the conversation's start`,
  })
  minutes?: number;
  @ApiPropertyOptional({ enum: CONVERSATION_STATUSES, description: 'in_status only (required there)' })
  status?: string;
  @ApiPropertyOptional({ type: [String], enum: CONVERSATION_STATUSES, description: 'status_changed only: from one of these (absent: any)' })
  from?: string[];
  @ApiPropertyOptional({ type: [String], enum: CONVERSATION_STATUSES, description: 'status_changed only: to one of these (absent: any)' })
  to?: string[];
  @ApiPropertyOptional({ type: [String], description: 'tag_added / tag_removed only: one of these tags (normalised like conversation tags; absent: any)' })
  tags?: string[];
}

export class RuleActionDoc {
  @ApiProperty({ enum: ACTION_TYPES }) type!: string;
  @ApiPropertyOptional({ format: 'uuid', description: 'assign_agent: an active member of the rule\'s inbox (account-wide rules: of every inbox)' }) userId?: string;
  @ApiPropertyOptional({ format: 'uuid', description: 'assign_team: a team of the account (assigned through routing: capacity and presence respected, queued when nobody can take it)' }) teamId?: string;
  @ApiPropertyOptional({ description: 'add_tag / remove_tag (normalised: trimmed, lower-cased, 1-50 characters)' }) tag?: string;
  @ApiPropertyOptional({ type: 'integer', minimum: 0, maximum: 4, description: 'set_priority: 0 none, 1 low, 2 medium, 3 high, 4 urgent' }) priority?: number;
  @ApiPropertyOptional({ enum: SETTABLE_STATUSES, description: 'set_status' }) status?: string;
  @ApiPropertyOptional({ maxLength: MAX_TEMPLATE_LENGTH, description: 'send_message / add_note: text with variables ({{contact.first_name}}; GET /api/v1/variables); variables you may not see are refused' }) content?: string;
  @ApiPropertyOptional({ format: 'uuid', description: "send_saved_reply: an inbox reply of the rule's inbox or a team reply" }) savedReplyId?: string;
  @ApiPropertyOptional({ format: 'uuid', description: 'move_to_inbox: another inbox of the same channel (account setting allowMoveBetweenInboxes)' }) inboxId?: string;
  @ApiPropertyOptional({ type: 'object', additionalProperties: true, description: 'call_webhook: a JSON object (at most 4 KB) sent as data.payload of the rule.fired webhook event' }) payload?: Record<string, unknown>;
}

const CONDITIONS_DOC = {
  type: 'object',
  additionalProperties: true,
  description:
    'A condition tree: a group {"all": [...]} or {"any": [...]} of conditions {attribute, operator, value} and nested groups (at most 6 levels), ' +
    'or one condition. Attributes: conversation.*, message.* (message triggers), contact.* (contact.attributes.<key>), inbox.*, assignee.*, team.*, ' +
    'time.hour/minute/weekday/time (the inbox\'s time zone), businessHours.open, event.type/tag. Operators: equals, not_equals, contains, does_not_contain, ' +
    'starts_with, in, not_in, greater_than, less_than, is_present, is_absent, changed (from/to). Absent: {"all": []} (always).',
  example: { all: [{ attribute: 'message.content', operator: 'contains', value: 'refund' }, { any: [{ attribute: 'contact.vip', operator: 'equals', value: true }, { attribute: 'conversation.priority', operator: 'greater_than', value: 2 }] }] },
} as const;

export class CreateAutomationRuleDto {
  @ApiProperty({ example: 'VIP refunds', maxLength: 200 }) @IsString() @IsNotEmpty() @MaxLength(200) name!: string;

  @ApiPropertyOptional({ nullable: true, type: String, maxLength: 2000 })
  @IsOptional()
  @ValidateIf((_o, v) => v !== null)
  @IsString()
  @MaxLength(2000)
  description?: string | null;

  @ApiPropertyOptional({ nullable: true, type: String, format: 'uuid', description: 'Limit the rule to this inbox (its managers may edit it); null or absent: every inbox of the account (administrators only)' })
  @IsOptional()
  @ValidateIf((_o, v) => v !== null)
  @IsUUID()
  inboxId?: string | null;

  @ApiPropertyOptional({ default: false, description: 'New rules are disabled unless this is true' }) @IsOptional() @IsBoolean() enabled?: boolean;
  @ApiPropertyOptional({ default: false, description: 'After this rule fired, later rules do not run on the same event' }) @IsOptional() @IsBoolean() stopProcessing?: boolean;
  @ApiPropertyOptional({ default: false, description: "Events caused by rules' actions may trigger this rule (within AUTOMATION_MAX_CHAIN_DEPTH and the hourly budget)" })
  @IsOptional()
  @IsBoolean()
  allowChaining?: boolean;

  @ApiPropertyOptional({ type: 'integer', minimum: 0, maximum: 100_000, description: "Place among the account's rules (0 first); absent: last" })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(100_000)
  position?: number;

  @ApiProperty({ type: RuleTriggerDoc, example: { event: 'message_received' } })
  @IsObject({ message: 'must be an object {event, ...}' })
  trigger!: Record<string, unknown>;

  @ApiPropertyOptional(CONDITIONS_DOC)
  @IsOptional()
  @IsObject({ message: 'must be a condition group {"all": [...]} / {"any": [...]} or a condition' })
  conditions?: Record<string, unknown>;

  @ApiProperty({ type: [RuleActionDoc], maxItems: MAX_ACTIONS, description: `In order; 1 to ${MAX_ACTIONS}`, example: [{ type: 'add_tag', tag: 'refund' }] })
  @IsArray()
  @IsObject({ each: true, message: 'each item must be an action object {type, ...}' })
  actions!: Record<string, unknown>[];
}

/** Every field may change (name, scope, trigger, conditions, actions, enabled, stopProcessing, allowChaining); the order changes by move / order. */
export class UpdateAutomationRuleDto extends PartialType(OmitType(CreateAutomationRuleDto, ['position'] as const)) {
  @ApiPropertyOptional({ type: 'integer', minimum: 1, description: 'The version you edited: 409 when the rule changed since (absent: no check)' })
  @IsOptional()
  @IsInt()
  @Min(1)
  expectedVersion?: number;
}

export class MoveAutomationRuleDto {
  @ApiProperty({ type: 'integer', minimum: 0, maximum: 100_000, description: "The rule's new place among all the account's rules (0 first; beyond the end: last)" })
  @IsInt()
  @Min(0)
  @Max(100_000)
  position!: number;
}

export class ReorderAutomationRulesDto {
  @ApiProperty({ type: [String], format: 'uuid', description: "Every rule of the account, each once, in the new order (administrators)" })
  @IsArray()
  @ArrayMaxSize(MAX_RULES_PER_ACCOUNT)
  @ArrayUnique({ message: 'must list each rule once' })
  @IsUUID('all', { each: true, message: 'each item must be a UUID' })
  ids!: string[];
}

export class ListAutomationRulesQuery {
  @ApiPropertyOptional({ format: 'uuid', description: "The rules that run on this inbox's conversations (its own and the account-wide ones), in order; 403 unless you manage it" })
  @IsOptional()
  @IsUUID()
  inboxId?: string;
}

export class AutomationRuleView {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ nullable: true, type: String }) description!: string | null;
  @ApiProperty({ nullable: true, type: String, format: 'uuid', description: 'null: account-wide' }) inboxId!: string | null;
  @ApiProperty() enabled!: boolean;
  @ApiProperty({ description: "Place among all the account's rules, 0 first (rules of inboxes you do not manage are not listed, so numbers may skip)" }) position!: number;
  @ApiProperty() stopProcessing!: boolean;
  @ApiProperty() allowChaining!: boolean;
  @ApiProperty({ description: 'A time-based trigger (a timer in each conversation workflow)' }) timeBased!: boolean;
  @ApiProperty({ type: RuleTriggerDoc }) trigger!: Record<string, unknown>;
  @ApiProperty(CONDITIONS_DOC) conditions!: Record<string, unknown>;
  @ApiProperty({ type: [RuleActionDoc] }) actions!: Record<string, unknown>[];
  @ApiProperty({ minimum: 1, description: 'Goes up with every change of the rule (any field, enabled included; not with moves); recorded with every evaluation' }) version!: number;
  @ApiProperty({ description: 'Whether you may change it (account-wide rules: administrators)' }) canEdit!: boolean;
  @ApiProperty({ nullable: true, type: String, format: 'uuid' }) createdByUserId!: string | null;
  @ApiProperty({ nullable: true, type: String, format: 'uuid' }) updatedByUserId!: string | null;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
  @ApiProperty({ format: 'date-time' }) updatedAt!: string;

  static of(rule: AutomationRule, position: number, canEdit: boolean): AutomationRuleView {
    return {
      id: rule.id,
      name: rule.name,
      description: rule.description,
      inboxId: rule.inbox?.id ?? null,
      enabled: rule.enabled,
      position,
      stopProcessing: rule.stopProcessing,
      allowChaining: rule.allowChaining,
      timeBased: (TIME_TRIGGERS as readonly string[]).includes(rule.trigger.event),
      trigger: rule.trigger as unknown as Record<string, unknown>,
      conditions: rule.conditions,
      actions: rule.actions as unknown as Record<string, unknown>[],
      version: rule.version,
      canEdit,
      createdByUserId: rule.createdByUserId,
      updatedByUserId: rule.updatedByUserId,
      createdAt: new Date(rule.createdAt).toISOString(),
      updatedAt: new Date(rule.updatedAt).toISOString(),
    };
  }
}

export class AutomationRuleListView {
  @ApiProperty({ type: [AutomationRuleView], description: 'In the order the engine runs them (position)' }) items!: AutomationRuleView[];
}
