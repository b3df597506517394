import { EntityManager } from '@mikro-orm/postgresql';
import { Inject, Injectable } from '@nestjs/common';
import { DomainError, type FieldProblem } from '../../../common/domain-error';
import { cursorKeySql, cursorTimeSql, decodeCursor, encodeCursor } from '../../../common/keyset-cursor';
import { APP_CONFIG, type ServiceConfig } from '../../../config/config';
import { AccessPolicy } from '../../auth/access-policy';
import type { Actor } from '../../auth/actor';
import { DEFAULT_INBOX_SETTINGS, type InboxSettings } from '../../inboxes/inbox-settings';
import { type ConditionNode, explainTrace } from '../../routing/conditions';
import type { RuleDefinition } from '../rule-evaluation';
import {
  type ActionComparison,
  type ConversationReplay,
  FACT_ROOTS,
  factRootsRead,
  type RecordedConversation,
  type RecordedEvent,
  type RecordedRun,
  replayConversation,
  type RuleSummary,
  type WhatIfTrigger,
  WhatIfTally,
} from '../what-if';
import { AutomationRuleAccess } from '../automation-rule-access';
import { AutomationRuleValidator } from '../automation-rule-validator';
import { validationFailed } from '../rule-validation';
import { hiddenKeysFor, maskEvaluation } from '../rule-visibility';

/** A rule body as the rules API takes it (POST /automation-rules); enabled and position do not matter here. */
export interface DraftRuleBody {
  name: string;
  inboxId?: string | null;
  trigger: unknown;
  conditions?: unknown;
  actions: unknown;
  stopProcessing?: boolean;
  allowChaining?: boolean;
}

export interface WhatIfInput {
  actor: Actor;
  inboxId: string;
  /** Draft rule bodies, in order (as the rules API takes them). */
  rules?: DraftRuleBody[];
  /** Or saved rules, in this order (enabled or not). */
  ruleIds?: string[];
  /** The last N conversations of the inbox (by creation, most recent first); default 500. */
  last?: number;
  /** Or the conversations created in [from, to). ISO instants. */
  from?: string;
  to?: string;
  /** nextCursor of the previous answer: the next page of per-conversation results. */
  cursor?: string;
  limit?: number;
}

export interface WhatIfFiringView {
  ruleId: string;
  name: string;
  /** An event of the log (its id and type), or a time-based rule's timer (its anchor); `at`: when it would have fired. */
  trigger: WhatIfTrigger;
  /** The conditions with each one's value then (hidden attributes masked for non-administrators). */
  explanation: string;
  message: string | null;
  actions: ActionComparison[];
}

export interface WhatIfConversationView {
  conversationId: string;
  createdAt: string;
  /** Its history is longer than MAX_RUNS_PER_CONVERSATION events: replayed over the first ones. */
  historyCut: boolean;
  firings: WhatIfFiringView[];
  /** What the real conversation came to. */
  actual: ConversationReplay['actual'];
}

export interface WhatIfResult {
  inboxId: string;
  selection: { last: number } | { from: string | null; to: string | null };
  /** Conversations replayed (all of the selection unless truncated). */
  conversations: number;
  eventsReplayed: number;
  timersEvaluated: number;
  truncated: boolean;
  /** Why the replay stopped early (the cap, the time budget), in words. */
  truncatedReason: string | null;
  rules: RuleSummary[];
  /** Conversations where a rule would have fired, most recent first, after `cursor`, at most `limit`. */
  results: WhatIfConversationView[];
  nextCursor: string | null;
  /** What was read: conversations, automation_runs rows, event log rows, queries; conversations replayed over part of their history; time. */
  scanned: { conversations: number; runs: number; events: number; queries: number; cutConversations: number; ms: number };
  /** What the simulation cannot know (see what-if.ts). */
  limits: string[];
}

