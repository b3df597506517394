/**
 * Pure rule logic, shared by the engine (RunAutomationUseCase), "test on a conversation" and
 * "what-if": does a trigger match an event, which timer does a time-based rule arm for a
 * conversation, and what do a rule's conditions say about a set of facts.
 */
import { type ConditionDetail, type ConditionNode, type ConditionTrace, describeCondition, evaluateConditionTree, explainCondition, explainTrace, groupTraceParts, HELD_MARK, FAILED_MARK, isGroupTrace, mapTraceConditions, resolvePath, traceMatched } from '../routing/conditions';
import type { ConversationFacts } from './automation-facts';
import { type ActionOutcome, isTimeTrigger, type RuleAction, type RuleTrigger, type TimeTrigger } from './automation-rule.types';

/** What the engine needs of a rule (a stored rule or a draft). */
export interface RuleDefinition {
  id: string;
  version: number;
  name: string;
  inboxId: string | null;
  trigger: RuleTrigger;
  conditions: ConditionNode;
  actions: RuleAction[];
  stopProcessing: boolean;
  allowChaining: boolean;
}

/** One event of the log as the rules see it. */
export interface RuleEvent {
  id: string;
  type: string;
  data: Record<string, unknown>;
  depth: number;
  causeRuleId: string | null;
  at: string;
}

/** One rule's evaluation on one trigger: the record the timeline, the firing log and "why" read. */
export interface RuleEvaluation {
  ruleId: string;
  version: number;
  name: string;
  /** The trigger matched and so did the conditions. */
  matched: boolean;
  /** Why it was not evaluated (trigger not matching is not recorded; these are): chaining off, stopped by an earlier rule, a guard. */
  skipped?: string;
  trace?: ConditionTrace;
  explanation?: string;
  fired?: boolean;
  firingId?: string;
  actions?: ActionOutcome[];
  /**
   * Set on a stored evaluation whose trace leaves out the actual values that are the run's facts at the
   * condition's attribute (and whose explanation is left out: it is the trace's text): the facts are in
   * the run row once, not once per rule. restoreEvaluation() puts both back.
   */
  factsRef?: true;
}

const ACTIVE = new Set(['new', 'open', 'pending']);

/** Does an event trigger the rule (its type, and the trigger's from/to or tag filters)? */
export function triggerMatchesEvent(trigger: RuleTrigger, event: Pick<RuleEvent, 'type' | 'data'>): boolean {
  if (isTimeTrigger(trigger) || trigger.event !== event.type) return false;
  if (trigger.event === 'status_changed') {
    if (trigger.from?.length && !trigger.from.includes(String(event.data.from))) return false;
    if (trigger.to?.length && !trigger.to.includes(String(event.data.to))) return false;
  }
  if ((trigger.event === 'tag_added' || trigger.event === 'tag_removed') && trigger.tags?.length && !trigger.tags.includes(String(event.data.tag))) return false;
  return true;
}

/**
 * The instant a time-based rule's span starts for this conversation (its anchor), or null while the
 * rule cannot come due (e.g. nobody is waiting). Due at anchor + minutes. An event that breaks the
 * condition changes or clears the anchor, which is how a timer is cancelled or re-armed; each anchor
 * fires at most once.
 */
export function timerAnchor(trigger: TimeTrigger, c: ConversationFacts['conversation']): string | null {
  switch (trigger.event) {
    case 'conversation_idle':
      return ACTIVE.has(c.status) ? (c.lastMessageAt ?? c.createdAt) : null;
    case 'customer_unresponsive':
      return ACTIVE.has(c.status) && c.lastMessageBy === 'agent' ? c.lastAgentMessageAt : null;
    case 'agent_unresponsive':
      return ACTIVE.has(c.status) && c.lastMessageBy === 'customer' ? c.waitingSince : null;
    case 'in_status':
      return c.status === trigger.status ? c.statusSince : null;
    case 'first_response_due':
      return ACTIVE.has(c.status) && !c.firstResponseAt ? c.createdAt : null;
  }
}

export const dueAt = (trigger: TimeTrigger, anchor: string): number => Date.parse(anchor) + Math.round(trigger.minutes * 60_000);

/** The rule's conditions against the facts: matched, the trace tree and its text. */
export function evaluateRuleConditions(rule: Pick<RuleDefinition, 'conditions'>, facts: Record<string, unknown>): { matched: boolean; trace: ConditionTrace; explanation: string } {
  const trace = evaluateConditionTree(rule.conditions, facts);
  return { matched: traceMatched(trace), trace: boundTrace(trace), explanation: explainTrace(trace) };
}

/** Longest text (and longest list) a trace keeps of an actual value: a long email is in the facts once, not once per rule. */
export const TRACE_VALUE_MAX_CHARS = 300;
const TRACE_LIST_MAX_ITEMS = 50;

