/**
 * Draft rules as what-if takes them: the rule bodies a manager is about to save, checked enough
 * that the replay reads what it expects (trigger, condition tree, actions) and every problem is a 400
 * naming its field (`rules.<i>.trigger.minutes`).
 *
 * MINIMAL ON PURPOSE — replace with the rules API's validation (issue 12, "Rules API": the attribute
 * catalog, operators by type, targets of this account, template variables) when it lands: nothing
 * here checks that an attribute exists or that a target agent/team/inbox/saved reply belongs to the
 * account, because nothing is carried out (a wrong target only shows up as a would-be action).
 *
 * What it does check besides shapes: a caller who is not an administrator may not name a hidden
 * contact attribute (nor the whole contact or all its attributes while some are hidden): whether a
 * draft fires would tell the value, as a campaign audience count would (campaign-fields.ts refuses
 * the same).
 */
import { DomainError } from '../../common/domain-error';
import { UUID } from '../../common/keyset-cursor';
import { CONVERSATION_STATUSES } from '../conversations/conversation.entity';
import { CONDITION_OPERATORS, type ConditionNode, MAX_GROUP_DEPTH } from '../routing/conditions';
import { ACTION_TYPES, EVENT_TRIGGERS, type RuleAction, type RuleTrigger, TIME_TRIGGERS } from './automation-rule.types';
import type { RuleDefinition } from './rule-evaluation';

/** A rule body as the rules API takes it (enabled/position/description are accepted and ignored here). */
export interface DraftRuleBody {
  name: string;
  description?: string | null;
  inboxId?: string | null;
  trigger: unknown;
  conditions?: unknown;
  actions: unknown;
  stopProcessing?: boolean;
  allowChaining?: boolean;
  enabled?: boolean;
  position?: number;
}

export interface DraftRuleContext {
  /** The inbox the replay runs on: a draft scoped to another inbox would never apply. */
  inboxId: string;
  minDurationSeconds: number;
  /** Hidden attribute keys the caller may not name (null: an administrator, who may). */
  hiddenKeys: ReadonlySet<string> | null;
}

export const MAX_DRAFT_ACTIONS = 20;
/** A year: a timer further out is a typo, and dueAt stays a safe number. */
const MAX_MINUTES = 525_600;
const MAX_TEXT = 10_000;

const isPlainObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);
const isNonEmptyString = (v: unknown): v is string => typeof v === 'string' && v.trim().length > 0;

/** The drafts as rule definitions (ids `draft:<index>`), or a 400 naming the first bad field. */
export function draftRuleDefinitions(bodies: DraftRuleBody[], ctx: DraftRuleContext): RuleDefinition[] {
  return bodies.map((body, i) => {
    const field = `rules.${i}`;
    if (body.inboxId && body.inboxId !== ctx.inboxId) {
      throw DomainError.invalid(`${field}.inboxId`, 'is another inbox than inboxId: the rule would never apply to the conversations replayed');
    }
    return {
      id: `draft:${i}`,
      version: 0,
      name: body.name,
      inboxId: body.inboxId ?? null,
      trigger: validateTrigger(body.trigger, `${field}.trigger`, ctx),
      conditions: validateConditions(body.conditions ?? { all: [] }, `${field}.conditions`, ctx),
      actions: validateActions(body.actions, `${field}.actions`),
      stopProcessing: body.stopProcessing === true,
      allowChaining: body.allowChaining === true,
    };
  });
}

function onlyKeys(value: Record<string, unknown>, allowed: string[], field: string, what: string): void {
  for (const key of Object.keys(value)) {
    if (!allowed.includes(key)) throw DomainError.invalid(`${field}.${key}`, `is not a field of ${what} (fields: ${allowed.join(', ')})`);
  }
}

function stringList(value: unknown, field: string): string[] {
  if (!Array.isArray(value) || value.length === 0 || !value.every(isNonEmptyString)) throw DomainError.invalid(field, 'must be a non-empty list of strings');
  return value;
}

function validateTrigger(trigger: unknown, field: string, ctx: DraftRuleContext): RuleTrigger {
  if (!isPlainObject(trigger)) throw DomainError.invalid(field, 'must be an object');
  const event = trigger.event;
  if ((TIME_TRIGGERS as readonly unknown[]).includes(event)) {
    onlyKeys(trigger, event === 'in_status' ? ['event', 'minutes', 'status'] : ['event', 'minutes'], field, `a ${String(event)} trigger`);
    const minutes = trigger.minutes;
    const min = ctx.minDurationSeconds / 60;
    if (typeof minutes !== 'number' || !Number.isFinite(minutes) || minutes < min || minutes > MAX_MINUTES) {
      throw DomainError.invalid(`${field}.minutes`, `must be a number of minutes from ${min} (AUTOMATION_MIN_DURATION_SECONDS) to ${MAX_MINUTES}`);
    }
    if (event === 'in_status' && !(CONVERSATION_STATUSES as readonly unknown[]).includes(trigger.status)) {
      throw DomainError.invalid(`${field}.status`, `must be one of ${CONVERSATION_STATUSES.join(', ')}`);
    }
    return { event: event as RuleTrigger['event'], minutes, ...(event === 'in_status' ? { status: trigger.status as string } : {}) } as RuleTrigger;
  }
  if (!(EVENT_TRIGGERS as readonly unknown[]).includes(event)) {
    throw DomainError.invalid(`${field}.event`, `must be one of ${[...EVENT_TRIGGERS, ...TIME_TRIGGERS].join(', ')}`);
  }
  const filters = event === 'status_changed' ? ['from', 'to'] : event === 'tag_added' || event === 'tag_removed' ? ['tags'] : [];
  onlyKeys(trigger, ['event', ...filters], field, `a ${String(event)} trigger`);
  const out: Record<string, unknown> = { event };
  for (const key of filters) if (trigger[key] !== undefined) out[key] = stringList(trigger[key], `${field}.${key}`);
  return out as unknown as RuleTrigger;
}