export const WHAT_IF_DEFAULT_LAST = 500;
export const WHAT_IF_DEFAULT_LIMIT = 50;
export const WHAT_IF_MAX_LIMIT = 100;
export const WHAT_IF_MAX_RULES = 20;
const MESSAGE_SNIPPET = 120;
/** A timestamp as the ISO text JavaScript writes (milliseconds, UTC). */
const ISO = (column: string) => `to_char(${column} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;
/** Conversations listed per query. */
const PAGE_CONVERSATIONS = 500;
/**
 * automation_runs rows (with their facts, ~1-2 KB each) read per query: about half a MB of text at a
 * time, two with the read ahead, small enough to die in V8's young generation (bench: 4,000 rows per
 * query peaked at 330 MB RSS for 10,000 conversations, 300 at 190 MB, in the same time).
 */
const ROWS_PER_CHUNK = 300;
/** A conversation's history is replayed over its first this many runs and events (a very long one is marked historyCut). */
export const MAX_RUNS_PER_CONVERSATION = 5_000;

export const WHAT_IF_LIMITS = [
  "The draft rules' actions are not carried out: they cause no events (no chaining from a draft firing) and later facts stay the recorded ones; only stop processing holds among the rules of one event.",
  'Events caused by the rules live at the time are part of the history: draft rules that allow chaining see them.',
  'Time-based rules come due from the recorded timeline: the state recorded at an event holds until the next event; changes that leave no event are not seen. Time and business hours at a due time are recomputed (business hours as the inbox has them today).',
  "The hourly firing budget counts the draft's own would-be firings only.",
  `A conversation is replayed over its first ${MAX_RUNS_PER_CONVERSATION} recorded events (historyCut).`,
];

interface ConversationRow {
  id: string;
  created_at: Date;
  key: string;
  runs: number;
}

/**
 * What-if: replays draft (or saved) rules over the recorded history of an inbox's past
 * conversations — the last N or those of a period — and answers, per rule, how many conversations
 * it would have hit, how often, with which actions, against what really happened afterwards; plus a
 * page of per-conversation results. Nothing is changed or sent.
 *
 * Bounded: conversations are listed from the database in pages (keyset on (created_at, id) of the
 * inbox's conversations), their event logs and automation_runs read in chunks of about
 * ROWS_PER_CHUNK rows by the (conversation_id, id) indexes, the next chunk read while this one is
 * replayed; only counters and the requested page of results stay in memory. At most AUTOMATION_WHAT_IF_MAX_CONVERSATIONS conversations and
 * AUTOMATION_WHAT_IF_TIME_BUDGET_SECONDS per request; when either ends the replay early the answer
 * says `truncated: true` and why. Managers of the inbox and administrators; hidden contact attribute
 * values are masked for everyone else (as the timeline does) and their drafts may not name them.
 */
@Injectable()
export class WhatIfUseCase {
  constructor(
    private readonly em: EntityManager,
    private readonly access: AccessPolicy,
    private readonly ruleAccess: AutomationRuleAccess,
    private readonly validator: AutomationRuleValidator,
    @Inject(APP_CONFIG) private readonly config: ServiceConfig,
  ) {}

  async execute(input: WhatIfInput): Promise<WhatIfResult> {
    const started = Date.now();
    const em = this.em.fork();
    const { inbox } = await this.access.requireManager(input.actor, input.inboxId, 'what-if', em);
    const { whatIfMaxConversations: cap, whatIfTimeBudgetSeconds, maxChainDepth, maxFiringsPerHour } = this.config.automation;
    const selection = this.selection(input, cap);
    const limit = input.limit ?? WHAT_IF_DEFAULT_LIMIT;
    if (!Number.isInteger(limit) || limit < 1 || limit > WHAT_IF_MAX_LIMIT) throw DomainError.invalid('limit', `must be an integer from 1 to ${WHAT_IF_MAX_LIMIT}`);
    const after = input.cursor ? decodeCursor(input.cursor) : null;

    const hidden = await hiddenKeysFor(em, input.actor);
    const rules = await this.rules(em, input);
    const settings: InboxSettings = { ...DEFAULT_INBOX_SETTINGS, ...(inbox.settings ?? {}) } as InboxSettings;
    const options = { now: started, maxChainDepth, maxFiringsPerHour, businessHours: settings.businessHours };

    const tally = new WhatIfTally(rules);
    const hits: { view: WhatIfConversationView; key: string }[] = [];
    let more = false;
    const scanned = { conversations: 0, runs: 0, events: 0, queries: 0, cutConversations: 0, ms: 0 };
    let eventsReplayed = 0;
    let timersEvaluated = 0;
    let truncatedReason: string | null = null;
    const target = 'last' in selection ? selection.last : cap;
    const deadline = started + whatIfTimeBudgetSeconds * 1000;
    const scope: Scope = { inboxId: input.inboxId, accountId: input.actor.accountId, selection };

    let lastRow: ConversationRow | null = null;
    const read = factRootsRead(rules);
    const chunks = prefetched(this.chunks(em, scope, target, FACT_ROOTS.filter((root) => !read.has(root)), scanned));
    try {
      for await (const chunk of chunks) {
        // A chunk comes in conversation order (most recent first); its hits are appended in that order.
        for (const { row, history, cut } of chunk) {
          const replay = replayConversation(rules, history(), options);
          tally.add(replay);
          scanned.conversations += 1;
          if (cut) scanned.cutConversations += 1;
          eventsReplayed += replay.eventsReplayed;
          timersEvaluated += replay.timersEvaluated;
          lastRow = row;
          if (replay.firings.length === 0 || (after && !isAfter(row, after))) continue;
          if (hits.length < limit) hits.push({ view: this.view(row, replay, cut, hidden), key: row.key });
          else more = true;
        }
        if (Date.now() > deadline && scanned.conversations < target) {
          truncatedReason = `the time budget of ${whatIfTimeBudgetSeconds} s (AUTOMATION_WHAT_IF_TIME_BUDGET_SECONDS) ran out after ${scanned.conversations} conversations, the most recent ones; narrow the selection (a smaller last, a shorter period)`;
          break;
        }
      }
    } finally {
      await chunks.return(undefined);
    }
    if (!truncatedReason && !('last' in selection) && scanned.conversations === cap && lastRow) {
      // The period holds more than the cap: say so rather than answer for part of it silently.
      const beyond = await this.conversations(em, scope, { key: lastRow.key, id: lastRow.id }, 1);
      if (beyond.length) truncatedReason = `the period holds more than ${cap} recorded conversations (AUTOMATION_WHAT_IF_MAX_CONVERSATIONS); the ${cap} most recent were replayed; narrow the period`;
    }
    const lastHit = hits[hits.length - 1];
    scanned.ms = Date.now() - started;
    return {
      inboxId: input.inboxId,
      selection,
      conversations: tally.conversations,
      eventsReplayed,
      timersEvaluated,
      truncated: truncatedReason !== null,
      truncatedReason,
      rules: tally.summary(),
      results: hits.map((h) => h.view),
      nextCursor: lastHit && more ? encodeCursor(lastHit.key, lastHit.view.conversationId) : null,
      scanned,
      limits: WHAT_IF_LIMITS,
    };
  }

  private selection(input: WhatIfInput, cap: number): { last: number } | { from: string | null; to: string | null } {
    const period = input.from !== undefined || input.to !== undefined;
    if (period && input.last !== undefined) throw DomainError.invalid('last', 'give either last or a period (from/to), not both');
    if (!period) {
      const last = input.last ?? Math.min(WHAT_IF_DEFAULT_LAST, cap);
      if (!Number.isInteger(last) || last < 1 || last > cap) throw DomainError.invalid('last', `must be an integer from 1 to ${cap} (AUTOMATION_WHAT_IF_MAX_CONVERSATIONS)`);
      return { last };
    }
    const from = input.from ?? null;
    const to = input.to ?? null;
    for (const [field, value] of [['from', from], ['to', to]] as const) {
      if (value !== null && !Number.isFinite(Date.parse(value))) throw DomainError.invalid(field, 'must be an ISO date or date-time');
    }
    if (from && to && Date.parse(from) >= Date.parse(to)) throw DomainError.invalid('to', 'must be after from');
    return { from: from && new Date(from).toISOString(), to: to && new Date(to).toISOString() };
  }

  /**
   * The rules to replay, in order: drafts checked exactly as the rules API checks a rule it saves
   * (AutomationRuleValidator: trigger, the attribute catalog, actions and their targets in the
   * account, hidden attributes for non-administrators), every problem named `rules.<i>.<field>`; or
   * saved rules the caller may read (AutomationRuleAccess).
   */
  private async rules(em: EntityManager, input: WhatIfInput): Promise<RuleDefinition[]> {
    const drafts = input.rules;
    const ids = input.ruleIds;
    if (drafts !== undefined && ids !== undefined) throw DomainError.invalid('ruleIds', 'give either rules (drafts) or ruleIds (saved rules), not both');
    if (drafts === undefined && ids === undefined) throw DomainError.invalid('rules', 'is required: draft rules to replay (or ruleIds of saved rules)');
    const count = (drafts ?? ids)!.length;
    if (count === 0 || count > WHAT_IF_MAX_RULES) throw DomainError.invalid(drafts ? 'rules' : 'ruleIds', `must hold 1 to ${WHAT_IF_MAX_RULES} rules`);
    if (drafts) {
      const problems: FieldProblem[] = [];
      const checked: RuleDefinition[] = [];
      for (const [i, draft] of drafts.entries()) {
        const inboxId = draft.inboxId ?? null;
        if (inboxId && inboxId !== input.inboxId) {
          problems.push({ field: `rules.${i}.inboxId`, problem: 'is another inbox than inboxId: the rule would never apply to the conversations replayed' });
          continue;
        }
        try {
          const rule = await this.validator.validate(em, input.actor, { inboxId, trigger: draft.trigger, conditions: draft.conditions, actions: draft.actions });
          checked.push({ id: `draft:${i}`, version: 0, name: draft.name, inboxId, ...rule, stopProcessing: draft.stopProcessing === true, allowChaining: draft.allowChaining === true });
        } catch (err) {
          if (!(err instanceof DomainError) || err.code !== 'VALIDATION_FAILED') throw err;
          problems.push(...err.details.map((d) => ({ field: `rules.${i}.${d.field}`, problem: d.problem })));
        }
      }
      if (problems.length) throw validationFailed(problems);
      return checked;
    }
    if (new Set(ids!.map((id) => id.toLowerCase())).size !== ids!.length) throw DomainError.invalid('ruleIds', 'names a rule twice');
    const saved: RuleDefinition[] = [];
    for (const [i, id] of ids!.entries()) {
      const rule = await this.ruleAccess.find(em, input.actor, id);
      await this.ruleAccess.requireReader(em, input.actor, rule, 'replaying automation rules');
      if (rule.inbox && rule.inbox.id !== input.inboxId) throw DomainError.invalid(`ruleIds.${i}`, 'this rule is limited to another inbox: it would never apply to the conversations replayed');
      saved.push({
        id: rule.id,
        version: rule.version,
        name: rule.name,
        inboxId: rule.inbox?.id ?? null,
        trigger: rule.trigger,
        conditions: rule.conditions as unknown as ConditionNode,
        actions: rule.actions,
        stopProcessing: rule.stopProcessing,
        allowChaining: rule.allowChaining,
      });
    }
    return saved;
  }

  /** The next `size` recorded conversations of the selection after `position` (most recent first), with how many runs each has (up to the cap + 1). */
  private conversations(em: EntityManager, scope: Scope, position: { key: string; id: string } | null, size: number): Promise<ConversationRow[]> {
    const period = 'last' in scope.selection ? null : scope.selection;
    return em.execute<ConversationRow[]>(
      `select c.id, c.created_at, ${cursorKeySql('c.created_at')} as key, n.runs
         from conversations c
         cross join lateral (select count(*)::int as runs from (select 1 from automation_runs r where r.conversation_id = c.id limit ${MAX_RUNS_PER_CONVERSATION + 1}) x) n
        where c.inbox_id = ? and c.account_id = ?
          ${period?.from ? 'and c.created_at >= ?' : ''}
          ${period?.to ? 'and c.created_at < ?' : ''}
          ${position ? `and (c.created_at, c.id) < (${cursorTimeSql}, ?::uuid)` : ''}
          and n.runs > 0
        order by c.created_at desc, c.id desc
        limit ?`,
      [scope.inboxId, scope.accountId, ...(period?.from ? [period.from] : []), ...(period?.to ? [period.to] : []), ...(position ? [position.key, position.id] : []), size],
    );
  }

  /**
   * The selection's conversations with their histories, in order, in chunks of at most
   * ROWS_PER_CHUNK runs: conversations are listed PAGE_CONVERSATIONS at a time, and their rows read
   * per chunk (each conversation's first MAX_RUNS_PER_CONVERSATION runs and events).
   */
  private async *chunks(em: EntityManager, scope: Scope, target: number, excludedRoots: string[], scanned: { runs: number; events: number; queries: number }): AsyncGenerator<LoadedConversation[]> {
    let position: { key: string; id: string } | null = null;
    let listed = 0;
    while (listed < target) {
      const size = Math.min(PAGE_CONVERSATIONS, target - listed);
      const rows = await this.conversations(em, scope, position, size);
      scanned.queries += 1;
      if (rows.length === 0) return;
      listed += rows.length;
      position = { key: rows[rows.length - 1].key, id: rows[rows.length - 1].id };
      let chunk: ConversationRow[] = [];
      let rowsInChunk = 0;
      for (const row of rows) {
        const runs = Math.min(Number(row.runs), MAX_RUNS_PER_CONVERSATION);
        if (chunk.length && rowsInChunk + runs > ROWS_PER_CHUNK) {
          yield await this.load(em, chunk, excludedRoots, scanned);
          chunk = [];
          rowsInChunk = 0;
        }
        chunk.push(row);
        rowsInChunk += runs;
      }
      if (chunk.length) yield await this.load(em, chunk, excludedRoots, scanned);
      if (rows.length < size) return;
    }
  }

  /**
   * The event log of these conversations with each event's recorded facts, and the time-based passes
   * (runs without an event), each conversation's first MAX_RUNS_PER_CONVERSATION, in one query.
   *
   * Read lean, because the garbage collector frees old memory only now and then: what a request
   * reads in rows piles up until it does (10,000 conversations read as 250,000 row objects peaked at
   * 400 MB). So each conversation comes as ONE row holding its whole history as JSON text — the
   * event fields the replay compares, times as ISO text, the facts without the roots no rule reads —
   * parsed only when the replay reaches it and dropped right after, in chunks small enough that the
   * text dies young.
   */
  private async load(em: EntityManager, rows: ConversationRow[], excludedRoots: string[], scanned: { runs: number; events: number; queries: number }): Promise<LoadedConversation[]> {
    const excluded = `{${excludedRoots.join(',')}}`;
    const snippet = excludedRoots.includes('message') ? `case when e.type in ('message_received', 'message_sent') then left(r.facts #>> '{message,content}', ${MESSAGE_SNIPPET}) end` : 'null';
    const found = await em.execute<{ ord: string | number; events: string | null; timers: string | null }[]>(
      `select c.ord,
              (select json_agg(json_build_array(e.id::text, e.type, e.data->>'from', e.data->>'to', e.data->>'tag', e.data->>'assigneeId', e.data->>'toInboxId',
                                                e.data->>'messageId', e.actor_user_id, e.cause_rule_id, e.depth, ${ISO('e.created_at')},
                                                r.facts - ?::text[], ${snippet}, r.id is not null) order by e.id)::text
                 from (select * from conversation_events where conversation_id = c.id order by id limit ${MAX_RUNS_PER_CONVERSATION}) e
                 left join automation_runs r on r.event_id = e.id) as events,
              (select json_agg(json_build_array(${ISO('t.created_at')}, t.facts - ?::text[]) order by t.id)::text
                 from (select id, created_at, facts from automation_runs where conversation_id = c.id and event_id is null order by id limit ${MAX_RUNS_PER_CONVERSATION}) t) as timers
         from unnest(?::uuid[]) with ordinality as c(id, ord)`,
      [excluded, excluded, `{${rows.map((r) => r.id).join(',')}}`],
    );
    scanned.queries += 1;
    const texts = new Map(found.map((f) => [Number(f.ord), f]));
    return rows.map((row, i) => {
      let text = texts.get(i + 1) ?? null;
      return {
        row,
        cut: Number(row.runs) > MAX_RUNS_PER_CONVERSATION,
        history: () => {
          const history = parseHistory(row.id, text, scanned);
          text = null;
          return history;
        },
      };
    });
  }

  private view(row: ConversationRow, replay: ConversationReplay, cut: boolean, hidden: ReadonlySet<string>): WhatIfConversationView {
    return {
      conversationId: row.id,
      createdAt: new Date(row.created_at).toISOString(),
      historyCut: cut,
      firings: replay.firings.map((f) => ({
        ruleId: f.ruleId,
        name: f.name,
        trigger: f.trigger,
        // Values of hidden contact attributes reach administrators only (rule-visibility.ts, as the timeline).
        explanation: maskEvaluation({ trace: f.trace, explanation: explainTrace(f.trace) }, hidden).evaluation.explanation,
        message: f.message,
        actions: f.actions,
      })),
      actual: replay.actual,
    };
  }
}

