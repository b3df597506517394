/**
 * The attribute catalog of the condition language: which attribute paths exist, what type each has,
 * which operators fit that type and what a condition's value must look like. Routing rules and
 * automation rules are validated here, so a rule that could never mean anything (an unknown
 * attribute, "greater than" on a channel, a status that does not exist, a weekday "funday") is a 400
 * naming the field instead of a rule that silently never matches. Pure: the caller passes the
 * account's contact attribute definitions in the context (see condition-context.ts for loading them).
 *
 * Types and their operators:
 *  - string: equals, not_equals, contains, does_not_contain, starts_with, in, not_in, is_present, is_absent, changed
 *  - text (custom text and platform contact attributes: strings that may hold numbers or dates, which
 *    the evaluator compares as such): the string operators plus greater_than, less_than
 *  - number: equals, not_equals, greater_than, less_than, in, not_in, is_present, is_absent, changed
 *  - boolean: equals, not_equals, is_present, is_absent, changed
 *  - string[] (tags): contains, does_not_contain, in, not_in (any / none of a list), equals, not_equals,
 *    is_present (non-empty), is_absent (empty), changed
 *  - datetime: greater_than, less_than, is_present, is_absent
 *  - enum (fixed values, checked): equals, not_equals, in, not_in, is_present, is_absent, changed
 *  - weekday ('mon'..'sun'): equals, not_equals, in, not_in
 *  - time ('HH:MM' of the day): equals, not_equals, greater_than, less_than
 * 'changed' fits only attributes events change (the conversation's and the contact's), and only
 * where the rule runs on an event (not in routing). is_present/is_absent take no value (or true/false).
 *
 * Field paths of problems: the context's `field` (e.g. 'conditions') then the node's path inside the
 * tree ('conditions.all.1.any.0.operator'); a routing rule's list is 'settings.routing.rules.0.conditions'
 * and its entries 'settings.routing.rules.0.conditions.1.any.0.value'.
 */
import type { FieldProblem } from '../../common/domain-error';
import { CONVERSATION_STATUSES } from '../conversations/conversation.entity';
import { MESSAGE_DIRECTIONS, SENDER_TYPES } from '../conversations/message.entity';
import { CHANNEL_TYPES } from '../inboxes/inbox.entity';
import { WEEKDAYS } from '../inboxes/inbox-settings';
import { CONDITION_OPERATORS, type ConditionOperator, MAX_GROUP_DEPTH } from './conditions';

export type AttributeType =
  | { kind: 'string' }
  | { kind: 'text' }
  | { kind: 'number'; min?: number; max?: number; integer?: boolean }
  | { kind: 'boolean' }
  | { kind: 'string[]' }
  | { kind: 'datetime' }
  | { kind: 'enum'; values: readonly string[] }
  | { kind: 'weekday' }
  | { kind: 'time' };

export type AttributeKind = AttributeType['kind'];

/** Where a rule runs decides which facts it can read: routing reads routingFacts() (no event, no clock). */
export type ConditionScope = 'automation' | 'routing';

export interface CatalogAttribute {
  path: string;
  type: AttributeType;
  description: string;
  /** Filled by routingFacts() (routing-facts.ts), so routing rules may read it. */
  routing: boolean;
}

/** What a contact attribute definition holds that matters to conditions (ContactAttributeDefinition). */
export interface ConditionAttributeDefinition {
  key: string;
  type: 'text' | 'dropdown';
  options?: readonly string[];
}

export interface ConditionContext {
  /** The account's custom contact attribute definitions: `contact.attributes.<key>` is typed by them. */
  attributeDefinitions?: readonly ConditionAttributeDefinition[];
  /** Keys of platform attributes (from channel metadata) the account's contacts hold: text. */
  platformAttributeKeys?: readonly string[];
  /** Default 'automation' (every fact, 'changed' allowed); 'routing' allows what routing facts hold. */
  scope?: ConditionScope;
  /** Prefix of every problem's field; default 'conditions'. */
  field?: string;
}

