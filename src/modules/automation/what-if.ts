/**
 * What-if, the pure part: replays a draft rule set over one conversation's recorded history (its
 * automation_runs rows — the trigger and the facts the engine saw at each event — and its event log)
 * and says which rules would have fired on which event or at which time, with which actions, side
 * by side with what really happened afterwards in that conversation (did the customer write again
 * after a would-be resolve? was the would-be tag added later by a person?). Pure so that it is
 * unit-tested on hand-built histories and the use case only streams rows through it.
 *
 * Same decisions as the engine (use-cases/run-automation.use-case.ts), through the same functions
 * (triggerMatchesEvent, evaluateRuleConditions, timerAnchor, dueAt): event rules in order, a rule
 * that fired with stopProcessing ends the pass for later rules on that event, events caused by rules
 * (depth > 0) trigger only rules that allow chaining, nothing fires on an event deeper than the chain
 * limit or once the conversation had its hourly budget of firings. What the simulation cannot know:
 *  - The draft's own actions are not carried out, so their consequences are not simulated: no events
 *    of their own (no chaining from a draft firing), and later facts stay the recorded ones (a rule
 *    that would have resolved the conversation still "sees" it open on the next message). Only
 *    stopProcessing is honoured among the rules of one event. The engine reloads the facts after a
 *    firing; here later rules of the same event see the recorded facts.
 *  - Events caused by the rules live at the time (depth > 0, causeRuleId) are part of the history:
 *    draft rules that allow chaining see them, as they would if added to those rules.
 *  - Time-based rules are simulated from the recorded timeline: between one recorded snapshot (an
 *    event's facts) and the next event, the conversation's state is the recorded one, so a timer's
 *    anchor (timerAnchor of those facts) holds and the rule comes due at anchor + minutes when that
 *    is before the next event (idle 30 min = a gap of at least 30 min without a message while
 *    active); after the last event, before `now`. Each anchor is evaluated once, as in the engine.
 *    The facts at the due time are the last recorded ones with time.* recomputed for that instant in
 *    the recorded time zone, and businessHours.open recomputed with the inbox's business hours of
 *    today when given (else the recorded value). Changes that leave no event (an agent going
 *    offline, a contact attribute edited on a resolved conversation) are invisible to it.
 *  - The hourly firing budget counts the draft's own simulated firings only.
 */
import type { ConditionTrace } from '../routing/conditions';
import { evaluateBusinessHours } from '../inboxes/business-hours';
import type { BusinessHours } from '../inboxes/inbox-settings';
import { type ConversationFacts, localTime } from './automation-facts';
import { type ActionType, isTimeTrigger, type RuleAction, type TimeTrigger, type TimeTriggerType } from './automation-rule.types';
import { dueAt, evaluateRuleConditions, type RuleDefinition, timerAnchor, triggerMatchesEvent } from './rule-evaluation';

/** One automation_runs row: what the engine saw at one event (or one timer of a live rule). */
export interface RecordedRun {
  id: string;
  /** The event of the log it ran on; null for a live time-based rule's pass (a snapshot only). */
  eventId: string | null;
  /** `{ type, from?, to?, tag?, depth, causeRuleId?, ... }` as the engine recorded it; only read when the event's log row is missing (the log row and facts.event say the same). */
  trigger?: Record<string, unknown>;
  /** The event's message, first characters (when the facts were read without their `message`). */
  snippet?: string | null;
  /**
   * The facts of the time, the event and its message laid over them (factsForEvent). Read at most
   * once per run by the replay, so a caller may parse them on access (the use case keeps only the
   * JSON text of a page in memory).
   */
  readonly facts: Record<string, unknown>;
  /** When the event happened (its log row's time), or when the timer pass ran. ISO. */
  at: string;
}

/** One row of the conversation's event log. */
export interface RecordedEvent {
  id: string;
  type: string;
  data: Record<string, unknown>;
  actorUserId: string | null;
  causeRuleId: string | null;
  depth: number;
  at: string;
}

export interface RecordedConversation {
  conversationId: string;
  /** In id order. */
  runs: RecordedRun[];
  /** In id order. */
  events: RecordedEvent[];
}

