/**
 * The condition language shared by routing rules and automation rules: one evaluator, one set of
 * semantics, one way to explain a decision. Pure and deterministic (no clock, no locale-dependent
 * parsing: ISO timestamps without an offset are read as UTC).
 *
 * Operators (`actual` is the fact found at the attribute path, `expected` the condition's value):
 *  - equals / not_equals: strings case-insensitively; numbers and booleans strictly, except that a
 *    numeric string compares as its number and 'true'/'false' as the boolean; null and a missing
 *    attribute equal each other; arrays element by element in order; plain objects key by key;
 *    Dates as instants. not_equals is exactly the negation (a missing attribute is "not equal").
 *  - contains: string contains substring (case-insensitive); an array contains an element (equals
 *    semantics). Anything else: false.
 *  - in: expected is a list (an array, or a comma-separated string); a scalar actual passes when it
 *    equals one of them, an array actual when any element does (overlap).
 *  - greater_than / less_than: numbers (or numeric strings) as numbers; Dates and ISO dates or
 *    timestamps as instants (a number against an instant counts as epoch milliseconds). Values that
 *    are not comparable, or missing: false.
 *  - is_present: not null/undefined, not an empty or blank string, not an empty array. A value of
 *    false (or 'false') turns it into "is absent".
 * Empty conditions: 'all' matches, 'any' does not. Every condition is evaluated (no short circuit)
 * so the details explain the whole decision.
 */
import type { ConditionOperator, RuleCondition } from '../inboxes/inbox-settings';

export interface ConditionDetail {
  attribute: string;
  operator: string;
  expected: unknown;
  actual: unknown;
  passed: boolean;
}

export interface ConditionsEvaluation {
  matched: boolean;
  details: ConditionDetail[];
}

export type MatchMode = 'all' | 'any';

/** Anything shaped like a rule: routing rules, automation rules. */
export interface RuleLike {
  name?: string;
  match: MatchMode;
  conditions: RuleCondition[];
}

export interface RuleMatch<R> {
  rule: R;
  index: number;
  details: ConditionDetail[];
}

export const CONDITION_OPERATORS: readonly ConditionOperator[] = [
  'equals',
  'not_equals',
  'contains',
  'in',
  'greater_than',
  'less_than',
  'is_present',
];

export function evaluateConditions(match: MatchMode, conditions: RuleCondition[], facts: Record<string, unknown>): ConditionsEvaluation {
  const details = (conditions ?? []).map((c) => evaluateCondition(c, facts));
  const matched = match === 'any' ? details.some((d) => d.passed) : details.every((d) => d.passed);
  return { matched, details };
}

export function evaluateCondition(condition: RuleCondition, facts: Record<string, unknown>): ConditionDetail {
  const actual = resolvePath(facts, condition.attribute);
  const expected = condition.value;
  return { attribute: condition.attribute, operator: condition.operator, expected, actual, passed: applyOperator(condition.operator, actual, expected) };
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
    case 'in':
      return isIn(actual, expected);
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
    default:
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

/** Compares two values as numbers or as instants; null when they are not comparable. */
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
  return null;
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

const OPERATOR_TEXT: Record<string, string> = {
  equals: 'equals',
  not_equals: 'does not equal',
  contains: 'contains',
  in: 'in',
  greater_than: 'greater than',
  less_than: 'less than',
  is_present: 'is present',
};

/** 'contact.vip equals true (was true)'; 'contact.email is absent (was missing)'. */
export function explainCondition(d: ConditionDetail): string {
  const was = `(was ${formatValue(d.actual)})`;
  if (d.operator === 'is_present') return `${d.attribute} ${isFalse(d.expected) ? 'is absent' : 'is present'} ${was}`;
  const op = OPERATOR_TEXT[d.operator] ?? `${d.operator} (unknown operator)`;
  return `${d.attribute} ${op} ${formatValue(d.expected)} ${was}`;
}

/**
 * One line: 'rule "VIP" matched: contact.vip equals true (was true)'. A match lists the conditions
 * that held; a miss lists those that failed ('all') or all of them, none having held ('any').
 */
export function explainRule(
  rule: { name?: string; match?: MatchMode },
  evaluation: { matched?: boolean; details: ConditionDetail[] },
): string {
  const any = rule.match === 'any';
  // A firstMatchingRule() result carries no `matched`: derive it from the details.
  const matched = evaluation.matched ?? (any ? evaluation.details.some((d) => d.passed) : evaluation.details.every((d) => d.passed));
  const name = `rule "${rule.name ?? 'unnamed'}"`;
  const verdict = matched ? 'matched' : 'did not match';
  if (evaluation.details.length === 0) return `${name} ${verdict}: no conditions`;
  const shown = matched
    ? evaluation.details.filter((d) => d.passed)
    : any
      ? evaluation.details
      : evaluation.details.filter((d) => !d.passed);
  return `${name} ${verdict}: ${shown.map(explainCondition).join(any ? ' or ' : ' and ')}`;
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