export const OPERATORS_BY_TYPE: Readonly<Record<AttributeKind, readonly ConditionOperator[]>> = {
  string: ['equals', 'not_equals', 'contains', 'does_not_contain', 'starts_with', 'in', 'not_in', 'is_present', 'is_absent', 'changed'],
  text: ['equals', 'not_equals', 'contains', 'does_not_contain', 'starts_with', 'in', 'not_in', 'greater_than', 'less_than', 'is_present', 'is_absent', 'changed'],
  number: ['equals', 'not_equals', 'greater_than', 'less_than', 'in', 'not_in', 'is_present', 'is_absent', 'changed'],
  boolean: ['equals', 'not_equals', 'is_present', 'is_absent', 'changed'],
  'string[]': ['contains', 'does_not_contain', 'in', 'not_in', 'equals', 'not_equals', 'is_present', 'is_absent', 'changed'],
  datetime: ['greater_than', 'less_than', 'is_present', 'is_absent'],
  enum: ['equals', 'not_equals', 'in', 'not_in', 'is_present', 'is_absent', 'changed'],
  weekday: ['equals', 'not_equals', 'in', 'not_in'],
  time: ['equals', 'not_equals', 'greater_than', 'less_than'],
};

/** At most this many entries in one group, and this many conditions in one tree. */
export const MAX_GROUP_ENTRIES = 50;
export const MAX_CONDITIONS = 200;
/** At most this many values in an in / not_in list. */
export const MAX_LIST_VALUES = 100;

/** Roots of the facts whose attributes events change: 'changed' is allowed on these only. */
const CHANGEABLE_ROOTS = ['conversation', 'contact'];
const CUSTOM_PREFIX = 'contact.attributes.';

const S = { kind: 'string' } as const;
const B = { kind: 'boolean' } as const;
const D = { kind: 'datetime' } as const;
const TAGS = { kind: 'string[]' } as const;
const CHANNEL = { kind: 'enum', values: CHANNEL_TYPES } as const;

function attr(path: string, type: AttributeType, description: string, routing = false): CatalogAttribute {
  return { path, type, description, routing };
}

/** Every attribute a condition may read, besides `contact.attributes.<key>` (typed by the context). */
export const ATTRIBUTE_CATALOG: readonly CatalogAttribute[] = [
  attr('conversation.id', S, 'the conversation id', true),
  attr('conversation.status', { kind: 'enum', values: CONVERSATION_STATUSES }, 'new, open, pending, resolved or spam', true),
  attr('conversation.priority', { kind: 'number', min: 0, max: 4, integer: true }, '0 none, 1 low, 2 medium, 3 high, 4 urgent', true),
  attr('conversation.tags', TAGS, "the conversation's tags", true),
  attr('conversation.channel', CHANNEL, "the conversation's channel", true),
  attr('conversation.createdAt', D, 'when the conversation started', true),
  attr('conversation.assigneeId', S, 'the assigned agent (unset: nobody)'),
  attr('conversation.assigned', B, 'whether an agent holds it'),
  attr('conversation.teamId', S, 'the team its queue targets (unset: none)'),
  attr('conversation.inboxId', S, 'its inbox'),
  attr('conversation.lastCustomerMessageAt', D, "the customer's last message"),
  attr('conversation.lastAgentMessageAt', D, "an agent's last message"),
  attr('conversation.waitingSince', D, 'since when the customer waits for an answer (unset: not waiting)'),
  attr('conversation.firstResponseAt', D, "the first agent answer (unset: none yet)"),
  attr('conversation.statusSince', D, 'since when it has its status'),
  attr('message.content', S, "the event's message text", true),
  attr('message.direction', { kind: 'enum', values: MESSAGE_DIRECTIONS }, 'inbound, outbound or internal (a private note)'),
  attr('message.senderType', { kind: 'enum', values: SENDER_TYPES }, 'contact, agent, system, ai or note'),
  attr('message.createdAt', D, 'when the message was written', true),
  attr('contact.id', S, 'the contact id', true),
  attr('contact.name', S, "the contact's name", true),
  attr('contact.email', S, "the contact's email address", true),
  attr('contact.phone', S, "the contact's phone number", true),
  attr('contact.vip', B, 'whether the contact is a VIP', true),
  attr('contact.tags', TAGS, "the contact's tags"),
  attr('inbox.id', S, 'the inbox id', true),
  attr('inbox.name', S, "the inbox's name", true),
  attr('inbox.channel', CHANNEL, "the inbox's channel", true),
  attr('assignee.id', S, 'the assigned agent (no assignee: unset)'),
  attr('assignee.name', S, "the assigned agent's name"),
  attr('assignee.online', B, 'whether the assigned agent is online'),
  attr('team.id', S, 'the team its queue targets'),
  attr('team.name', S, "that team's name"),
  attr('time.hour', { kind: 'number', min: 0, max: 23, integer: true }, "the hour (0-23) in the inbox's business-hours time zone"),
  attr('time.minute', { kind: 'number', min: 0, max: 59, integer: true }, 'the minute (0-59)'),
  attr('time.weekday', { kind: 'weekday' }, 'mon..sun'),
  attr('time.time', { kind: 'time' }, 'the time of day, HH:MM'),
  attr('businessHours.open', B, "inside the inbox's business hours now (business hours off: true)"),
  attr('event.type', S, 'the event the rule runs on'),
  attr('event.tag', S, 'the tag a tag_added / tag_removed event added or removed'),
];

