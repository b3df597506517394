/**
 * What a rule must look like before it is stored or tested: pure checks of its trigger, its
 * condition tree (the attribute catalog of condition-catalog.ts plus what only automation knows: which
 * triggers carry a message, which event changes which attribute) and its actions (types, the fields
 * each type takes, tags normalised as conversation tags are, priority and status ranges). Every
 * problem names its field (`trigger.minutes`, `conditions.all.1.any.0.operator`, `actions.2.teamId`)
 * so one 400 lists them all. What needs the database (targets of the account, templates' variables,
 * hidden attribute definitions) is AutomationRuleValidator's part; it passes what it loaded in here.
 */
import type { FieldProblem } from '../../common/domain-error';
import { DomainError } from '../../common/domain-error';
import { UUID } from '../../common/keyset-cursor';
import { CONVERSATION_STATUSES } from '../conversations/conversation.entity';
import { normaliseTag } from '../conversations/tags';
import { closest, type ConditionContext, validateConditionTree } from '../routing/condition-catalog';
import { type ConditionNode, groupParts, isConditionGroup } from '../routing/conditions';
import { changedAttribute } from './automation-facts';
import { ACTION_TYPES, type ActionType, EVENT_TRIGGERS, isTimeTrigger, type RuleAction, type RuleTrigger, TIME_TRIGGERS } from './automation-rule.types';

/** At most this many actions in one rule (a rule doing more is several rules). */
export const MAX_ACTIONS = 20;
/** Longest span a time-based rule may wait: 60 days, in minutes. */
export const MAX_TRIGGER_MINUTES = 60 * 24 * 60;
/** Longest message or note template of a rule. */
export const MAX_TEMPLATE_LENGTH = 10_000;
/** The statuses set_status may set (new is the customer's, spam is mark_spam). */
export const SETTABLE_STATUSES = ['pending', 'resolved', 'open'] as const;
export const MAX_PRIORITY = 4;
/** Largest payload a call_webhook action adds to its event. */
export const MAX_WEBHOOK_PAYLOAD_BYTES = 4096;

/** The only triggers whose event carries a message (message.* reads it). */
const MESSAGE_TRIGGERS: readonly string[] = ['message_received', 'message_sent'];
const TAG_TRIGGERS: readonly string[] = ['tag_added', 'tag_removed'];
const ALL_TRIGGERS: readonly string[] = [...EVENT_TRIGGERS, ...TIME_TRIGGERS];

/** The fields each action type takes besides `type`. */
export const ACTION_FIELDS: Readonly<Record<ActionType, readonly (keyof RuleAction)[]>> = {
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
  call_webhook: ['payload'],
};

export interface RuleDefinitionInput {
  trigger: unknown;
  /** Absent: `{ all: [] }` (no conditions: every event of the trigger). */
  conditions?: unknown;
  actions: unknown;
}

export interface RuleValidationOptions {
  /** AUTOMATION_MIN_DURATION_SECONDS: the shortest span a time-based rule may wait. */
  minDurationSeconds: number;
  /** The account's contact attribute definitions as the catalog needs them (loadConditionContext). */
  conditionContext: ConditionContext;
  /**
   * Keys of hidden contact attributes the author may not name in conditions (for non-administrators:
   * choosing the value and reading whether it matched would reveal it). Empty: no restriction.
   */
  hiddenAttributeKeys?: ReadonlySet<string>;
  /** false: the conditions are not re-checked for hidden attributes (a change that leaves them as they were). */
  checkHiddenAttributes?: boolean;
}

export interface CheckedRuleDefinition {
  trigger: RuleTrigger;
  conditions: ConditionNode;
  /** Aligned with the input: null where that action has problems. */
  actions: (RuleAction | null)[];
}

const isPlainObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);
const quote = (s: unknown) => JSON.stringify(s);

/** Problems with a rule's trigger, conditions and actions (none: an empty list) and the normalised definition. */
export function checkRuleDefinition(input: RuleDefinitionInput, opts: RuleValidationOptions): { problems: FieldProblem[]; rule: CheckedRuleDefinition } {
  const problems: FieldProblem[] = [];
  const add = (field: string, problem: string) => problems.push({ field, problem });
  const trigger = checkTrigger(input.trigger, opts, add);
  const conditions = (input.conditions === undefined ? { all: [] } : input.conditions) as ConditionNode;
  const conditionProblems = validateConditionTree(conditions, { ...opts.conditionContext, scope: 'automation', field: 'conditions' });
  problems.push(...conditionProblems);
  if (conditionProblems.length === 0) checkConditionsForTrigger(conditions, trigger, opts, add);
  const actions = checkActions(input.actions, add);
  return { problems, rule: { trigger: trigger ?? (input.trigger as RuleTrigger), conditions, actions } };
}

