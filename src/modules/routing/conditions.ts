/**
 * The condition language shared by routing rules and automation rules: one evaluator, one set of
 * semantics, one way to explain a decision. Pure and deterministic (no clock, no locale-dependent
 * parsing: ISO timestamps without an offset are read as UTC). What attributes exist and which
 * operators fit them is the attribute catalog's business (condition-catalog.ts); this file evaluates
 * whatever it is given and never throws.
 *
 * Shape: a ConditionNode is a condition `{ attribute, operator, value?, from?, to? }` or a group
 * `{ all: [...] }` / `{ any: [...] }` of nodes. Each group combines its own entries with its own
 * all/any (no precedence between AND and OR: nesting says it). Every condition is evaluated (no short
 * circuit), so the trace explains the whole decision. The trace mirrors the input: a group becomes
 * `{ all|any: [traces...], matched }`, a condition `{ attribute, operator, expected, actual, passed }`.
 * Empty groups: 'all' matches, 'any' does not. Validation (condition-catalog.ts) refuses groups nested
 * deeper than MAX_GROUP_DEPTH; the evaluator itself stops at MAX_EVALUATION_DEPTH (an unvalidated,
 * absurdly deep tree then simply does not match) so no input can exhaust the stack.
 *
 * Operators (`actual` is the fact found at the attribute path, `expected` the condition's value):
 *  - equals / not_equals: strings case-insensitively; numbers and booleans strictly, except that a
 *    numeric string compares as its number and 'true'/'false' as the boolean; null and a missing
 *    attribute equal each other; arrays element by element in order; plain objects key by key;
 *    Dates as instants. not_equals is exactly the negation (a missing attribute is "not equal").
 *  - contains: string contains substring (case-insensitive); an array contains an element (equals
 *    semantics). Anything else: false.
 *  - does_not_contain: exactly the negation of contains. Like not_equals, a missing attribute (or a
 *    value that is neither a string nor an array) passes: it does not contain the value.
 *  - starts_with: a string starting with the expected text, case-insensitively (a number or boolean
 *    expected reads as its text). Arrays, missing and other values: false.
 *  - in: expected is a list (an array, or a comma-separated string); a scalar actual passes when it
 *    equals one of them, an array actual when any element does (overlap).
 *  - not_in: exactly the negation of in: no element in common; a missing attribute passes.
 *  - greater_than / less_than: numbers (or numeric strings) as numbers; Dates and ISO dates or
 *    timestamps as instants (a number against an instant counts as epoch milliseconds); two clock
 *    times 'HH:MM' (or 'HH:MM:SS') as times of day. Values that are not comparable, or missing: false.
 *  - is_present: not null/undefined, not an empty or blank string, not an empty array. A value of
 *    false (or 'false') turns it into "is absent".
 *  - is_absent: exactly the negation of is_present (a value of false turns it into "is present").
 *  - changed: reads the event in the facts, not the attribute's current value. `facts.event` is
 *    `{ type, attribute?, from?, to?, changes? }`: `attribute` names the path the event changed
 *    ('conversation.status') with its previous (`from`) and new (`to`) value; an event changing
 *    several attributes at once lists them in `changes: [{ attribute, from?, to? }]`. The condition
 *    passes when the event changed the condition's attribute (a "change" whose from and to are
 *    equal is none), from the condition's `from` (equals semantics; omitted: any) to its `to`
 *    (omitted: any); `from: null` means "from nothing" (unset). No event, or another attribute: false.
 *    Its trace has expected `{ from?, to? }` (the keys the condition gave) and actual
 *    `{ from, to }` of the change, or undefined when the event did not change the attribute.
 * An unknown operator never passes.
 */

export const CONDITION_OPERATORS = [
  'equals',
  'not_equals',
  'contains',
  'does_not_contain',
  'starts_with',
  'in',
  'not_in',
  'greater_than',
  'less_than',
  'is_present',
  'is_absent',
  'changed',
] as const;

export type ConditionOperator = (typeof CONDITION_OPERATORS)[number];

export type MatchMode = 'all' | 'any';