const BY_PATH = new Map(ATTRIBUTE_CATALOG.map((a) => [a.path, a]));

/** The attribute at `path` with its type, or null when the catalog (and the context's definitions) do not know it. */
export function lookupAttribute(path: string, ctx: ConditionContext = {}): CatalogAttribute | null {
  if (typeof path !== 'string') return null;
  const known = BY_PATH.get(path);
  if (known) return known;
  if (!path.startsWith(CUSTOM_PREFIX)) return null;
  const key = path.slice(CUSTOM_PREFIX.length);
  const def = ctx.attributeDefinitions?.find((d) => d.key === key);
  if (def) {
    const type: AttributeType = def.type === 'dropdown' ? { kind: 'enum', values: def.options ?? [] } : { kind: 'text' };
    return { path, type, description: `custom contact attribute ${key}`, routing: true };
  }
  if (ctx.platformAttributeKeys?.includes(key)) return { path, type: { kind: 'text' }, description: `platform contact attribute ${key}`, routing: true };
  return null;
}

export function operatorsFor(type: AttributeType): readonly ConditionOperator[] {
  return OPERATORS_BY_TYPE[type.kind];
}

/** The operators a condition on this attribute may use where the context's rules run. */
export function operatorsForAttribute(attribute: CatalogAttribute, ctx: ConditionContext = {}): ConditionOperator[] {
  const changeable = ctx.scope !== 'routing' && CHANGEABLE_ROOTS.includes(attribute.path.split('.')[0]);
  return operatorsFor(attribute.type).filter((op) => op !== 'changed' || changeable);
}

/** The attribute paths of the catalog a rule where the context's rules run may read (custom ones included). */
export function knownAttributePaths(ctx: ConditionContext = {}): string[] {
  const custom = [...(ctx.attributeDefinitions ?? []).map((d) => d.key), ...(ctx.platformAttributeKeys ?? [])].map((k) => `${CUSTOM_PREFIX}${k}`);
  return [...ATTRIBUTE_CATALOG.filter((a) => ctx.scope !== 'routing' || a.routing).map((a) => a.path), ...new Set(custom)];
}

/** Every attribute path a node reads (in order, each once): lets a caller load only the definitions it needs. */
export function conditionAttributePaths(node: unknown): string[] {
  const out = new Set<string>();
  const walk = (n: unknown, depth: number): void => {
    if (depth > MAX_GROUP_DEPTH + 1 || n === null || typeof n !== 'object') return;
    if (Array.isArray(n)) return n.forEach((e) => walk(e, depth));
    const o = n as Record<string, unknown>;
    if (Array.isArray(o.all) || Array.isArray(o.any)) {
      walk(o.all, depth + 1);
      walk(o.any, depth + 1);
    } else if (typeof o.attribute === 'string') out.add(o.attribute);
  };
  walk(node, 1);
  return [...out];
}

// ---------------------------------------------------------------------------------------------
// Validation

/** Problems with a condition tree (a rule's `conditions` node); none: an empty list. */
export function validateConditionTree(node: unknown, ctx: ConditionContext = {}): FieldProblem[] {
  const v = new Validator(ctx);
  v.node(node, ctx.field ?? 'conditions', 1);
  v.checkTotal(ctx.field ?? 'conditions');
  return v.problems;
}

/**
 * Problems with the `conditions` list of a routing-style rule `{ match, conditions }` (its match is the
 * DTO's to check): the list is the rule's top-level group (level 1), each entry a condition or a
 * nested group. Fields: `<field>.<index>...` (ctx.field, default 'conditions').
 */