/** The definition or a 400 listing every problem (for callers that have nothing more to check). */
export function assertRuleDefinition(input: RuleDefinitionInput, opts: RuleValidationOptions): CheckedRuleDefinition {
  const { problems, rule } = checkRuleDefinition(input, opts);
  if (problems.length) throw validationFailed(problems);
  return rule;
}

/** At most this many problems in one answer. */
const MAX_REPORTED_PROBLEMS = 50;

export function validationFailed(problems: FieldProblem[]): DomainError {
  const shown = problems.slice(0, MAX_REPORTED_PROBLEMS);
  return new DomainError('VALIDATION_FAILED', shown.map((p) => `${p.field}: ${p.problem}`).join('; '), shown);
}

// ---------------------------------------------------------------------------------------------
// Trigger

type Add = (field: string, problem: string) => void;

function checkTrigger(raw: unknown, opts: RuleValidationOptions, add: Add): RuleTrigger | null {
  if (!isPlainObject(raw)) {
    add('trigger', 'must be an object {event, ...}, e.g. {"event": "message_received"} or {"event": "conversation_idle", "minutes": 30}');
    return null;
  }
  const { event } = raw;
  if (event === undefined) {
    add('trigger.event', 'is required');
    return null;
  }
  if (typeof event !== 'string' || !ALL_TRIGGERS.includes(event)) {
    const near = typeof event === 'string' ? closest(event, ALL_TRIGGERS) : null;
    add('trigger.event', `unknown event ${quote(event)}${near ? ` (did you mean ${quote(near)}?)` : ''}; events: ${EVENT_TRIGGERS.join(', ')}; time-based: ${TIME_TRIGGERS.join(', ')}`);
    return null;
  }
  const trigger = { event } as RuleTrigger;
  const timeBased = isTimeTrigger(trigger);
  const allowed = timeBased ? (event === 'in_status' ? ['minutes', 'status'] : ['minutes']) : event === 'status_changed' ? ['from', 'to'] : TAG_TRIGGERS.includes(event) ? ['tags'] : [];
  let ok = true;
  for (const key of Object.keys(raw).filter((k) => k !== 'event' && !allowed.includes(k))) {
    ok = false;
    add(`trigger.${key}`, `is not a field of a ${event} trigger (${allowed.length ? `it takes ${allowed.join(', ')}` : 'it takes none besides event'})`);
  }
  if (timeBased) {
    const t = trigger as Extract<RuleTrigger, { minutes: number }>;
    const minMinutes = opts.minDurationSeconds / 60;
    if (raw.minutes === undefined) {
      ok = false;
      add('trigger.minutes', `is required for a time-based trigger (minutes after which it fires, ${minutesText(minMinutes)} to ${MAX_TRIGGER_MINUTES})`);
    } else if (typeof raw.minutes !== 'number' || !Number.isFinite(raw.minutes)) {
      ok = false;
      add('trigger.minutes', 'must be a number of minutes');
    } else if (raw.minutes < minMinutes) {
      ok = false;
      add('trigger.minutes', `must be at least ${minutesText(minMinutes)} (AUTOMATION_MIN_DURATION_SECONDS is ${opts.minDurationSeconds})`);
    } else if (raw.minutes > MAX_TRIGGER_MINUTES) {
      ok = false;
      add('trigger.minutes', `must be at most ${MAX_TRIGGER_MINUTES} (60 days)`);
    } else t.minutes = raw.minutes;
    if (event === 'in_status') {
      if (raw.status === undefined) {
        ok = false;
        add('trigger.status', `is required for in_status (one of ${CONVERSATION_STATUSES.join(', ')})`);
      } else if (typeof raw.status !== 'string' || !(CONVERSATION_STATUSES as readonly string[]).includes(raw.status)) {
        ok = false;
        add('trigger.status', `must be one of ${CONVERSATION_STATUSES.join(', ')}`);
      } else t.status = raw.status;
    }
  } else if (event === 'status_changed') {
    const t = trigger as Extract<RuleTrigger, { from?: string[] }>;
    for (const side of ['from', 'to'] as const) {
      if (raw[side] === undefined) continue;
      const list = statusList(raw[side], `trigger.${side}`, add);
      if (list === null) ok = false;
      else if (list.length) t[side] = list;
    }
    if (t.from?.length === 1 && t.to?.length === 1 && t.from[0] === t.to[0]) {
      ok = false;
      add('trigger.to', `a change from ${t.from[0]} to ${t.to[0]} never happens`);
    }
  } else if (TAG_TRIGGERS.includes(event) && raw.tags !== undefined) {
    const t = trigger as Extract<RuleTrigger, { tags?: string[] }>;
    if (!Array.isArray(raw.tags)) {
      ok = false;
      add('trigger.tags', 'must be a list of tags (absent: any tag)');
    } else {
      const tags: string[] = [];
      raw.tags.forEach((tag, i) => {
        const normalised = tagOrProblem(tag, `trigger.tags.${i}`, add);
        if (normalised === null) ok = false;
        else if (!tags.includes(normalised)) tags.push(normalised);
      });
      if (tags.length > 50) {
        ok = false;
        add('trigger.tags', 'at most 50 tags');
      }
      if (tags.length) t.tags = tags;
    }
  }
  return ok ? trigger : null;
}