function validateConditions(node: unknown, field: string, ctx: DraftRuleContext, depth = 1): ConditionNode {
  if (!isPlainObject(node)) throw DomainError.invalid(field, 'must be a condition or a group { all: [...] } / { any: [...] }');
  if ('all' in node || 'any' in node) {
    if ('all' in node && 'any' in node) throw DomainError.invalid(field, 'a group has exactly one of all / any');
    const match = 'all' in node ? 'all' : 'any';
    onlyKeys(node, [match], field, 'a group');
    if (depth > MAX_GROUP_DEPTH) throw DomainError.invalid(field, `groups nest at most ${MAX_GROUP_DEPTH} levels`);
    const entries = node[match];
    if (!Array.isArray(entries)) throw DomainError.invalid(`${field}.${match}`, 'must be a list of conditions and groups');
    return { [match]: entries.map((e, i) => validateConditions(e, `${field}.${match}.${i}`, ctx, depth + 1)) } as unknown as ConditionNode;
  }
  onlyKeys(node, ['attribute', 'operator', 'value', 'from', 'to'], field, 'a condition');
  const { attribute, operator } = node;
  if (!isNonEmptyString(attribute)) throw DomainError.invalid(`${field}.attribute`, 'must be an attribute path such as message.content or contact.attributes.plan');
  if (!(CONDITION_OPERATORS as readonly unknown[]).includes(operator)) throw DomainError.invalid(`${field}.operator`, `must be one of ${CONDITION_OPERATORS.join(', ')}`);
  if (ctx.hiddenKeys?.size) {
    const key = attribute.startsWith('contact.attributes.') ? attribute.slice('contact.attributes.'.length).split('.')[0] : null;
    if (key !== null && ctx.hiddenKeys.has(key)) throw DomainError.invalid(`${field}.attribute`, `contact.attributes.${key} is a hidden attribute: only administrators may use it`);
    if (attribute === 'contact' || attribute === 'contact.attributes') {
      throw DomainError.invalid(`${field}.attribute`, 'reads every contact attribute, hidden ones included (administrators only): name the attribute, e.g. contact.attributes.plan');
    }
  }
  if (operator === 'changed') {
    if (node.value !== undefined) throw DomainError.invalid(`${field}.value`, "is not used by 'changed' (give from and/or to)");
  } else {
    if (node.from !== undefined || node.to !== undefined) throw DomainError.invalid(`${field}.${node.from !== undefined ? 'from' : 'to'}`, "belongs to the 'changed' operator only");
    const needsValue = operator !== 'is_present' && operator !== 'is_absent';
    if (needsValue && node.value === undefined) throw DomainError.invalid(`${field}.value`, 'is required');
    if ((operator === 'in' || operator === 'not_in') && !Array.isArray(node.value)) throw DomainError.invalid(`${field}.value`, `must be a list for '${String(operator)}'`);
  }
  return node as unknown as ConditionNode;
}

const ACTION_FIELDS: Record<RuleAction['type'], string[]> = {
  assign_agent: ['userId'],
  assign_team: ['teamId'],
  unassign: [],
  add_tag: ['tag'],
  remove_tag: ['tag'],
  set_priority: ['priority'],
  set_status: ['status'],
  send_message: ['content'],
  send_saved_reply: ['savedReplyId'],
  add_note: ['content'],
  send_csat: [],
  move_to_inbox: ['inboxId'],
  mark_spam: [],
};

function validateActions(actions: unknown, field: string): RuleAction[] {
  if (!Array.isArray(actions) || actions.length === 0 || actions.length > MAX_DRAFT_ACTIONS) throw DomainError.invalid(field, `must be a list of 1 to ${MAX_DRAFT_ACTIONS} actions`);
  return actions.map((action, i) => {
    const at = `${field}.${i}`;
    if (!isPlainObject(action)) throw DomainError.invalid(at, 'must be an object');
    const type = action.type as RuleAction['type'];
    if (!(ACTION_TYPES as readonly unknown[]).includes(type)) throw DomainError.invalid(`${at}.type`, `must be one of ${ACTION_TYPES.join(', ')}`);
    const fields = ACTION_FIELDS[type];
    onlyKeys(action, ['type', ...fields], at, `a ${type} action`);
    for (const f of fields) {
      const v = action[f];
      const where = `${at}.${f}`;
      if (v === undefined) throw DomainError.invalid(where, 'is required');
      if (f === 'userId' || f === 'teamId' || f === 'inboxId' || f === 'savedReplyId') {
        if (typeof v !== 'string' || !UUID.test(v)) throw DomainError.invalid(where, 'must be a UUID');
      } else if (f === 'priority') {
        if (!Number.isInteger(v) || (v as number) < 0 || (v as number) > 4) throw DomainError.invalid(where, 'must be 0 (none), 1 (low), 2 (medium), 3 (high) or 4 (urgent)');
      } else if (f === 'status') {
        if (!['pending', 'resolved', 'open'].includes(v as string)) throw DomainError.invalid(where, 'must be one of pending, resolved, open');
      } else if (!isNonEmptyString(v) || v.length > MAX_TEXT) {
        throw DomainError.invalid(where, `must be a non-empty text of at most ${MAX_TEXT} characters`);
      }
    }
    return action as unknown as RuleAction;
  });
}