export function validateConditionList(conditions: unknown, ctx: ConditionContext = {}): FieldProblem[] {
  const field = ctx.field ?? 'conditions';
  const v = new Validator(ctx);
  if (!Array.isArray(conditions)) {
    v.add(field, 'must be a list of conditions or groups');
    return v.problems;
  }
  v.entries(conditions, field, 1);
  v.checkTotal(field);
  return v.problems;
}

const CONDITION_KEYS = ['attribute', 'operator', 'value', 'from', 'to'];
const VALUELESS: readonly string[] = ['is_present', 'is_absent'];
const LIST_OPERATORS: readonly string[] = ['in', 'not_in'];
const HHMM = /^([01]\d|2[0-3]):[0-5]\d$/;
const ISO_DATETIME = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])(?:[T ]([01]\d|2[0-3]):[0-5]\d(?::[0-5]\d(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}(?::?\d{2})?)?)?$/i;
const NUMERIC = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;

const isPlainObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);
const quote = (s: string): string => JSON.stringify(s);

class Validator {
  readonly problems: FieldProblem[] = [];
  private conditions = 0;

  constructor(private readonly ctx: ConditionContext) {}

  add(field: string, problem: string): void {
    this.problems.push({ field, problem });
  }

  checkTotal(field: string): void {
    if (this.conditions > MAX_CONDITIONS) this.add(field, `at most ${MAX_CONDITIONS} conditions in one rule (this has ${this.conditions})`);
  }

  /** The entries of a group at `field` (a list), the group being at `depth`. */
  entries(list: unknown[], field: string, depth: number): void {
    if (list.length > MAX_GROUP_ENTRIES) this.add(field, `at most ${MAX_GROUP_ENTRIES} entries in one group`);
    list.slice(0, MAX_GROUP_ENTRIES).forEach((entry, i) => this.node(entry, `${field}.${i}`, depth + 1));
  }

  /** A node at `field`; `depth` is the level it has if it is a group. */
  node(node: unknown, field: string, depth: number): void {
    if (!isPlainObject(node)) {
      this.add(field, 'must be a condition {attribute, operator, value} or a group {all: [...]} or {any: [...]}');
      return;
    }
    if ('all' in node || 'any' in node) this.group(node, field, depth);
    else this.condition(node, field);
  }

  private group(node: Record<string, unknown>, field: string, depth: number): void {
    const modes = (['all', 'any'] as const).filter((k) => k in node);
    for (const key of Object.keys(node).filter((k) => k !== 'all' && k !== 'any')) {
      this.add(`${field}.${key}`, CONDITION_KEYS.includes(key) ? 'a group holds only all or any: put the condition inside the group' : 'is not a known field (a group holds all or any)');
    }
    if (modes.length > 1) {
      this.add(field, 'a group holds either all or any, not both: nest one group inside the other');
      return;
    }
    const mode = modes[0];
    const list = node[mode];
    if (depth > MAX_GROUP_DEPTH) {
      this.add(field, `groups nest at most ${MAX_GROUP_DEPTH} levels deep`);
      return;
    }
    if (!Array.isArray(list)) {
      this.add(`${field}.${mode}`, 'must be a list of conditions or groups');
      return;
    }
    // The rule's own top level may be empty ('all' of nothing matches everything); a nested empty group is a slip.
    if (list.length === 0 && depth > 1) {
      this.add(`${field}.${mode}`, 'an empty group: add conditions to it or remove it');
      return;
    }
    this.entries(list, `${field}.${mode}`, depth);
  }