function statusList(raw: unknown, field: string, add: Add): string[] | null {
  const list = typeof raw === 'string' ? [raw] : raw;
  if (!Array.isArray(list)) {
    add(field, `must be a list of statuses (${CONVERSATION_STATUSES.join(', ')}); absent: any`);
    return null;
  }
  let ok = true;
  list.forEach((s, i) => {
    if (typeof s !== 'string' || !(CONVERSATION_STATUSES as readonly string[]).includes(s)) {
      ok = false;
      add(`${field}.${i}`, `must be a status: ${CONVERSATION_STATUSES.join(', ')}`);
    }
  });
  return ok ? [...new Set(list as string[])] : null;
}

function tagOrProblem(raw: unknown, field: string, add: Add): string | null {
  if (typeof raw !== 'string') {
    add(field, 'must be a string');
    return null;
  }
  try {
    return normaliseTag(raw, field);
  } catch (err) {
    if (err instanceof DomainError && err.details[0]) {
      add(err.details[0].field, err.details[0].problem);
      return null;
    }
    throw err;
  }
}

export function minutesText(minutes: number): string {
  const seconds = Math.round(minutes * 60 * 1000) / 1000;
  return seconds % 60 === 0 ? `${seconds / 60} minute${seconds === 60 ? '' : 's'}` : `${minutes} minutes (${seconds} s)`;
}

// ---------------------------------------------------------------------------------------------
// Conditions: what only automation knows (the catalog has checked shape, attribute, operator, value)

/**
 * Conditions that could never hold for this trigger, and hidden attributes the author may not name:
 *  - message.* is read from the event's message: only message_received / message_sent carry one;
 *  - event.tag is only set by tag_added / tag_removed;
 *  - 'changed' reads the event's change: only the event that changes the attribute (status_changed
 *    changes conversation.status, priority_changed conversation.priority, assigned / unassigned
 *    conversation.assigneeId, tag_added / tag_removed conversation.tags) has one;
 *  - hidden contact attributes (non-administrators).
 */
function checkConditionsForTrigger(node: ConditionNode, trigger: RuleTrigger | null, opts: RuleValidationOptions, add: Add): void {
  const hidden = opts.checkHiddenAttributes === false ? new Set<string>() : (opts.hiddenAttributeKeys ?? new Set<string>());
  const walk = (n: ConditionNode, field: string): void => {
    if (isConditionGroup(n)) {
      const { match, entries } = groupParts(n);
      entries.forEach((e, i) => walk(e, `${field}.${match}.${i}`));
      return;
    }
    const { attribute, operator } = n;
    if (attribute.startsWith('contact.attributes.') && hidden.has(attribute.slice('contact.attributes.'.length))) {
      add(`${field}.attribute`, `${quote(attribute)} is a hidden contact attribute: only administrators may write conditions on it`);
      return;
    }
    if (!trigger) return;
    if (attribute.startsWith('message.') && !MESSAGE_TRIGGERS.includes(trigger.event)) {
      add(`${field}.attribute`, `${quote(attribute)} is never set on a ${trigger.event} trigger: only message_received and message_sent carry a message`);
      return;
    }
    if (attribute === 'event.tag' && !TAG_TRIGGERS.includes(trigger.event)) {
      add(`${field}.attribute`, `"event.tag" is only set on tag_added and tag_removed triggers, not ${trigger.event}`);
      return;
    }
    if (operator === 'changed' && changedAttribute(trigger.event) !== attribute) {
      const changer = Object.entries(CHANGED_BY).filter(([, a]) => a === attribute).map(([t]) => t);
      add(
        `${field}.operator`,
        `"changed" never holds on a ${trigger.event} trigger: ${attribute} is ${changer.length ? `changed by ${changer.join(' / ')} events` : 'not changed by any trigger event'}`,
      );
    }
  };
  walk(node, 'conditions');
}

const CHANGED_BY: Record<string, string | undefined> = Object.fromEntries(EVENT_TRIGGERS.map((t) => [t, changedAttribute(t)]));

// ---------------------------------------------------------------------------------------------
// Actions

function checkActions(raw: unknown, add: Add): (RuleAction | null)[] {
  if (!Array.isArray(raw)) {
    add('actions', 'must be a list of actions, e.g. [{"type": "add_tag", "tag": "refund"}]');
    return [];
  }
  if (raw.length === 0) {
    add('actions', 'must list at least one action');
    return [];
  }
  if (raw.length > MAX_ACTIONS) {
    add('actions', `at most ${MAX_ACTIONS} actions in one rule`);
    return [];
  }
  return raw.map((a, i) => checkAction(a, `actions.${i}`, add));
}

