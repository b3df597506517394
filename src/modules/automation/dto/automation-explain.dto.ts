import { ApiProperty, ApiPropertyOptional, OmitType } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsNotEmpty, IsObject, IsOptional, IsString, IsUUID, Max, MaxLength, Min } from 'class-validator';
import { NestedObject } from '../../../common/validation';
import { PageQuery } from '../../../common/page-query';
import { CONVERSATION_EVENT_TYPES } from '../../conversations/conversation-event.entity';
import { ACTION_TYPES, TIME_TRIGGERS } from '../automation-rule.types';
import { CreateAutomationRuleDto, RuleTriggerDoc } from './automation-rule.dto';

const TRACE_DOC = {
  type: 'object',
  additionalProperties: true,
  nullable: true,
  description:
    'The conditions as evaluated: the same tree, each group {all|any: [...], matched}, each condition {attribute, operator, expected, actual, passed}. ' +
    'Values of hidden contact attributes are "(hidden attribute)" for non-administrators.',
} as const;

export const TEST_EVENT_TYPES = [...CONVERSATION_EVENT_TYPES, ...TIME_TRIGGERS] as const;

/** A rule as drafted in the builder: what create takes, the name optional. */
export class AutomationRuleDraftDto extends OmitType(CreateAutomationRuleDto, ['name', 'position', 'enabled'] as const) {
  @ApiPropertyOptional({ maxLength: 200 }) @IsOptional() @IsString() @IsNotEmpty() @MaxLength(200) name?: string;
}

export class TestEventDto {
  @ApiProperty({ enum: TEST_EVENT_TYPES, description: 'The event to test on (default: one of the rule\'s own trigger)' })
  @IsIn(TEST_EVENT_TYPES)
  type!: string;

  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: true,
    description:
      'What the event carries, as the event log records it: status_changed / priority_changed {from, to}; tag_added / tag_removed {tag}; assigned {assigneeId, previousAssigneeId}; ' +
      'message_received / message_sent {messageId} of this conversation, or {content} for a message that was not written (default: its last message of that direction)',
    example: { content: 'I want a refund' },
  })
  @IsOptional()
  @IsObject()
  data?: Record<string, unknown>;
}

export class TestAutomationRuleDto {
  @ApiPropertyOptional({ type: AutomationRuleDraftDto, description: 'A draft (checked like a create, nothing stored); give this or ruleId' })
  @IsOptional()
  @NestedObject(() => AutomationRuleDraftDto)
  rule?: AutomationRuleDraftDto;

  @ApiPropertyOptional({ format: 'uuid', description: 'A saved rule; give this or rule' }) @IsOptional() @IsUUID() ruleId?: string;

  @ApiProperty({ format: 'uuid', description: 'The conversation to test on, as it is now (you must manage its inbox)' }) @IsUUID() conversationId!: string;

  @ApiPropertyOptional({ type: TestEventDto }) @IsOptional() @NestedObject(() => TestEventDto) event?: TestEventDto;
}

export class TestedRuleView {
  @ApiProperty({ nullable: true, type: String, format: 'uuid', description: 'null: a draft' }) id!: string | null;
  @ApiProperty() name!: string;
  @ApiProperty({ nullable: true, type: Number }) version!: number | null;
  @ApiProperty({ nullable: true, type: Boolean, description: 'A saved rule: whether it runs; a draft: null' }) enabled!: boolean | null;
  @ApiProperty({ nullable: true, type: String, format: 'uuid' }) inboxId!: string | null;
  @ApiProperty({ type: RuleTriggerDoc }) trigger!: Record<string, unknown>;
}

export class TestedEventView {
  @ApiProperty() type!: string;
  @ApiProperty({ type: 'object', additionalProperties: true }) data!: Record<string, unknown>;
  @ApiProperty({ description: 'Made up from the rule\'s trigger (no event was given)' }) synthetic!: boolean;
}

export class TimerView {
  @ApiProperty({ nullable: true, type: String, format: 'date-time', description: 'Where the span starts for this conversation now; null: no timer (the state the trigger waits for does not hold)' }) anchor!: string | null;
  @ApiProperty({ nullable: true, type: String, format: 'date-time' }) dueAt!: string | null;
  @ApiProperty({ description: 'Due already (it fires at the conversation\'s next automation step, once per anchor)' }) due!: boolean;
  @ApiProperty() explanation!: string;
}

export class DescribedActionView {
  @ApiProperty({ enum: ACTION_TYPES }) type!: string;
  @ApiProperty({ description: 'What it would do to this conversation now, in words' }) description!: string;
  @ApiProperty({ description: 'false: it would change nothing (e.g. the tag is there already)' }) wouldChange!: boolean;
  @ApiPropertyOptional({ description: 'send_message / send_saved_reply / add_note: the text rendered for this contact (hidden attributes as their default for non-administrators)' }) text?: string;
}