/** One test of one attribute. `from`/`to` belong to 'changed' only; `value` to every other operator but is_present/is_absent. */
export interface Condition {
  /** A path of the attribute catalog, e.g. "contact.vip", "message.content", "contact.attributes.plan". */
  attribute: string;
  operator: ConditionOperator;
  value?: unknown;
  from?: unknown;
  to?: unknown;
}

export interface AllGroup {
  all: ConditionNode[];
}

export interface AnyGroup {
  any: ConditionNode[];
}

/** Exactly one of all/any. */
export type ConditionGroup = AllGroup | AnyGroup;

export type ConditionNode = ConditionGroup | Condition;

/** The trace of one condition: what it asked, what it found, whether it held. */
export interface ConditionDetail {
  attribute: string;
  operator: string;
  /** The condition's value; for 'changed' `{ from?, to? }` as the condition gave them. */
  expected: unknown;
  /** The fact at the attribute path; for 'changed' `{ from, to }` of the event's change, or undefined. */
  actual: unknown;
  passed: boolean;
}

export type GroupTrace = { all: ConditionTrace[]; matched: boolean } | { any: ConditionTrace[]; matched: boolean };

/** The evaluation of a ConditionNode: the same tree, each group with `matched`, each condition with its detail. */
export type ConditionTrace = GroupTrace | ConditionDetail;

/** One attribute an event changed. */
export interface AttributeChange {
  attribute: string;
  from?: unknown;
  to?: unknown;
}

/** `facts.event`: the trigger. 'changed' reads `attribute`/`from`/`to` and `changes`; conditions may read the rest (event.type, event.tag). */
export interface EventFacts extends Partial<AttributeChange> {
  type: string;
  changes?: AttributeChange[];
  [key: string]: unknown;
}

/** The trace a node evaluates to: a group's GroupTrace, a condition's ConditionDetail. */
export type TraceOf<N> = N extends ConditionGroup ? GroupTrace : ConditionDetail;

export interface ConditionsEvaluation<T extends ConditionTrace = ConditionTrace> {
  matched: boolean;
  /** The trace of each entry of the conditions, in order (a condition's detail, a nested group's trace). */
  details: T[];
}

/** Anything shaped like a rule: routing rules, automation rules. */
export interface RuleLike {
  name?: string;
  match: MatchMode;
  conditions: ConditionNode[];
}

export interface RuleMatch<R> {
  rule: R;
  index: number;
  details: ConditionTrace[];
}

/** Validation refuses groups nested deeper than this (a rule's own top level is level 1). */
export const MAX_GROUP_DEPTH = 6;
/** The evaluator does not descend further (only unvalidated input gets here): such a group does not match. */
export const MAX_EVALUATION_DEPTH = 32;

// ---------------------------------------------------------------------------------------------
// Shapes

const hasOwn = (o: object, k: string): boolean => Object.prototype.hasOwnProperty.call(o, k);

/** A node holding a list under `all` or `any` is a group; anything else is read as a condition. */
export function isConditionGroup(node: unknown): node is ConditionGroup {
  if (node === null || typeof node !== 'object' || Array.isArray(node)) return false;
  return (hasOwn(node, 'all') && Array.isArray((node as AllGroup).all)) || (hasOwn(node, 'any') && Array.isArray((node as AnyGroup).any));
}

/** A group's mode and entries ('all' when a malformed node holds both lists). */
export function groupParts(group: ConditionGroup): { match: MatchMode; entries: ConditionNode[] } {
  return 'all' in group && Array.isArray(group.all) ? { match: 'all', entries: group.all } : { match: 'any', entries: (group as AnyGroup).any };
}

/** The group `{ [match]: entries }`: how a routing rule's `{ match, conditions }` reads as a node. */
export function groupOf(match: MatchMode, entries: ConditionNode[]): ConditionGroup {
  return match === 'any' ? { any: entries } : { all: entries };
}

export function isGroupTrace(trace: ConditionTrace): trace is GroupTrace {
  return trace !== null && typeof trace === 'object' && (Array.isArray((trace as { all?: unknown }).all) || Array.isArray((trace as { any?: unknown }).any));
}