function checkAction(raw: unknown, field: string, add: Add): RuleAction | null {
  if (!isPlainObject(raw)) {
    add(field, 'must be an action object {type, ...}');
    return null;
  }
  const { type } = raw;
  if (type === undefined) {
    add(`${field}.type`, 'is required');
    return null;
  }
  if (typeof type !== 'string' || !(ACTION_TYPES as readonly string[]).includes(type)) {
    const near = typeof type === 'string' ? closest(type, ACTION_TYPES) : null;
    add(`${field}.type`, `unknown action ${quote(type)}${near ? ` (did you mean ${quote(near)}?)` : ''}; actions: ${ACTION_TYPES.join(', ')}`);
    return null;
  }
  const t = type as ActionType;
  const fields = ACTION_FIELDS[t] as readonly string[];
  let ok = true;
  const problem = (f: string, p: string) => {
    ok = false;
    add(f, p);
  };
  for (const key of Object.keys(raw).filter((k) => k !== 'type' && !fields.includes(k))) {
    problem(`${field}.${key}`, `is not a field of a ${t} action (${fields.length ? `it takes ${fields.join(', ')}` : 'it takes none besides type'})`);
  }
  const action: RuleAction = { type: t };
  const uuid = (key: 'userId' | 'teamId' | 'savedReplyId' | 'inboxId', what: string) => {
    const v = raw[key];
    if (v === undefined || v === null) problem(`${field}.${key}`, `is required (the ${what} to ${t.replace(/_/g, ' ')})`);
    else if (typeof v !== 'string' || !UUID.test(v)) problem(`${field}.${key}`, 'must be a UUID');
    else action[key] = v.toLowerCase();
  };
  switch (t) {
    case 'assign_agent':
      uuid('userId', 'agent');
      break;
    case 'assign_team':
      uuid('teamId', 'team');
      break;
    case 'send_saved_reply':
      uuid('savedReplyId', 'saved reply');
      break;
    case 'move_to_inbox':
      uuid('inboxId', 'inbox');
      break;
    case 'add_tag':
    case 'remove_tag': {
      if (raw.tag === undefined || raw.tag === null) problem(`${field}.tag`, 'is required');
      else {
        const tag = tagOrProblem(raw.tag, `${field}.tag`, add);
        if (tag === null) ok = false;
        else action.tag = tag;
      }
      break;
    }
    case 'set_priority': {
      const p = raw.priority;
      if (p === undefined || p === null) problem(`${field}.priority`, 'is required (0 none, 1 low, 2 medium, 3 high, 4 urgent)');
      else if (typeof p !== 'number' || !Number.isInteger(p) || p < 0 || p > MAX_PRIORITY) problem(`${field}.priority`, 'must be a whole number from 0 to 4 (0 none, 1 low, 2 medium, 3 high, 4 urgent)');
      else action.priority = p;
      break;
    }
    case 'set_status': {
      const s = raw.status;
      if (s === undefined || s === null) problem(`${field}.status`, `is required (${SETTABLE_STATUSES.join(', ')})`);
      else if (typeof s !== 'string' || !(SETTABLE_STATUSES as readonly string[]).includes(s)) {
        problem(`${field}.status`, `must be one of ${SETTABLE_STATUSES.join(', ')}${s === 'spam' ? ' (use the mark_spam action)' : ''}`);
      } else action.status = s as RuleAction['status'];
      break;
    }
    case 'call_webhook': {
      const p = raw.payload;
      if (p === undefined || p === null) break;
      if (!isPlainObject(p)) problem(`${field}.payload`, 'must be a JSON object (sent as data.payload of the rule.fired event)');
      else if (JSON.stringify(p).length > MAX_WEBHOOK_PAYLOAD_BYTES) problem(`${field}.payload`, `must be at most ${MAX_WEBHOOK_PAYLOAD_BYTES} bytes of JSON`);
      else action.payload = p as Record<string, unknown>;
      break;
    }
    case 'send_message':
    case 'add_note': {
      const c = raw.content;
      if (c === undefined || c === null) problem(`${field}.content`, 'is required (the text, with variables such as {{contact.first_name}})');
      else if (typeof c !== 'string') problem(`${field}.content`, 'must be a string');
      else if (c.trim() === '') problem(`${field}.content`, 'must not be empty');
      else if (c.length > MAX_TEMPLATE_LENGTH) problem(`${field}.content`, `must be at most ${MAX_TEMPLATE_LENGTH} characters`);
      else action.content = c;
      break;
    }
    default:
      break;
  }
  return ok ? action : null;
}