export interface ReplayOptions {
  /** Epoch ms: the end of the observation (timers not due by then have not fired). */
  now: number;
  maxChainDepth: number;
  maxFiringsPerHour: number;
  /** The inbox's business hours, to recompute businessHours.open at a timer's due time (absent: the recorded value). */
  businessHours?: BusinessHours;
}

export type WhatIfTrigger =
  | { kind: 'event'; eventId: string; type: string; depth: number; at: string }
  | { kind: 'timer'; type: TimeTriggerType; minutes: number; anchor: string; at: string };

/** Who made a change of the real conversation: a person (an agent, a manager), the customer, a rule live then, or the system (routing, the lifecycle). */
export type ChangeSource = 'person' | 'customer' | 'rule' | 'system';

export interface ChangeAfterwards {
  at: string;
  by: ChangeSource;
  userId: string | null;
  /** assign_agent: whether it went to the same agent. */
  sameTarget?: boolean;
}

/** One action of a would-be firing, and what the real conversation did about the same thing afterwards. */
export interface ActionComparison {
  type: ActionType;
  /** What the action names: the tag, status, priority, agent, team, inbox or saved reply (null: nothing). */
  target: string | number | null;
  /** The conversation was already so when the rule would have fired (null: the action changes no state, e.g. a message). */
  alreadySo: boolean | null;
  /** The same change happening later in the real conversation: first time and who (null: never, or not comparable). */
  doneLater: ChangeAfterwards | null;
  /** The customer wrote after the would-be firing. */
  customerWroteAfter: boolean;
  /** A person sent a reply after the would-be firing. */
  agentRepliedAfter: boolean;
}

export interface WouldFire {
  ruleId: string;
  name: string;
  /** Position of the rule in the draft set. */
  index: number;
  trigger: WhatIfTrigger;
  trace: ConditionTrace;
  /** The message of the event (message events), first 120 characters. */
  message: string | null;
  actions: ActionComparison[];
}

export type SkipReason = 'stop_processing' | 'chaining' | 'chain_depth' | 'hourly_budget';

export interface SkippedEvaluation {
  ruleId: string;
  trigger: WhatIfTrigger;
  reason: SkipReason;
  /** stop_processing: the rule that stopped it. */
  byRuleId?: string;
}

export interface ConversationReplay {
  conversationId: string;
  /** Would-be firings in time order. */
  firings: WouldFire[];
  skipped: SkippedEvaluation[];
  /** Events the rules were replayed over, and time-based evaluations made. */
  eventsReplayed: number;
  timersEvaluated: number;
  /** What the real conversation came to (the last recorded facts, the event log's counts). */
  actual: {
    status: string | null;
    tags: string[];
    assigneeId: string | null;
    customerMessages: number;
    agentReplies: number;
    events: number;
    lastEventAt: string | null;
  };
}

const HOUR_MS = 3_600_000;
const MESSAGE_SNIPPET = 120;

const asRecord = (v: unknown): Record<string, unknown> => (v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {});