  private condition(node: Record<string, unknown>, field: string): void {
    this.conditions++;
    for (const key of Object.keys(node).filter((k) => !CONDITION_KEYS.includes(k))) {
      this.add(`${field}.${key}`, 'is not a known field (a condition has attribute, operator and value; changed takes from and to)');
    }
    const { attribute, operator } = node;
    let opOk = true;
    if (operator === undefined) {
      this.add(`${field}.operator`, 'is required');
      opOk = false;
    } else if (typeof operator !== 'string' || !(CONDITION_OPERATORS as readonly string[]).includes(operator)) {
      this.add(`${field}.operator`, `unknown operator ${typeof operator === 'string' ? quote(operator) : String(operator)} (use one of ${CONDITION_OPERATORS.join(', ')})`);
      opOk = false;
    }
    if (attribute === undefined) return this.add(`${field}.attribute`, 'is required');
    if (typeof attribute !== 'string') return this.add(`${field}.attribute`, 'must be a string');
    const found = lookupAttribute(attribute, this.ctx);
    if (!found) return this.add(`${field}.attribute`, unknownAttributeProblem(attribute, this.ctx));
    if (this.ctx.scope === 'routing' && !found.routing) {
      const available = knownAttributePaths({ ...this.ctx, attributeDefinitions: [], platformAttributeKeys: [] });
      return this.add(`${field}.attribute`, `${quote(attribute)} is not known when routing decides (routing rules read ${available.join(', ')} and contact.attributes.<key>)`);
    }
    if (!opOk) return;
    const op = operator as ConditionOperator;
    const allowed = operatorsForAttribute(found, this.ctx);
    if (!allowed.includes(op)) {
      const why = op === 'changed' && operatorsFor(found.type).includes('changed')
        ? this.ctx.scope === 'routing'
          ? 'routing rules run on no event, so nothing "changed"'
          : 'no event changes it'
        : `it is ${describeType(found.type)}`;
      return this.add(`${field}.operator`, `${quote(op)} does not fit ${attribute}: ${why} (use ${allowed.join(', ')})`);
    }
    this.operands(node, field, op, found.type);
  }

  private operands(node: Record<string, unknown>, field: string, op: ConditionOperator, type: AttributeType): void {
    const has = (k: string) => node[k] !== undefined;
    if (op !== 'changed') {
      for (const k of ['from', 'to']) if (has(k)) this.add(`${field}.${k}`, `belongs to the changed operator only`);
    }
    if (VALUELESS.includes(op)) {
      if (has('value') && typeof node.value !== 'boolean') this.add(`${field}.value`, `${op} takes no value (or true / false)`);
      return;
    }
    if (op === 'changed') {
      if (has('value')) this.add(`${field}.value`, 'changed takes from and to (each optional), not value');
      for (const k of ['from', 'to']) {
        if (!(k in node)) continue;
        // null: "from / to nothing" (e.g. unassigned)
        if (node[k] === null) continue;
        const problem = type.kind === 'string[]' ? listProblem(node[k], { kind: 'string' }) : scalarProblem(node[k], type, 'equals');
        if (problem) this.add(`${field}.${k}`, problem);
      }
      return;
    }
    if (!has('value')) {
      this.add(`${field}.value`, node.value === null && (op === 'equals' || op === 'not_equals') ? `must not be null (use is_absent / is_present)` : 'is required');
      return;
    }
    const value = node.value;
    let problem: string | null;
    if (LIST_OPERATORS.includes(op)) problem = listProblem(value, type.kind === 'string[]' ? { kind: 'string' } : type);
    else if (type.kind === 'string[]') problem = op === 'equals' || op === 'not_equals' ? listProblem(value, { kind: 'string' }, true) : scalarProblem(value, { kind: 'string' }, op);
    else problem = scalarProblem(value, type, op);
    if (problem) this.add(`${field}.value`, problem);
  }
}

/** Why a list value does not fit (null when it does). `allowEmpty`: tags equals [] means "no tags". */
function listProblem(value: unknown, element: AttributeType, allowEmpty = false): string | null {
  if (!Array.isArray(value)) return 'must be a list of values';
  if (value.length === 0 && !allowEmpty) return 'must list at least one value';
  if (value.length > MAX_LIST_VALUES) return `at most ${MAX_LIST_VALUES} values`;
  for (let i = 0; i < value.length; i++) {
    const p = scalarProblem(value[i], element, 'equals');
    if (p) return `item ${i}: ${p}`;
  }
  return null;
}