interface Scope {
  inboxId: string;
  accountId: string;
  selection: WhatIfResult['selection'];
}

interface LoadedConversation {
  row: ConversationRow;
  /** Parses the history (once: the text is let go). */
  history: () => RecordedConversation;
  /** More runs than MAX_RUNS_PER_CONVERSATION: replayed over its first ones only. */
  cut: boolean;
}

/** The source's items, the next one read while the caller works on the current one. */
async function* prefetched<T>(source: AsyncGenerator<T>): AsyncGenerator<T> {
  let next = source.next();
  try {
    for (;;) {
      const item = await next;
      if (item.done) return;
      next = source.next();
      yield item.value;
    }
  } finally {
    // Stopped early: let the read under way end, then close the source.
    await next.catch(() => undefined);
    await source.return(undefined);
  }
}

/** Whether a conversation comes after the cursor in the order (created_at desc, id desc). */
function isAfter(row: ConversationRow, cursor: { createdAt: string; id: string }): boolean {
  const a = BigInt(row.key);
  const b = BigInt(cursor.createdAt);
  return a < b || (a === b && row.id < cursor.id);
}

type EventItem = [
  id: string,
  type: string,
  from: string | null,
  to: string | null,
  tag: string | null,
  assigneeId: string | null,
  toInboxId: string | null,
  messageId: string | null,
  actorUserId: string | null,
  causeRuleId: string | null,
  depth: number,
  at: string,
  facts: Record<string, unknown> | null,
  snippet: string | null,
  recorded: boolean,
];
type TimerItem = [at: string, facts: Record<string, unknown>];