export function groupTraceParts(trace: GroupTrace): { match: MatchMode; entries: ConditionTrace[]; matched: boolean } {
  return 'all' in trace ? { match: 'all', entries: trace.all, matched: trace.matched } : { match: 'any', entries: trace.any, matched: trace.matched };
}

/** Whether a traced node held: a group's `matched`, a condition's `passed`. */
export function traceMatched(trace: ConditionTrace): boolean {
  return isGroupTrace(trace) ? trace.matched : trace.passed;
}

/** Every condition of a trace, depth first, in order. */
export function traceConditions(trace: ConditionTrace): ConditionDetail[] {
  return isGroupTrace(trace) ? groupTraceParts(trace).entries.flatMap(traceConditions) : [trace];
}

/** The same trace with each condition's detail replaced by fn(detail) (e.g. masking values a reader may not see). */
export function mapTraceConditions(trace: ConditionTrace, fn: (detail: ConditionDetail) => ConditionDetail): ConditionTrace {
  if (!isGroupTrace(trace)) return fn(trace);
  const { match, entries, matched } = groupTraceParts(trace);
  const mapped = entries.map((e) => mapTraceConditions(e, fn));
  return match === 'all' ? { all: mapped, matched } : { any: mapped, matched };
}

// ---------------------------------------------------------------------------------------------
// Evaluation

/** Evaluates a node (a condition or a group, nested to any validated depth) against the facts. */
export function evaluateConditionTree(node: ConditionNode, facts: Record<string, unknown>): ConditionTrace {
  return evaluateNode(node, facts, 1);
}

function evaluateNode(node: ConditionNode, facts: Record<string, unknown>, depth: number): ConditionTrace {
  if (!isConditionGroup(node)) return evaluateCondition(node, facts);
  const { match, entries } = groupParts(node);
  const tooDeep = depth > MAX_EVALUATION_DEPTH;
  const traces = tooDeep ? [] : entries.map((e) => evaluateNode(e, facts, depth + 1));
  const matched = !tooDeep && combine(match, traces);
  return match === 'all' ? { all: traces, matched } : { any: traces, matched };
}

function combine(match: MatchMode, traces: ConditionTrace[]): boolean {
  return match === 'any' ? traces.some(traceMatched) : traces.every(traceMatched);
}

/** A rule's `{ match, conditions }`: the group `{ [match]: conditions }`, answered as its entries' traces. */
export function evaluateConditions<N extends ConditionNode>(match: MatchMode, conditions: N[], facts: Record<string, unknown>): ConditionsEvaluation<TraceOf<N>> {
  const details = (conditions ?? []).map((c) => evaluateNode(c, facts, 2) as TraceOf<N>);
  return { matched: combine(match === 'any' ? 'any' : 'all', details), details };
}

export function evaluateCondition(condition: Condition, facts: Record<string, unknown>): ConditionDetail {
  const attribute = condition?.attribute;
  const operator = condition?.operator;
  if (operator === 'changed') {
    const change = findChange(facts, attribute);
    const expected: { from?: unknown; to?: unknown } = {};
    if (condition.from !== undefined) expected.from = condition.from;
    if (condition.to !== undefined) expected.to = condition.to;
    const actual = change ? { from: change.from, to: change.to } : undefined;
    const passed = !!change && ('from' in expected ? looseEquals(change.from, expected.from) : true) && ('to' in expected ? looseEquals(change.to, expected.to) : true);
    return { attribute, operator, expected, actual, passed };
  }
  const actual = resolvePath(facts, attribute);
  const expected = condition?.value;
  return { attribute, operator, expected, actual, passed: applyOperator(operator, actual, expected) };
}