/** Replays the rules (in order) over one conversation's recorded history. */
export function replayConversation(rules: RuleDefinition[], history: RecordedConversation, options: ReplayOptions): ConversationReplay {
  const events = history.events;
  const eventIndex = new Map(events.map((e, i) => [e.id, i]));
  const later = new LaterIndex(events);
  const eventRules = rules.map((rule, index) => ({ rule, index })).filter((r) => !isTimeTrigger(r.rule.trigger));
  const timeRules = rules
    .map((rule, index) => ({ rule, index, reads: { clock: readsAttribute(rule, 'time'), businessHours: readsAttribute(rule, 'businessHours') } }))
    .filter((r) => isTimeTrigger(r.rule.trigger));
  const evaluatedAnchors = new Map<string, Set<string>>(timeRules.map((r) => [r.rule.id, new Set<string>()]));
  const firingTimes: number[] = [];
  const replay: ConversationReplay = { conversationId: history.conversationId, firings: [], skipped: [], eventsReplayed: 0, timersEvaluated: 0, actual: actualOutcome(history) };

  const overBudget = (at: number) => firingTimes.filter((t) => t > at - HOUR_MS && t <= at).length >= options.maxFiringsPerHour;

  const fire = (rule: RuleDefinition, index: number, trigger: WhatIfTrigger, trace: ConditionTrace, facts: Record<string, unknown>, fromEvent: number, snippet?: string | null) => {
    firingTimes.push(Date.parse(trigger.at));
    const content = snippet ?? asRecord(facts.message).content;
    replay.firings.push({
      ruleId: rule.id,
      name: rule.name,
      index,
      trigger,
      trace,
      message: typeof content === 'string' ? content.slice(0, MESSAGE_SNIPPET) : null,
      actions: rule.actions.map((action) => compareAction(action, asRecord(facts.conversation), later, fromEvent)),
    });
  };

  const onEvent = (run: RecordedRun, factsOf: () => Record<string, unknown>) => {
    const position = eventIndex.get(run.eventId!);
    const logged = position === undefined ? undefined : events[position];
    const type = String(logged?.type ?? run.trigger?.type);
    const depth = Number(logged?.depth ?? run.trigger?.depth ?? 0);
    const matching = eventRules.filter((r) => triggerMatchesEvent(r.rule.trigger, { type, data: logged?.data ?? run.trigger ?? {} }));
    replay.eventsReplayed += 1;
    if (matching.length === 0) return;
    const trigger: WhatIfTrigger = { kind: 'event', eventId: run.eventId!, type, depth, at: logged?.at ?? run.at };
    // "Afterwards" starts with the event after this one (the live rules' own reactions to it included).
    const after = position === undefined ? later.firstAfterTime(Date.parse(trigger.at)) : position + 1;
    const guard: SkipReason | null = depth > options.maxChainDepth ? 'chain_depth' : overBudget(Date.parse(trigger.at)) ? 'hourly_budget' : null;
    let stoppedBy: string | null = null;
    for (const { rule, index } of matching) {
      if (guard) {
        replay.skipped.push({ ruleId: rule.id, trigger, reason: guard });
      } else if (stoppedBy) {
        replay.skipped.push({ ruleId: rule.id, trigger, reason: 'stop_processing', byRuleId: stoppedBy });
      } else if (depth > 0 && !rule.allowChaining) {
        replay.skipped.push({ ruleId: rule.id, trigger, reason: 'chaining' });
      } else {
        const evaluated = evaluateRuleConditions(rule, factsOf());
        if (!evaluated.matched) continue;
        fire(rule, index, trigger, evaluated.trace, factsOf(), after, run.snippet);
        if (rule.stopProcessing) stoppedBy = rule.id;
      }
    }
  };

  /** The time-based rules over the span from one snapshot to the next event (`until`, epoch ms). */
  const onSpan = (run: RecordedRun, recorded: Record<string, unknown>, until: number) => {
    const conversation = asRecord(recorded.conversation) as unknown as ConversationFacts['conversation'];
    const from = Date.parse(run.at);
    for (const { rule, index, reads } of timeRules) {
      const timeTrigger = rule.trigger as TimeTrigger;
      const anchor = timerAnchor(timeTrigger, conversation);
      if (!anchor) continue;
      const seen = evaluatedAnchors.get(rule.id)!;
      if (seen.has(anchor)) continue;
      const due = dueAt(timeTrigger, anchor);
      if (!Number.isFinite(due) || due > until || due > options.now) continue;
      seen.add(anchor);
      replay.timersEvaluated += 1;
      // The engine fires a timer whose due time lies before the pass at the pass (an anchor the event set in the past).
      const at = Math.max(due, from);
      const trigger: WhatIfTrigger = { kind: 'timer', type: timeTrigger.event, minutes: timeTrigger.minutes, anchor, at: new Date(at).toISOString() };
      const facts = timerFacts(recorded, timeTrigger, anchor, due, at, reads, options.businessHours);
      const evaluated = evaluateRuleConditions(rule, facts);
      if (!evaluated.matched) continue;
      // As the engine: the budget is asked once a time-based rule matched.
      if (overBudget(at)) replay.skipped.push({ ruleId: rule.id, trigger, reason: 'hourly_budget' });
      else fire(rule, index, trigger, evaluated.trace, facts, later.firstAfterTime(at));
    }
  };

  const runs = history.runs;
  for (let i = 0; i < runs.length; i++) {
    const run = runs[i];
    let facts: Record<string, unknown> | undefined;
    const factsOf = () => (facts ??= run.facts);
    if (run.eventId) onEvent(run, factsOf);
    if (timeRules.length) onSpan(run, factsOf(), spanEnd(runs, i, events, eventIndex, options.now));
  }
  return replay;
}