export class AutomationRuleTestView {
  @ApiProperty({ type: TestedRuleView }) rule!: TestedRuleView;
  @ApiProperty({ format: 'uuid' }) conversationId!: string;
  @ApiProperty({ description: 'The rule covers the conversation\'s inbox' }) inScope!: boolean;
  @ApiProperty({ type: TestedEventView }) event!: TestedEventView;
  @ApiProperty({ description: 'The event triggers the rule (type, and from/to or tag filters); a time-based rule: its timer is armed' }) triggerMatches!: boolean;
  @ApiProperty() triggerExplanation!: string;
  @ApiProperty({ description: 'The conditions hold for the conversation as it is now' }) matched!: boolean;
  @ApiProperty(TRACE_DOC) trace!: Record<string, unknown>;
  @ApiProperty({ description: 'The trace in words, each entry marked ✓ or ✗' }) explanation!: string;
  @ApiProperty({ type: TimerView, nullable: true, description: 'Time-based rules: the timer it would arm' }) timer!: TimerView | null;
  @ApiProperty({ description: 'Scope, trigger and conditions all hold (and a saved rule is enabled)' }) wouldFire!: boolean;
  @ApiProperty({ description: 'The answer in one line' }) verdict!: string;
  @ApiProperty({ type: [DescribedActionView], description: 'What the actions would do (nothing is done, nothing is sent)' }) actions!: DescribedActionView[];
  @ApiProperty({ type: 'object', additionalProperties: true, description: 'The facts the conditions read (hidden contact attributes masked for non-administrators)' }) facts!: Record<string, unknown>;
  @ApiProperty({ type: [String] }) notes!: string[];
}

// ---------------------------------------------------------------------------------------------
// Why did rule X (not) fire on conversation Y

export class ConversationAutomationQuery extends PageQuery {
  @ApiPropertyOptional({ format: 'uuid', description: 'Only this rule\'s evaluations, and why it never ran when there are none' }) @IsOptional() @IsUUID() ruleId?: string;
}

export class FiringView {
  @ApiProperty() id!: string;
  @ApiProperty({ enum: ['running', 'done', 'failed'] }) status!: string;
  @ApiProperty({ nullable: true, type: String }) error!: string | null;
  @ApiProperty({ nullable: true, type: String, format: 'date-time' }) finishedAt!: string | null;
}

export class ActionOutcomeView {
  @ApiProperty({ enum: ACTION_TYPES }) type!: string;
  @ApiProperty({ enum: ['done', 'skipped', 'failed'] }) outcome!: string;
  @ApiProperty() detail!: string;
}

export class RuleEvaluationView {
  @ApiProperty({ format: 'uuid' }) ruleId!: string;
  @ApiProperty() version!: number;
  @ApiProperty() name!: string;
  @ApiProperty({ enum: ['fired', 'not_matched', 'skipped'], description: 'fired: conditions held and the actions ran; not_matched: a condition failed; skipped: not evaluated (chaining off, an earlier rule stopped processing, a loop guard)' })
  outcome!: 'fired' | 'not_matched' | 'skipped';
  @ApiProperty() matched!: boolean;
  @ApiProperty({ nullable: true, type: String }) skipped!: string | null;
  @ApiProperty({ nullable: true, type: String }) explanation!: string | null;
  @ApiProperty(TRACE_DOC) trace!: Record<string, unknown> | null;
  @ApiProperty({ type: [ActionOutcomeView] }) actions!: ActionOutcomeView[];
  @ApiProperty({ type: FiringView, nullable: true }) firing!: FiringView | null;
}

export class RunTriggerView {
  @ApiProperty({ enum: ['event', 'timer'] }) kind!: 'event' | 'timer';
  @ApiProperty({ description: 'The event type or the time-based trigger' }) type!: string;
  @ApiProperty({ nullable: true, type: String, description: 'The event of the conversation\'s log' }) eventId!: string | null;
  @ApiProperty({ description: 'In words, e.g. "status changed (pending -> resolved)", "in status for 10 min (pending) since …"' }) description!: string;
  @ApiProperty({ type: 'object', additionalProperties: true, description: 'What the rules saw of it: from/to, tag, chain depth, the rule that caused it; timers: anchor and dueAt' }) data!: Record<string, unknown>;
}

export class AutomationRunView {
  @ApiProperty() runId!: string;
  @ApiProperty({ format: 'date-time' }) at!: string;
  @ApiProperty({ format: 'uuid', description: 'The inbox the conversation was in then' }) inboxId!: string;
  @ApiProperty({ type: RunTriggerView }) on!: RunTriggerView;
  @ApiProperty({ type: [RuleEvaluationView], description: 'In rule order; only rules whose trigger matched are evaluated (with ruleId: that rule only)' }) evaluations!: RuleEvaluationView[];
}