/** The change of `attribute` the event in the facts made, if it made one (see 'changed' above). */
export function findChange(facts: Record<string, unknown>, attribute: string): AttributeChange | null {
  const event = facts?.event;
  if (typeof attribute !== 'string' || event === null || typeof event !== 'object') return null;
  const e = event as EventFacts;
  const changes: AttributeChange[] = [];
  if (typeof e.attribute === 'string') changes.push({ attribute: e.attribute, from: e.from, to: e.to });
  if (Array.isArray(e.changes)) changes.push(...e.changes.filter((c) => c !== null && typeof c === 'object' && typeof c.attribute === 'string'));
  const change = changes.find((c) => c.attribute === attribute);
  if (!change) return null;
  // An event that reports both values and they are the same changed nothing.
  if (change.from !== undefined && change.to !== undefined && looseEquals(change.from, change.to)) return null;
  return change;
}

/** Rules in order; the first whose conditions match wins. */
export function firstMatchingRule<R extends RuleLike>(rules: R[], facts: Record<string, unknown>): RuleMatch<R> | null {
  for (let index = 0; index < (rules ?? []).length; index++) {
    const rule = rules[index];
    const { matched, details } = evaluateConditions(rule.match, rule.conditions, facts);
    if (matched) return { rule, index, details };
  }
  return null;
}

/** Every rule in order until the first match (inclusive), with its evaluation: the full trace of a decision. */
export function evaluateRules<R extends RuleLike>(rules: R[], facts: Record<string, unknown>): { rule: R; index: number; evaluation: ConditionsEvaluation }[] {
  const out: { rule: R; index: number; evaluation: ConditionsEvaluation }[] = [];
  for (let index = 0; index < (rules ?? []).length; index++) {
    const evaluation = evaluateConditions(rules[index].match, rules[index].conditions, facts);
    out.push({ rule: rules[index], index, evaluation });
    if (evaluation.matched) break;
  }
  return out;
}

/**
 * Looks up a dotted path ('contact.attributes.plan') in nested objects (array indexes allowed).
 * A key that itself contains dots ({ 'contact.vip': true }) is found too. Missing: undefined.
 */
export function resolvePath(facts: unknown, path: string): unknown {
  if (typeof path !== 'string' || path === '') return undefined;
  return resolveSegments(facts, path.split('.'));
}