/** Where the state recorded at runs[i] stops holding: the next recorded pass, else the first event the engine has not processed yet, else now. */
function spanEnd(runs: RecordedRun[], i: number, events: RecordedEvent[], eventIndex: Map<string, number>, now: number): number {
  if (i + 1 < runs.length) return Date.parse(runs[i + 1].at);
  const lastEventRun = [...runs].reverse().find((r) => r.eventId);
  const position = lastEventRun ? eventIndex.get(lastEventRun.eventId!) : -1;
  const next = position !== undefined ? events[position + 1] : undefined;
  return next ? Math.min(Date.parse(next.at), now) : now;
}

/** Whether a rule's conditions read an attribute under `root` (time.*, businessHours.*): only then are they recomputed for a timer. */
function readsAttribute(rule: RuleDefinition, root: string): boolean {
  return JSON.stringify(rule.conditions ?? {}).includes(`"${root}`);
}

/**
 * The facts a time-based rule sees when it comes due: the recorded ones, the timer as the event, and
 * (when its conditions read them) the clock of that instant and the business hours then.
 */
function timerFacts(
  recorded: Record<string, unknown>,
  trigger: TimeTrigger,
  anchor: string,
  due: number,
  at: number,
  reads: { clock: boolean; businessHours: boolean },
  businessHours: BusinessHours | undefined,
): Record<string, unknown> {
  const time = asRecord(recorded.time);
  const timezone = typeof time.timezone === 'string' && time.timezone ? time.timezone : 'UTC';
  let clock: unknown = recorded.time;
  if (reads.clock) {
    try {
      clock = localTime(new Date(at), timezone);
    } catch {
      // A zone this runtime does not know: the recorded clock stays.
    }
  }
  return {
    ...recorded,
    event: { type: trigger.event, anchor, dueAt: new Date(due).toISOString(), minutes: trigger.minutes, depth: 0, causeRuleId: null },
    message: {},
    time: clock,
    businessHours: businessHours && reads.businessHours ? { open: evaluateBusinessHours(businessHours, at).open } : recorded.businessHours,
  };
}

function actualOutcome(history: RecordedConversation): ConversationReplay['actual'] {
  const last = history.runs[history.runs.length - 1];
  const conversation = asRecord(last ? last.facts.conversation : undefined);
  let customerMessages = 0;
  let agentReplies = 0;
  for (const e of history.events) {
    if (e.type === 'message_received') customerMessages += 1;
    else if (e.type === 'message_sent' && e.actorUserId) agentReplies += 1;
  }
  const lastStatus = [...history.events].reverse().find((e) => e.type === 'status_changed');
  return {
    // The log is newer than the last recorded pass when the engine lags behind.
    status: lastStatus && (!last || Date.parse(lastStatus.at) > Date.parse(last.at)) ? String(lastStatus.data.to) : typeof conversation.status === 'string' ? conversation.status : null,
    tags: Array.isArray(conversation.tags) ? (conversation.tags as string[]) : [],
    assigneeId: typeof conversation.assigneeId === 'string' ? conversation.assigneeId : null,
    customerMessages,
    agentReplies,
    events: history.events.length,
    lastEventAt: history.events.length ? history.events[history.events.length - 1].at : null,
  };
}

/** The roots of the facts a replay reads: the conversation always (timers, comparisons), the rest as the rules' conditions name them ('changed' reads the event). */
export const FACT_ROOTS = ['conversation', 'contact', 'inbox', 'assignee', 'team', 'time', 'businessHours', 'event', 'message'] as const;