export class RuleSummaryView {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() name!: string;
  @ApiProperty() version!: number;
  @ApiProperty() enabled!: boolean;
  @ApiProperty({ nullable: true, type: String, format: 'uuid' }) inboxId!: string | null;
  @ApiProperty({ type: RuleTriggerDoc }) trigger!: Record<string, unknown>;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
  @ApiProperty({ format: 'date-time' }) updatedAt!: string;
}

export class ConversationAutomationView {
  @ApiProperty({ format: 'uuid' }) conversationId!: string;
  @ApiProperty({ type: RuleSummaryView, nullable: true, description: 'With ruleId: the rule as it is now (null: deleted since)' }) rule!: RuleSummaryView | null;
  @ApiProperty({ description: 'The answer in one line: the last evaluation, or why there is none' }) answer!: string;
  @ApiProperty({ type: [String], description: 'With ruleId and no evaluation: each reason found (scope, enabled, created after the events, trigger never matched, timer state)' }) reasons!: string[];
  @ApiProperty({ type: [AutomationRunView], description: 'Newest first' }) items!: AutomationRunView[];
  @ApiProperty({ nullable: true, type: String, description: 'Pass as cursor for the next (older) page; null at the end' }) nextCursor!: string | null;
}

// ---------------------------------------------------------------------------------------------
// Firing log and counts

export class RuleFiringsQuery extends PageQuery {
  @ApiPropertyOptional({ format: 'uuid', description: 'Only firings on this conversation' }) @IsOptional() @IsUUID() conversationId?: string;
}

export class RuleFiringView {
  @ApiProperty() id!: string;
  @ApiProperty({ format: 'uuid' }) conversationId!: string;
  @ApiProperty({ format: 'uuid' }) inboxId!: string;
  @ApiProperty({ format: 'date-time' }) at!: string;
  @ApiProperty({ nullable: true, type: String, format: 'date-time' }) finishedAt!: string | null;
  @ApiProperty({ description: 'The rule\'s version that fired' }) version!: number;
  @ApiProperty({ enum: ['running', 'done', 'failed'], description: 'failed: an action failed (the others ran); running: under way or interrupted (resumed by the workflow\'s retry)' }) status!: string;
  @ApiProperty({ description: 'What it fired on, in words' }) trigger!: string;
  @ApiProperty({ description: 'Chain depth of the event it fired on (0: not caused by a rule)' }) depth!: number;
  @ApiProperty({ type: [ActionOutcomeView] }) actions!: ActionOutcomeView[];
  @ApiProperty({ nullable: true, type: String }) error!: string | null;
}

export class RuleFiringPageView {
  @ApiProperty({ type: [RuleFiringView], description: 'Newest first' }) items!: RuleFiringView[];
  @ApiProperty({ nullable: true, type: String, description: 'Pass as cursor for the next (older) page; null at the end' }) nextCursor!: string | null;
}

export const STATS_MAX_DAYS = 90;

export class RuleStatsQuery {
  @ApiPropertyOptional({ default: 14, minimum: 1, maximum: STATS_MAX_DAYS, description: 'Days back from today (UTC), today included' })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(STATS_MAX_DAYS)
  days?: number;
}

export class RuleCountsView {
  @ApiProperty({ description: 'Events and timers whose trigger matched the rule (it was evaluated or skipped)' }) evaluations!: number;
  @ApiProperty({ description: 'Of those, the conditions held' }) matched!: number;
  @ApiProperty({ description: 'Of those, not evaluated (chaining off, stopped by an earlier rule, a loop guard)' }) skipped!: number;
  @ApiProperty() firings!: number;
  @ApiProperty({ description: 'Firings with a failed action' }) failed!: number;
}

export class RuleDayCountsView extends RuleCountsView {
  @ApiProperty({ example: '2026-12-01', description: 'A UTC day' }) date!: string;
}

export class RuleStatsView {
  @ApiProperty({ format: 'uuid' }) ruleId!: string;
  @ApiProperty() days!: number;
  @ApiProperty({ example: 'UTC' }) timezone!: string;
  @ApiProperty({ type: RuleCountsView, description: 'The whole period' }) totals!: RuleCountsView;
  @ApiProperty({ type: [RuleDayCountsView], description: 'Oldest first, every day of the period (zeros included)' }) perDay!: RuleDayCountsView[];
  @ApiProperty({ description: 'Non-administrators: only conversations of the inboxes they manage are counted' }) scope!: string;
}