function resolveSegments(value: unknown, segments: string[]): unknown {
  if (segments.length === 0) return value;
  if (value === null || typeof value !== 'object') return undefined;
  const obj = value as Record<string, unknown>;
  // Longest key first, so a literal dotted key wins over descending.
  for (let n = segments.length; n >= 1; n--) {
    const key = segments.slice(0, n).join('.');
    if (Object.prototype.hasOwnProperty.call(obj, key)) {
      const found = resolveSegments(obj[key], segments.slice(n));
      if (found !== undefined || n === 1) return found;
    }
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// Operators

export function applyOperator(operator: string, actual: unknown, expected: unknown): boolean {
  switch (operator) {
    case 'equals':
      return looseEquals(actual, expected);
    case 'not_equals':
      return !looseEquals(actual, expected);
    case 'contains':
      return contains(actual, expected);
    case 'does_not_contain':
      return !contains(actual, expected);
    case 'starts_with':
      return startsWith(actual, expected);
    case 'in':
      return isIn(actual, expected);
    case 'not_in':
      return !isIn(actual, expected);
    case 'greater_than': {
      const c = compare(actual, expected);
      return c !== null && c > 0;
    }
    case 'less_than': {
      const c = compare(actual, expected);
      return c !== null && c < 0;
    }
    case 'is_present':
      return isFalse(expected) ? !isPresent(actual) : isPresent(actual);
    case 'is_absent':
      return isFalse(expected) ? isPresent(actual) : !isPresent(actual);
    default:
      // 'changed' reads the event, not a value (evaluateCondition); unknown operators never pass.
      return false;
  }
}

function isNullish(v: unknown): v is null | undefined {
  return v === null || v === undefined;
}

function isFalse(v: unknown): boolean {
  return v === false || (typeof v === 'string' && v.trim().toLowerCase() === 'false');
}

function isPresent(v: unknown): boolean {
  if (isNullish(v)) return false;
  if (typeof v === 'string') return v.trim() !== '';
  if (Array.isArray(v)) return v.length > 0;
  return true;
}

const NUMERIC = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;

function asNumber(v: unknown): number | null {
  if (typeof v === 'number') return Number.isFinite(v) ? v : null;
  if (typeof v === 'string' && NUMERIC.test(v.trim())) return Number(v.trim());
  return null;
}

function asBoolean(v: unknown): boolean | null {
  if (typeof v === 'boolean') return v;
  if (typeof v === 'string') {
    const s = v.trim().toLowerCase();
    if (s === 'true') return true;
    if (s === 'false') return false;
  }
  return null;
}

export function looseEquals(a: unknown, b: unknown): boolean {
  if (isNullish(a) || isNullish(b)) return isNullish(a) && isNullish(b);
  if (a instanceof Date || b instanceof Date) {
    const x = asInstant(a);
    const y = asInstant(b);
    return x !== null && y !== null && x === y;
  }
  if (typeof a === 'boolean' || typeof b === 'boolean') {
    const x = asBoolean(a);
    const y = asBoolean(b);
    return x !== null && x === y;
  }
  if (typeof a === 'number' || typeof b === 'number') {
    const x = asNumber(a);
    const y = asNumber(b);
    return x !== null && x === y;
  }
  if (typeof a === 'string' && typeof b === 'string') return a.toLowerCase() === b.toLowerCase();
  if (Array.isArray(a) || Array.isArray(b)) {
    return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((x, i) => looseEquals(x, b[i]));
  }
  if (typeof a === 'object' && typeof b === 'object') {
    const ka = Object.keys(a as object);
    const kb = Object.keys(b as object);
    return (
      ka.length === kb.length &&
      ka.every((k) => Object.prototype.hasOwnProperty.call(b, k) && looseEquals((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]))
    );
  }
  return a === b;
}

function contains(actual: unknown, expected: unknown): boolean {
  if (Array.isArray(actual)) return actual.some((el) => looseEquals(el, expected));
  if (typeof actual === 'string') {
    if (typeof expected === 'string') return actual.toLowerCase().includes(expected.toLowerCase());
    if (typeof expected === 'number' || typeof expected === 'boolean') return actual.toLowerCase().includes(String(expected));
  }
  return false;
}

function startsWith(actual: unknown, expected: unknown): boolean {
  if (typeof actual !== 'string') return false;
  if (typeof expected === 'string') return actual.toLowerCase().startsWith(expected.toLowerCase());
  if (typeof expected === 'number' || typeof expected === 'boolean') return actual.toLowerCase().startsWith(String(expected));
  return false;
}

function toList(expected: unknown): unknown[] {
  if (Array.isArray(expected)) return expected;
  if (typeof expected === 'string') return expected.split(',').map((s) => s.trim()).filter((s) => s !== '');
  return isNullish(expected) ? [] : [expected];
}

function isIn(actual: unknown, expected: unknown): boolean {
  const list = toList(expected);
  if (Array.isArray(actual)) return actual.some((el) => list.some((e) => looseEquals(el, e)));
  if (isNullish(actual)) return false;
  return list.some((e) => looseEquals(actual, e));
}

/** Compares two values as numbers, as instants or as clock times; null when they are not comparable. */
function compare(a: unknown, b: unknown): number | null {
  const na = asNumber(a);
  const nb = asNumber(b);
  if (na !== null && nb !== null) return Math.sign(na - nb);
  const ia = asInstant(a);
  const ib = asInstant(b);
  if (ia !== null && ib !== null) return Math.sign(ia - ib);
  // A number against an instant: epoch milliseconds.
  if (ia !== null && nb !== null && typeof b === 'number') return Math.sign(ia - nb);
  if (na !== null && ib !== null && typeof a === 'number') return Math.sign(na - ib);
  const ta = asClockTime(a);
  const tb = asClockTime(b);
  if (ta !== null && tb !== null) return Math.sign(ta - tb);
  return null;
}

const CLOCK_TIME = /^([01]\d|2[0-3]):([0-5]\d)(?::([0-5]\d))?$/;

/** 'HH:MM' or 'HH:MM:SS' -> seconds since midnight. */
function asClockTime(v: unknown): number | null {
  if (typeof v !== 'string') return null;
  const m = CLOCK_TIME.exec(v.trim());
  return m ? Number(m[1]) * 3600 + Number(m[2]) * 60 + Number(m[3] ?? '0') : null;
}

const ISO = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}(?::?\d{2})?)?)?$/i;