export function factRootsRead(rules: RuleDefinition[]): Set<string> {
  const roots = new Set<string>(['conversation']);
  const walk = (node: unknown): void => {
    if (!node || typeof node !== 'object') return;
    const n = node as Record<string, unknown>;
    if (Array.isArray(n.all)) n.all.forEach(walk);
    if (Array.isArray(n.any)) n.any.forEach(walk);
    if (typeof n.attribute === 'string') roots.add(n.attribute.split('.')[0]);
    if (n.operator === 'changed') roots.add('event');
  };
  rules.forEach((r) => walk(r.conditions));
  return roots;
}

// ---------------------------------------------------------------------------------------------
// Side by side: what the real conversation did after a would-be firing

export function changeSource(e: RecordedEvent): ChangeSource {
  if (e.causeRuleId || e.depth > 0) return 'rule';
  if (e.actorUserId) return 'person';
  if (e.type === 'message_received' || typeof e.data.messageId === 'string') return 'customer';
  return 'system';
}

/**
 * "The first event at or after position i that …" for the questions the comparisons ask, each
 * answered by one backward pass over the log the first time it is asked (a conversation with many
 * firings does not rescan its log per firing).
 */
class LaterIndex {
  private readonly next = new Map<string, Int32Array>();
  private readonly times: number[];

  constructor(readonly events: RecordedEvent[]) {
    this.times = events.map((e) => Date.parse(e.at));
  }

  /** Position of the first event strictly after the instant. */
  firstAfterTime(at: number): number {
    let lo = 0;
    let hi = this.times.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.times[mid] > at) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  }

  /** The first event at or after `from` that satisfies the predicate named `key`, or null. */
  first(key: string, predicate: (e: RecordedEvent) => boolean, from: number): RecordedEvent | null {
    let table = this.next.get(key);
    if (!table) {
      table = new Int32Array(this.events.length + 1).fill(-1);
      for (let i = this.events.length - 1; i >= 0; i--) table[i] = predicate(this.events[i]) ? i : table[i + 1];
      this.next.set(key, table);
    }
    const at = from < table.length ? table[from] : -1;
    return at >= 0 ? this.events[at] : null;
  }
}

const isCustomerMessage = (e: RecordedEvent) => e.type === 'message_received';
const isPersonReply = (e: RecordedEvent) => e.type === 'message_sent' && !!e.actorUserId && !e.causeRuleId;

/** The event that would be "the same change" as the action, keyed for LaterIndex; null when the action changes no comparable state. */
function sameChange(action: RuleAction): { key: string; predicate: (e: RecordedEvent) => boolean } | null {
  switch (action.type) {
    case 'add_tag':
      return { key: `tag_added:${action.tag}`, predicate: (e) => e.type === 'tag_added' && e.data.tag === action.tag };
    case 'remove_tag':
      return { key: `tag_removed:${action.tag}`, predicate: (e) => e.type === 'tag_removed' && e.data.tag === action.tag };
    case 'set_status':
      return { key: `status:${action.status}`, predicate: (e) => e.type === 'status_changed' && e.data.to === action.status };
    case 'mark_spam':
      return { key: 'status:spam', predicate: (e) => e.type === 'status_changed' && e.data.to === 'spam' };
    case 'set_priority':
      return { key: `priority:${action.priority}`, predicate: (e) => e.type === 'priority_changed' && Number(e.data.to) === Number(action.priority) };
    case 'assign_agent':
    case 'assign_team':
      return { key: 'assigned', predicate: (e) => e.type === 'assigned' };
    case 'unassign':
      return { key: 'unassigned', predicate: (e) => e.type === 'unassigned' };
    case 'move_to_inbox':
      return { key: `moved:${action.inboxId}`, predicate: (e) => e.type === 'moved' && e.data.toInboxId === action.inboxId };
    case 'send_message':
    case 'send_saved_reply':
      return { key: 'person_reply', predicate: isPersonReply };
    default:
      return null;
  }
}

function actionTarget(action: RuleAction): string | number | null {
  switch (action.type) {
    case 'add_tag':
    case 'remove_tag':
      return action.tag ?? null;
    case 'set_status':
      return action.status ?? null;
    case 'set_priority':
      return action.priority ?? null;
    case 'assign_agent':
      return action.userId ?? null;
    case 'assign_team':
      return action.teamId ?? null;
    case 'move_to_inbox':
      return action.inboxId ?? null;
    case 'send_saved_reply':
      return action.savedReplyId ?? null;
    default:
      return null;
  }
}