/** One conversation's history from the JSON load() reads: its events, the runs recorded on them and its time-based passes, in order. */
function parseHistory(conversationId: string, text: { events: string | null; timers: string | null } | null, scanned: { runs: number; events: number }): RecordedConversation {
  const events: RecordedEvent[] = [];
  const runs: RecordedRun[] = [];
  for (const [id, type, from, to, tag, assigneeId, toInboxId, messageId, actorUserId, causeRuleId, depth, at, facts, snippet, recorded] of (text?.events ? JSON.parse(text.events) : []) as EventItem[]) {
    const data: Record<string, unknown> = {};
    if (from !== null) data.from = from;
    if (to !== null) data.to = to;
    if (tag !== null) data.tag = tag;
    if (assigneeId !== null) data.assigneeId = assigneeId;
    if (toInboxId !== null) data.toInboxId = toInboxId;
    if (messageId !== null) data.messageId = messageId;
    events.push({ id, type, data, actorUserId, causeRuleId, depth: Number(depth), at });
    if (recorded) runs.push({ id, eventId: id, facts: facts ?? {}, at, snippet });
  }
  const timers: RecordedRun[] = ((text?.timers ? JSON.parse(text.timers) : []) as TimerItem[]).map(([at, facts]) => ({ id: `timer@${at}`, eventId: null, facts: facts ?? {}, at }));
  scanned.events += events.length;
  scanned.runs += runs.length + timers.length;
  // The time-based passes between the events, by time (an event first at the same instant).
  return { conversationId, events, runs: timers.length ? mergeByTime(runs, timers) : runs };
}

/** Both lists in time order, merged; at the same instant `first`'s item comes first. */
function mergeByTime(first: RecordedRun[], second: RecordedRun[]): RecordedRun[] {
  const out: RecordedRun[] = [];
  let i = 0;
  let j = 0;
  while (i < first.length || j < second.length) {
    if (j >= second.length || (i < first.length && first[i].at <= second[j].at)) out.push(first[i++]);
    else out.push(second[j++]);
  }
  return out;
}