/** Why one value does not fit the type for the operator (null when it does). */
function scalarProblem(value: unknown, type: AttributeType, op: ConditionOperator): string | null {
  if (value === null) return 'must not be null (use is_absent / is_present)';
  const textual = op === 'contains' || op === 'does_not_contain' || op === 'starts_with';
  switch (type.kind) {
    case 'string':
      if (typeof value !== 'string') return 'must be a string';
      return textual && value === '' ? 'must not be empty' : null;
    case 'text':
      if (op === 'greater_than' || op === 'less_than') {
        const fits = (typeof value === 'number' && Number.isFinite(value)) || (typeof value === 'string' && (NUMERIC.test(value.trim()) || ISO_DATETIME.test(value.trim())));
        return fits ? null : 'must be a number or an ISO 8601 date or timestamp';
      }
      if (typeof value === 'number' && Number.isFinite(value) && !textual) return null;
      if (typeof value !== 'string') return 'must be a string';
      return textual && value === '' ? 'must not be empty' : null;
    case 'number': {
      if (typeof value !== 'number' || !Number.isFinite(value)) return 'must be a number';
      if (type.integer && !Number.isInteger(value)) return 'must be a whole number';
      const range = type.min !== undefined && type.max !== undefined ? `from ${type.min} to ${type.max}` : null;
      if ((type.min !== undefined && value < type.min) || (type.max !== undefined && value > type.max)) return `must be ${range ?? 'in range'}`;
      return null;
    }
    case 'boolean':
      return typeof value === 'boolean' ? null : 'must be true or false';
    case 'string[]':
      return typeof value === 'string' && value !== '' ? null : 'must be a string';
    case 'datetime':
      return typeof value === 'string' && ISO_DATETIME.test(value.trim()) ? null : 'must be an ISO 8601 date or timestamp (e.g. 2026-01-31 or 2026-01-31T09:00:00Z)';
    case 'enum': {
      if (typeof value !== 'string' || !type.values.some((v) => v.toLowerCase() === value.toLowerCase())) {
        const near = typeof value === 'string' ? closest(value, type.values) : null;
        return `must be one of ${type.values.join(', ')}${near ? ` (did you mean ${quote(near)}?)` : ''}`;
      }
      return null;
    }
    case 'weekday':
      return typeof value === 'string' && (WEEKDAYS as readonly string[]).includes(value.toLowerCase()) ? null : `must be a weekday: ${WEEKDAYS.join(', ')}`;
    case 'time':
      return typeof value === 'string' && HHMM.test(value) ? null : 'must be a time of day HH:MM (00:00-23:59)';
  }
}

function describeType(type: AttributeType): string {
  switch (type.kind) {
    case 'enum':
      return `one of ${type.values.join(', ')}`;
    case 'string[]':
      return 'a list of tags';
    case 'text':
      return 'a text';
    case 'weekday':
      return 'a weekday';
    case 'time':
      return 'a time of day';
    default:
      return `a ${type.kind}`;
  }
}

function unknownAttributeProblem(attribute: string, ctx: ConditionContext): string {
  if (attribute.startsWith(CUSTOM_PREFIX)) {
    const key = attribute.slice(CUSTOM_PREFIX.length);
    const keys = [...new Set([...(ctx.attributeDefinitions ?? []).map((d) => d.key), ...(ctx.platformAttributeKeys ?? [])])];
    const near = closest(key, keys);
    if (near) return `unknown contact attribute ${quote(key)}; did you mean ${quote(`${CUSTOM_PREFIX}${near}`)}?`;
    return `unknown contact attribute ${quote(key)}: no custom attribute of your account${keys.length ? ` (${keys.slice(0, 20).join(', ')})` : ''} or platform attribute has this key`;
  }
  const paths = knownAttributePaths(ctx);
  // "contact.plan" for a custom attribute "plan"
  const [root, ...rest] = attribute.split('.');
  const asCustom = root === 'contact' && rest.length === 1 ? lookupAttribute(`${CUSTOM_PREFIX}${rest[0]}`, ctx) : null;
  const near = asCustom ? asCustom.path : closest(attribute, paths);
  return `unknown attribute ${quote(attribute)}${near ? `; did you mean ${quote(near)}?` : ''}`;
}

/** The candidate closest to `word` (case-insensitive edit distance), if close enough to be a slip. */
export function closest(word: string, candidates: readonly string[]): string | null {
  const w = word.toLowerCase();
  let best: string | null = null;
  let bestDistance = Infinity;
  for (const c of candidates) {
    const d = editDistance(w, c.toLowerCase());
    if (d < bestDistance) [best, bestDistance] = [c, d];
  }
  const allowed = Math.max(1, Math.min(3, Math.floor(w.length / 3)));
  return best !== null && bestDistance <= allowed ? best : null;
}

function editDistance(a: string, b: string): number {
  if (Math.abs(a.length - b.length) > 3) return Math.abs(a.length - b.length);
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) row[j] = Math.min(prev[j] + 1, row[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = row;
  }
  return prev[b.length];
}