/** Whether the conversation already was as the action would make it (null: not a state). */
function alreadySo(action: RuleAction, c: Record<string, unknown>): boolean | null {
  const tags = Array.isArray(c.tags) ? (c.tags as unknown[]) : [];
  switch (action.type) {
    case 'add_tag':
      return tags.includes(action.tag);
    case 'remove_tag':
      return !tags.includes(action.tag);
    case 'set_status':
      return c.status === action.status;
    case 'mark_spam':
      return c.status === 'spam';
    case 'set_priority':
      return Number(c.priority) === Number(action.priority);
    case 'assign_agent':
      return c.assigneeId === action.userId;
    case 'assign_team':
      return c.teamId === action.teamId;
    case 'unassign':
      return !c.assigneeId;
    case 'move_to_inbox':
      return c.inboxId === action.inboxId;
    default:
      return null;
  }
}

function compareAction(action: RuleAction, conversation: Record<string, unknown>, later: LaterIndex, from: number): ActionComparison {
  const change = sameChange(action);
  const done = change ? later.first(change.key, change.predicate, from) : null;
  return {
    type: action.type,
    target: actionTarget(action),
    alreadySo: alreadySo(action, conversation),
    doneLater: done
      ? {
          at: done.at,
          by: changeSource(done),
          userId: done.actorUserId,
          ...(action.type === 'assign_agent' ? { sameTarget: done.data.assigneeId === action.userId } : {}),
        }
      : null,
    customerWroteAfter: later.first('customer_message', isCustomerMessage, from) !== null,
    agentRepliedAfter: later.first('person_reply', isPersonReply, from) !== null,
  };
}

// ---------------------------------------------------------------------------------------------
// The summary over many conversations

export interface ActionSummary {
  type: ActionType;
  target: string | number | null;
  /** Would-be firings carrying this action, and the conversations they were in. */
  firings: number;
  conversations: number;
  /** Of those conversations, at the rule's first would-be firing there: */
  alreadySo: number;
  doneLater: number;
  doneLaterByPerson: number;
  customerWroteAfter: number;
  agentRepliedAfter: number;
  /** e.g. 'would have resolved 37 of 500 conversations; 12 of those got a customer reply afterwards; ...' */
  text: string;
}

export interface RuleSummary {
  ruleId: string;
  name: string;
  index: number;
  trigger: string;
  conversations: number;
  firings: number;
  /** Evaluations that did not run, by reason (stop processing of an earlier rule, chaining off, a guard). */
  skipped: Record<SkipReason, number>;
  actions: ActionSummary[];
  text: string;
}

/** Adds up replays of many conversations per rule and action, in constant memory. */
export class WhatIfTally {
  private conversationsSeen = 0;
  private readonly perRule: { conversations: number; firings: number; skipped: Record<SkipReason, number>; actions: Omit<ActionSummary, 'text' | 'type' | 'target'>[] }[];

  constructor(private readonly rules: RuleDefinition[]) {
    this.perRule = rules.map((r) => ({
      conversations: 0,
      firings: 0,
      skipped: { stop_processing: 0, chaining: 0, chain_depth: 0, hourly_budget: 0 },
      actions: r.actions.map(() => ({ firings: 0, conversations: 0, alreadySo: 0, doneLater: 0, doneLaterByPerson: 0, customerWroteAfter: 0, agentRepliedAfter: 0 })),
    }));
  }

  get conversations(): number {
    return this.conversationsSeen;
  }