/** The trace as it is recorded (run rows, test answers): actual values cut to a readable length. */
export function boundTrace(trace: ConditionTrace): ConditionTrace {
  if (isGroupTrace(trace)) return 'all' in trace ? { all: trace.all.map(boundTrace), matched: trace.matched } : { any: trace.any.map(boundTrace), matched: trace.matched };
  const actual = boundValue(trace.actual);
  return actual === trace.actual ? trace : { ...trace, actual };
}

export function boundValue(v: unknown): unknown {
  if (typeof v === 'string') return v.length > TRACE_VALUE_MAX_CHARS ? `${v.slice(0, TRACE_VALUE_MAX_CHARS - 1)}…` : v;
  if (Array.isArray(v)) return v.length > TRACE_LIST_MAX_ITEMS || v.some((x) => typeof x === 'string' && x.length > TRACE_VALUE_MAX_CHARS) ? v.slice(0, TRACE_LIST_MAX_ITEMS).map(boundValue) : v;
  return v;
}

/** Does the rule apply to a conversation of this inbox (its scope)? */
export const inScope = (rule: Pick<RuleDefinition, 'inboxId'>, inboxId: string): boolean => rule.inboxId === null || rule.inboxId === inboxId;

/** Two actual values alike as JSON keeps them (what a stored trace can tell apart). */
function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') return false;
  return JSON.stringify(a) === JSON.stringify(b);
}

/** The actual value a condition finds in the facts, as a trace keeps it; undefined for `changed` (it reads the event). */
const factValue = (d: ConditionDetail, facts: Record<string, unknown>): unknown => boundValue(resolvePath(facts, d.attribute));

/**
 * An evaluation as a run row stores it: one that did not fire keeps its trace without the actual
 * values the run's `facts` hold at the same attributes, and without its explanation (restoreEvaluation
 * brings both back, identical). With 50 rules on a message most of them read the same few facts
 * (message.content, contact.vip...): the row keeps them once. A fired evaluation is stored whole, and so
 * is one whose values differ from the run's facts (a rule evaluated after an earlier rule's firing
 * changed the conversation sees newer facts than those recorded).
 */
export function compactEvaluation(e: RuleEvaluation, facts: Record<string, unknown>): RuleEvaluation {
  if (e.fired || !e.trace) return e;
  let whole = false;
  const trace = mapTraceConditions(e.trace, (d) => {
    if (d.operator === 'changed' || !sameValue(d.actual, factValue(d, facts))) {
      // An undefined actual cannot be kept apart from "see the facts" once stored: keep this one whole.
      if (d.actual === undefined) whole = true;
      return d;
    }
    const { actual: _actual, ...rest } = d;
    return rest as ConditionDetail;
  });
  if (whole) return e;
  const { explanation: _explanation, ...rest } = e;
  return { ...rest, trace, factsRef: true };
}

/** A stored evaluation as it was evaluated: its trace's actual values and its explanation back from the run's facts. */
export function restoreEvaluation(e: RuleEvaluation, facts: Record<string, unknown> | null): RuleEvaluation {
  if (!e.factsRef || !e.trace) return e;
  const trace = mapTraceConditions(e.trace, (d: ConditionDetail) => ('actual' in d ? d : { ...(d as ConditionDetail), actual: factValue(d as ConditionDetail, facts ?? {}) }));
  const { factsRef: _ref, ...rest } = e;
  return { ...rest, trace, explanation: explainTrace(trace) };
}

/**
 * The explanation of a trace with the actual values that `values` holds left out ("message.content
 * contains "refund" ✗" rather than "... (was "<the message>") ✗"): the workflow history's form, where
 * each pass over an event lists the values its rules read once (see RunAutomationResult).
 */
export function explainWithValues(trace: ConditionTrace, values: Record<string, unknown>): string {
  if (!isGroupTrace(trace)) {
    return trace.operator !== 'changed' && trace.attribute in values && sameValue(values[trace.attribute], trace.actual) ? describeCondition(trace) : explainCondition(trace);
  }
  const { match, entries } = groupTraceParts(trace);
  const inner = entries.length ? entries.map((x) => `${explainWithValues(x, values)} ${traceMatched(x) ? HELD_MARK : FAILED_MARK}`).join(', ') : 'no conditions';
  return `${match} of (${inner})`;
}

/** Adds the actual values a trace read (not those of `changed`) to `values`, the first one per attribute. */
export function collectValues(trace: ConditionTrace, values: Record<string, unknown>): void {
  if (isGroupTrace(trace)) {
    for (const x of groupTraceParts(trace).entries) collectValues(x, values);
  } else if (trace.operator !== 'changed' && trace.actual !== undefined && !(trace.attribute in values)) {
    values[trace.attribute] = trace.actual;
  }
}