/** Date or ISO 8601 date/timestamp -> epoch ms (no offset: UTC). Numbers are not instants here. */
function asInstant(v: unknown): number | null {
  if (v instanceof Date) return Number.isFinite(v.getTime()) ? v.getTime() : null;
  if (typeof v !== 'string') return null;
  const m = ISO.exec(v.trim());
  if (!m) return null;
  const [, y, mo, d, h = '0', mi = '0', s = '0', frac = '', zone] = m;
  const month = Number(mo);
  const day = Number(d);
  if (month < 1 || month > 12 || day < 1 || day > 31 || Number(h) > 23 || Number(mi) > 59 || Number(s) > 59) return null;
  const ms = Number((frac + '000').slice(0, 3));
  let t = Date.UTC(Number(y), month - 1, day, Number(h), Number(mi), Number(s), ms);
  if (new Date(Date.UTC(Number(y), month - 1, day)).getUTCDate() !== day) return null; // e.g. 2026-02-30
  if (zone && zone.toUpperCase() !== 'Z') {
    const sign = zone[0] === '-' ? -1 : 1;
    const digits = zone.slice(1).replace(':', '');
    const offsetMin = Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2) || '0');
    t -= sign * offsetMin * 60_000;
  }
  return t;
}

// ---------------------------------------------------------------------------------------------
// Explanations
//
// A condition reads `<attribute> <operator> <value> (was <actual>)`. A rule whose conditions are all
// plain conditions reads as it always has ('rule "VIP" matched: contact.vip equals true (was true)');
// a rule holding groups shows its whole tree, each entry marked ✓ (held) or ✗ (did not):
// 'rule "R" matched: all of (message.content contains "refund" (was "…") ✓, any of (contact.vip
// equals true (was false) ✗, conversation.priority greater than 2 (was 3) ✓) ✓)'.

const OPERATOR_TEXT: Record<string, string> = {
  equals: 'equals',
  not_equals: 'does not equal',
  contains: 'contains',
  does_not_contain: 'does not contain',
  starts_with: 'starts with',
  in: 'in',
  not_in: 'not in',
  greater_than: 'greater than',
  less_than: 'less than',
  is_present: 'is present',
  is_absent: 'is absent',
};

export const HELD_MARK = '✓';
export const FAILED_MARK = '✗';

/**
 * What a condition asks, without what it found: 'contact.vip equals true', 'contact.email is absent',
 * 'conversation.status changed from "pending" to "new"'.
 */
export function describeCondition(d: Pick<ConditionDetail, 'attribute' | 'operator' | 'expected'>): string {
  if (d.operator === 'is_present') return `${d.attribute} ${isFalse(d.expected) ? 'is absent' : 'is present'}`;
  if (d.operator === 'is_absent') return `${d.attribute} ${isFalse(d.expected) ? 'is present' : 'is absent'}`;
  if (d.operator === 'changed') {
    const e = d.expected !== null && typeof d.expected === 'object' ? (d.expected as { from?: unknown; to?: unknown }) : {};
    const from = e.from !== undefined ? ` from ${formatValue(e.from)}` : '';
    const to = e.to !== undefined ? ` to ${formatValue(e.to)}` : '';
    return `${d.attribute} changed${from}${to}`;
  }
  const op = OPERATOR_TEXT[d.operator] ?? `${d.operator} (unknown operator)`;
  return `${d.attribute} ${op} ${formatValue(d.expected)}`;
}