  add(replay: ConversationReplay): void {
    this.conversationsSeen += 1;
    const firstOf = new Map<number, WouldFire>();
    for (const f of replay.firings) {
      const tally = this.perRule[f.index];
      tally.firings += 1;
      f.actions.forEach((_, i) => (tally.actions[i].firings += 1));
      if (!firstOf.has(f.index)) firstOf.set(f.index, f);
    }
    for (const [index, first] of firstOf) {
      const tally = this.perRule[index];
      tally.conversations += 1;
      first.actions.forEach((a, i) => {
        const t = tally.actions[i];
        t.conversations += 1;
        if (a.alreadySo) t.alreadySo += 1;
        if (a.doneLater) t.doneLater += 1;
        if (a.doneLater?.by === 'person') t.doneLaterByPerson += 1;
        if (a.customerWroteAfter) t.customerWroteAfter += 1;
        if (a.agentRepliedAfter) t.agentRepliedAfter += 1;
      });
    }
    const indexOf = new Map(this.rules.map((r, i) => [r.id, i]));
    for (const s of replay.skipped) this.perRule[indexOf.get(s.ruleId)!].skipped[s.reason] += 1;
  }

  summary(): RuleSummary[] {
    const total = this.conversationsSeen;
    return this.rules.map((rule, index) => {
      const t = this.perRule[index];
      const actions = rule.actions.map((action, i) => {
        const a = t.actions[i];
        return { type: action.type, target: actionTarget(action), ...a, text: describeActionSummary(action, a, total) };
      });
      const trigger = isTimeTrigger(rule.trigger) ? `${rule.trigger.event} ${rule.trigger.minutes} min${rule.trigger.status ? ` (${rule.trigger.status})` : ''}` : rule.trigger.event;
      const skippedText = Object.entries(t.skipped)
        .filter(([, n]) => n > 0)
        .map(([reason, n]) => `${n} evaluation${n === 1 ? '' : 's'} skipped (${SKIP_TEXT[reason as SkipReason]})`);
      const text = [`rule "${rule.name}" would have fired ${t.firings} time${t.firings === 1 ? '' : 's'} in ${t.conversations} of ${total} conversations`, ...skippedText].join('; ');
      return { ruleId: rule.id, name: rule.name, index, trigger, conversations: t.conversations, firings: t.firings, skipped: { ...t.skipped }, actions, text };
    });
  }
}

const SKIP_TEXT: Record<SkipReason, string> = {
  stop_processing: 'an earlier rule fired and stops later rules',
  chaining: 'the event was caused by a rule and this rule does not allow chaining',
  chain_depth: 'chain depth limit',
  hourly_budget: 'hourly firing budget of the conversation',
};

function actionVerb(action: RuleAction): string {
  switch (action.type) {
    case 'assign_agent':
      return `assigned agent ${action.userId} in`;
    case 'assign_team':
      return `assigned team ${action.teamId} in`;
    case 'unassign':
      return 'unassigned';
    case 'add_tag':
      return `tagged "${action.tag}"`;
    case 'remove_tag':
      return `removed tag "${action.tag}" from`;
    case 'set_priority':
      return `set priority ${action.priority} on`;
    case 'set_status':
      return action.status === 'resolved' ? 'resolved' : action.status === 'pending' ? 'set pending' : 'opened';
    case 'send_message':
      return 'sent a message in';
    case 'send_saved_reply':
      return `sent saved reply ${action.savedReplyId} in`;
    case 'add_note':
      return 'added a note to';
    case 'send_csat':
      return 'sent a CSAT survey in';
    case 'move_to_inbox':
      return `moved to inbox ${action.inboxId}`;
    case 'mark_spam':
      return 'marked as spam';
    case 'call_webhook':
      return 'called the webhook for';
  }
}

function describeActionSummary(action: RuleAction, a: Omit<ActionSummary, 'text' | 'type' | 'target'>, total: number): string {
  const parts = [`would have ${actionVerb(action)} ${a.conversations} of ${total} conversations${a.firings !== a.conversations ? ` (${a.firings} times)` : ''}`];
  if (a.conversations === 0) return parts[0];
  if (sameChange(action) && !['send_message', 'send_saved_reply'].includes(action.type)) {
    if (a.alreadySo) parts.push(`${a.alreadySo} of those already were so`);
    parts.push(`${a.doneLater} got the same change later (${a.doneLaterByPerson} by a person)`);
  }
  parts.push(`${a.customerWroteAfter} of those got a customer reply afterwards`);
  parts.push(`${a.agentRepliedAfter} an agent reply afterwards`);
  return parts.join('; ');
}