/** What a condition found, as it reads inside '(was …)': '"email"', 'missing', '"pending" -> "new"', 'unchanged'. */
export function describeActual(d: Pick<ConditionDetail, 'operator' | 'actual'>): string {
  if (d.operator === 'changed') {
    if (d.actual === undefined || d.actual === null) return 'unchanged';
    if (typeof d.actual === 'object' && !Array.isArray(d.actual)) {
      const change = d.actual as { from?: unknown; to?: unknown };
      return `${formatValue(change.from)} -> ${formatValue(change.to)}`;
    }
  }
  return formatValue(d.actual);
}

/** 'contact.vip equals true (was true)'; 'contact.email is absent (was missing)'. */
export function explainCondition(d: ConditionDetail): string {
  return `${describeCondition(d)} (was ${describeActual(d)})`;
}

/**
 * The text of a traced node: a condition as explainCondition() says it; a group as
 * 'all of (<entry> ✓, <entry> ✗)' (an empty one: 'all of (no conditions)'), nested groups the same
 * way, each entry followed by its own mark. The node's own mark is the caller's to add.
 */
export function explainTrace(trace: ConditionTrace): string {
  if (!isGroupTrace(trace)) return explainCondition(trace);
  const { match, entries } = groupTraceParts(trace);
  const inner = entries.length ? entries.map((e) => `${explainTrace(e)} ${traceMatched(e) ? HELD_MARK : FAILED_MARK}`).join(', ') : 'no conditions';
  return `${match} of (${inner})`;
}

/**
 * One line: 'rule "VIP" matched: contact.vip equals true (was true)'. For plain conditions a match
 * lists the conditions that held; a miss lists those that failed ('all') or all of them, none having
 * held ('any'). A rule holding nested groups shows its whole tree (explainTrace).
 */
export function explainRule(
  rule: { name?: string; match?: MatchMode },
  evaluation: { matched?: boolean; details: ConditionTrace[] },
): string {
  const any = rule.match === 'any';
  // A firstMatchingRule() result carries no `matched`: derive it from the details.
  const matched = evaluation.matched ?? (any ? evaluation.details.some(traceMatched) : evaluation.details.every(traceMatched));
  const name = `rule "${rule.name ?? 'unnamed'}"`;
  const verdict = matched ? 'matched' : 'did not match';
  if (evaluation.details.length === 0) return `${name} ${verdict}: no conditions`;
  if (evaluation.details.some(isGroupTrace)) {
    return `${name} ${verdict}: ${explainTrace(any ? { any: evaluation.details, matched } : { all: evaluation.details, matched })}`;
  }
  const details = evaluation.details as ConditionDetail[];
  const shown = matched ? details.filter((d) => d.passed) : any ? details : details.filter((d) => !d.passed);
  return `${name} ${verdict}: ${shown.map(explainCondition).join(any ? ' or ' : ' and ')}`;
}

/** explainRule() for a rule whose conditions are one node (an automation rule): a group reads as its entries, a lone condition as an 'all' of one. */
export function explainRuleTrace(rule: { name?: string }, trace: ConditionTrace): string {
  if (!isGroupTrace(trace)) return explainRule({ name: rule.name, match: 'all' }, { matched: trace.passed, details: [trace] });
  const { match, entries, matched } = groupTraceParts(trace);
  return explainRule({ name: rule.name, match }, { matched, details: entries });
}

function formatValue(v: unknown, depth = 0): string {
  if (v === undefined) return 'missing';
  if (v === null) return 'null';
  if (typeof v === 'string') return JSON.stringify(truncate(v, 60));
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (v instanceof Date) return Number.isFinite(v.getTime()) ? v.toISOString() : 'Invalid Date';
  if (Array.isArray(v)) {
    if (depth > 1) return '[…]';
    const items = v.slice(0, 10).map((x) => formatValue(x, depth + 1));
    return `[${items.join(', ')}${v.length > 10 ? ', …' : ''}]`;
  }
  if (typeof v === 'object') {
    let s: string;
    try {
      s = JSON.stringify(v);
    } catch {
      s = '{…}';
    }
    return truncate(s, 80);
  }
  return truncate(String(v), 60);
}

function truncate(s: string, max: number): string {
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
}
