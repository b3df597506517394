import { EntityManager } from '@mikro-orm/postgresql';
import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, type ServiceConfig } from '../../../config/config';
import { recordDecision } from '../../conversations/decision-log';
import type { ConditionNode } from '../../routing/conditions';
import { AutomationActions } from '../automation-actions';
import { changedAttribute, type EventFacts, FACTS_SQL, factsForEvent, type FactsBase, type FactsRow, loadFacts, toFactsBase } from '../automation-facts';
import { type ActionOutcome, isTimeTrigger, type RuleTrigger, type TimeTrigger } from '../automation-rule.types';
import { collectValues, compactEvaluation, dueAt, evaluateRuleConditions, explainWithValues, inScope, type RuleDefinition, type RuleEvaluation, type RuleEvent, timerAnchor, triggerMatchesEvent } from '../rule-evaluation';

export interface RunAutomationInput {
  conversationId: string;
  /**
   * What the workflow's snapshot says of the conversation. When given, the pass answers `changed`
   * if the conversation differs from it at the end (its own rules resolved, reassigned or moved it,
   * or anyone did meanwhile): the workflow refreshes its snapshot in the same task, so a rule's
   * action does not signal its own workflow.
   */
  known?: KnownConversation;
  /**
   * Answer the evaluations in the history's compact form (see HistoryRun): the workflow asks for it
   * behind patched(AUTOMATION_COMPACT_HISTORY_PATCH); histories recorded before have the long form.
   */
  compact?: boolean;
}

/** The parts of the workflow's snapshot that a rule's action can change. */
export interface KnownConversation {
  exists: boolean;
  status: string;
  assigneeId: string | null;
  inboxId: string;
  vip: boolean;
  resolvedAt: string | null;
}

export interface FiredRule {
  ruleId: string;
  version: number;
  name: string;
  /** The event type or time-based trigger it fired on. */
  trigger: string;
  firingId: string;
  actions: ActionOutcome[];
}

/** One rule's evaluation as the workflow history keeps it (the facts stay in the run row `runId`). */
export interface EvaluationSummary {
  ruleId: string;
  version: number;
  matched: boolean;
  skipped?: string;
  /** Each condition with its actual value and result, in words. */
  explanation?: string;
}

/**
 * One event's or due timer's pass as the workflow history keeps it: the run row (facts and traces in
 * Postgres) and every evaluated rule's result. Compact form (`values` present): the actual values the
 * rules' conditions read are listed once per pass, by attribute, and the explanations of rules that did
 * not fire leave out "(was <value>)" where the value is the one listed (a fired rule's explanation is
 * whole, as in its timeline decision). With 50 rules reading the same message, the message is in the
 * history once, not 50 times.
 */
export interface HistoryRun {
  runId: string;
  on: string;
  values?: Record<string, unknown>;
  evaluations: EvaluationSummary[];
}

export interface RunAutomationResult {
  /** Events of the log this pass ran the rules over. */
  events: number;
  /** Per event or due timer: the run row (facts and full traces) and every evaluated rule's result. */
  runs: HistoryRun[];
  fired: FiredRule[];
  /** Guards that tripped in this pass (a loop, the hourly budget), in words. */
  guards: string[];
  /** Epoch ms when the next time-based rule comes due for this conversation (the workflow's timer); null: none armed. */
  nextDueAt: number | null;
  /** Epoch ms (wall clock) when the pass ended: the workflow arms its timer from it (workflow time lags by the pass). */
  clock?: number;
  /** Only when `known` was given: the conversation differs from it now (the workflow describes it again). */
  changed?: boolean;
}

/** Events handled per batch, and batches per pass: a pass always ends (what is left waits for the next). */
const EVENTS_PER_BATCH = 25;
const MAX_BATCHES = 20;

/** A firing as claimed: new (`running`), or found as a crashed attempt left it or as it ended. */
interface FiringClaim {
  id: string;
  status: string;
  outcomes: ActionOutcome[] | null;
}

const CLAIM_FIRING_SQL = 'insert into automation_firings (rule_id, rule_version, account_id, conversation_id, run_id, key, depth)';

/** Data-modifying CTEs (`name as (...)`, comma-separated) with their parameters, to write alone or as part of another statement. */
interface SqlPart {
  sql: string;
  params: unknown[];
}

/** Writes a part as a statement of its own. */
async function writePart(em: EntityManager, part: SqlPart): Promise<void> {
  await em.execute(`with ${part.sql} select 1`, part.params);
}

interface EventRow {
  id: string;
  type: string;
  data: Record<string, unknown>;
  depth: number;
  cause_rule_id: string | null;
  cause_firing_id: string | null;
  created_at: string;
}

interface RuleRow {
  id: string;
  version: number;
  name: string;
  inbox_id: string | null;
  trigger: RuleTrigger;
  conditions: ConditionNode;
  actions: RuleDefinition['actions'];
  stop_processing: boolean;
  allow_chaining: boolean;
}

/** An event row of the pass's statement, with the message it names (if any). */
interface PassEventRow extends EventRow {
  message_content: string | null;
  message_direction: string | null;
  message_sender_type: string | null;
  message_created_at: string | null;
  message_automated: boolean | null;
}

/** automation_facts()'s answer with the pass's events and (the first time) its rules. */
type PassFactsRow = FactsRow & { pass_events: PassEventRow[] | null; pass_rules: RuleRow[] | null };

type EventMessage = { content: string; direction: string; senderType: string; automated: boolean; createdAt: string };

function toRule(r: RuleRow): RuleDefinition {
  return {
    id: r.id,
    version: r.version,
    name: r.name,
    inboxId: r.inbox_id,
    trigger: r.trigger,
    conditions: r.conditions,
    actions: r.actions,
    stopProcessing: r.stop_processing,
    allowChaining: r.allow_chaining,
  };
}

/** The message an event names, as the rules see it (message.*). */
function messageOf(e: PassEventRow): EventMessage | null {
  if (typeof e.data?.messageId !== 'string' || e.message_content === null || e.message_created_at === null) return null;
  return {
    content: e.message_content,
    direction: e.message_direction!,
    senderType: e.message_sender_type!,
    automated: e.message_automated === true,
    createdAt: new Date(e.message_created_at).toISOString(),
  };
}

interface PendingRun {
  event_id: string;
  account_id: string;
  inbox_id: string;
  trigger: unknown;
  facts: unknown;
  evaluations: unknown;
}

/**
 * The run rows of events no rule fired on, written together in one statement with their events
 * marked processed: at the end of a batch, and before anything fires, so the log is processed in order.
 */
class PendingRuns {
  private rows: PendingRun[] = [];
  private entries: ({ runId: string } | null)[] = [];
  private conversationId = '';

  add(row: PendingRun, conversationId: string, entry: { runId: string } | null): void {
    this.rows.push(row);
    this.entries.push(entry);
    this.conversationId = conversationId;
  }

  async flush(em: EntityManager): Promise<void> {
    if (this.rows.length === 0) return;
    const rows = this.rows.map((r, ord) => ({ ...r, ord }));
    const entries = this.entries;
    this.rows = [];
    this.entries = [];
    const written = await em.execute<{ id: string; event_id: string }[]>(
      `with x as (
         select * from jsonb_to_recordset(?::jsonb) as x(event_id bigint, account_id uuid, inbox_id uuid, trigger jsonb, facts jsonb, evaluations jsonb, ord int)
       ), done as (
         update conversation_events set processed_at = clock_timestamp() where id in (select event_id from x)
       )
       insert into automation_runs (conversation_id, account_id, inbox_id, event_id, trigger, facts, evaluations)
       select ?, account_id, inbox_id, event_id, trigger, facts, evaluations from x order by ord
       on conflict (event_id) do update set facts = excluded.facts, evaluations = excluded.evaluations returning id, event_id`,
      [JSON.stringify(rows), this.conversationId],
    );
    const ids = new Map(written.map((w) => [String(w.event_id), String(w.id)]));
    rows.forEach((r, i) => {
      const entry = entries[i];
      if (entry) entry.runId = ids.get(String(r.event_id)) ?? '';
    });
  }
}

/**
 * The automation step of the conversation workflow: runs the account's enabled rules, in order, over
 * every event of the conversation's log not processed yet (its own actions' events included, for
 * rules that allow chaining), then fires the time-based rules that came due, and answers when the
 * next one is due. Rules and settings are read here, when used, so a saved rule applies at once.
 *
 * Exactly once: each event gets one run row (unique per event) and each firing is claimed by a unique
 * key (`<rule>:event:<id>`, `<rule>:timer:<conversation>:<anchor>`) before its first action; a retried activity finds
 * its firings and resumes them with the same idempotency keys, so a message is never sent twice.
 * Loop guard: an event more than AUTOMATION_MAX_CHAIN_DEPTH rule-firings deep, or a conversation over
 * AUTOMATION_MAX_FIRINGS_PER_HOUR firings, fires nothing more; the trip is a decision naming the rules.
 */
@Injectable()
export class RunAutomationUseCase {
  constructor(
    private readonly em: EntityManager,
    private readonly actions: AutomationActions,
    @Inject(APP_CONFIG) private readonly config: ServiceConfig,
  ) {}

  async execute(input: RunAutomationInput): Promise<RunAutomationResult> {
    const em = this.em.fork();
    const result: RunAutomationResult = { events: 0, runs: [], fired: [], guards: [], nextDueAt: null };
    const last = await this.pass(em, input, result, input.compact === true);
    if (input.known) {
      // The pass's last read of the conversation is current unless a firing came after it.
      const now = last && !last.stale ? last.base : await loadFacts(em, input.conversationId);
      result.changed = differs(input.known, now);
    }
    result.clock = Date.now();
    return result;
  }

  /** Answers the conversation's facts as last read (null: deleted), and whether a firing came after that read. */
  private async pass(em: EntityManager, input: RunAutomationInput, result: RunAutomationResult, compact: boolean): Promise<{ base: FactsBase | null; stale: boolean }> {
    let rules: RuleDefinition[] | null = null;
    let base: FactsBase | null = null;
    const runs = new PendingRuns();
    for (let batch = 0; batch < MAX_BATCHES; batch++) {
      // One statement: the conversation's facts, its events not processed yet (with their messages)
      // and, the first time, the account's enabled rules.
      const withRules: boolean = rules === null;
      const [answer]: { facts: PassFactsRow | null }[] = await em.execute(FACTS_SQL, [
        input.conversationId,
        EVENTS_PER_BATCH,
        withRules,
      ]);
      const row: PassFactsRow | null | undefined = answer?.facts;
      if (!row) return { base: null, stale: false }; // deleted: its events went with it
      base = toFactsBase(row);
      rules ??= (row.pass_rules ?? []).map(toRule);
      const events = row.pass_events ?? [];
      const scoped = (rules ?? []).filter((r) => inScope(r, base!.inboxId));
      const firedBefore = result.fired.length;
      let stale = false;
      for (const event of events) {
        const after = await this.onEvent(em, toEvent(event), event.cause_firing_id === null ? null : String(event.cause_firing_id), messageOf(event), base!, scoped, result, runs, compact);
        if (!after.base) {
          await runs.flush(em);
          return { base: null, stale: false };
        }
        base = after.base;
        result.events += 1;
        // A rule fired and no later rule of the event read the facts since: the next batch's statement
        // reads them again, with the events not processed yet (those after this one, and the firing's own).
        if (after.stale) {
          stale = true;
          break;
        }
      }
      await runs.flush(em);
      if (stale) continue;
      const timers = await this.dueTimers(em, base!, scoped, result, runs, compact);
      // Nothing fired and the batch was not full: nothing of this pass's making waits in the log. (An
      // event anyone else writes meanwhile comes with a signal to the workflow, which runs a pass again.)
      if (events.length < EVENTS_PER_BATCH && result.fired.length === firedBefore && !timers.firedAny) {
        result.nextDueAt = timers.nextDueAt;
        return { base, stale: false };
      }
    }
    // Work left over (a long chain): the next pass takes it; come back at once.
    result.nextDueAt = Date.now();
    return { base, stale: true };
  }

  /** Runs the rules over one event; answers the conversation's facts as they are afterwards (null: it is gone). */
  private async onEvent(
    em: EntityManager,
    event: RuleEvent,
    causeFiringId: string | null,
    message: EventMessage | null,
    base: FactsBase,
    rules: RuleDefinition[],
    result: RunAutomationResult,
    runs: PendingRuns,
    compact: boolean,
  ): Promise<{ base: FactsBase | null; stale: boolean }> {
    const conversationId = base.facts.conversation.id;
    const eventFacts: EventFacts = { ...event.data, type: event.type, attribute: changedAttribute(event.type), from: event.data.from, to: event.data.to, depth: event.depth, causeRuleId: event.causeRuleId };
    if (event.type === 'assigned' || event.type === 'unassigned') {
      eventFacts.from = event.type === 'assigned' ? (event.data.previousAssigneeId ?? null) : event.data.assigneeId;
      eventFacts.to = event.type === 'assigned' ? event.data.assigneeId : null;
    }
    const facts = factsForEvent(base.facts, eventFacts, message);
    const evaluations: RuleEvaluation[] = [];
    // The run row (the facts the rules saw, then their evaluations) is written once, with the event
    // marked processed in the same statement, unless a rule fires: a firing needs the row first.
    let runId: string | null = null;
    /** The unique key that claims a rule's firing on this event (exactly once across retries). */
    const firingKey = (rule: RuleDefinition) => `${rule.id}:event:${event.id}`;
    /**
     * Claims the run row for the first rule that holds and answers, in the same statement, the
     * conversation's firings of the last hour (the budget guard's count) and, while under the budget,
     * the claimed firing of that rule (or the one a crashed attempt claimed).
     */
    const claimRun = async (rule: RuleDefinition): Promise<{ id: string; firings: number; firing: FiringClaim | null }> => {
      // The runs held back (no rule fired on their events) go first, so events are marked processed in order.
      await runs.flush(em);
      const [run] = await em.execute<{ id: string; firings: string; firing_id: string | null; status: string | null; outcomes: ActionOutcome[] | null }[]>(
        `with run as (
           insert into automation_runs (conversation_id, account_id, inbox_id, event_id, trigger, facts, evaluations) values (?, ?, ?, ?, ?, ?, '[]')
           on conflict (event_id) do update set facts = excluded.facts returning id
         ), budget as (
           select count(*) as n from automation_firings where conversation_id = ? and created_at > clock_timestamp() - interval '1 hour'
         ), firing as (
           ${CLAIM_FIRING_SQL} select ?::uuid, ?::int, ?::uuid, ?::uuid, run.id, ?, ?::int from run, budget where budget.n < ?::int
           on conflict (key) do update set key = excluded.key returning id, status, outcomes
         )
         select run.id, budget.n as firings, firing.id as firing_id, firing.status, firing.outcomes from run cross join budget left join firing on true`,
        [
          conversationId,
          base.accountId,
          base.inboxId,
          event.id,
          JSON.stringify(eventFacts),
          JSON.stringify(facts),
          conversationId,
          rule.id,
          rule.version,
          base.accountId,
          conversationId,
          firingKey(rule),
          event.depth,
          this.config.automation.maxFiringsPerHour,
        ],
      );
      return { id: run.id, firings: Number(run.firings), firing: run.firing_id ? { id: run.firing_id, status: run.status!, outcomes: run.outcomes } : null };
    };

    const matching = rules.filter((r) => triggerMatchesEvent(r.trigger, event));
    /** A rule's firing whose end is written with the run's evaluations (nothing was evaluated after it). */
    let lastEnd: SqlPart | null = null;
    // The chain limit is known from the event; the hourly budget is asked for once a rule matches.
    const depthGuard = matching.length ? await this.depthGuard(em, conversationId, event, causeFiringId) : null;
    let budgetGuard: string | null | undefined;
    let current: FactsBase = base;
    // After a firing the facts are read again only if a later rule of this event is evaluated; else the
    // pass ends its batch and its next statement reads them (with the events the firing caused).
    let stale = false;
    if (depthGuard) {
      result.guards.push(depthGuard);
      for (const r of matching) evaluations.push({ ruleId: r.id, version: r.version, name: r.name, matched: false, skipped: depthGuard });
    } else {
      let stoppedBy: string | null = null;
      for (const [index, rule] of matching.entries()) {
        const entry: RuleEvaluation = { ruleId: rule.id, version: rule.version, name: rule.name, matched: false };
        evaluations.push(entry);
        if (budgetGuard) {
          entry.skipped = budgetGuard;
          continue;
        }
        if (stoppedBy) {
          entry.skipped = `rule "${stoppedBy}" fired before and stops later rules`;
          continue;
        }
        if (event.depth > 0 && !rule.allowChaining) {
          entry.skipped = 'the event was caused by a rule, and this rule does not allow chaining';
          continue;
        }
        if (stale) {
          const now = await loadFacts(em, conversationId);
          if (!now) return { base: null, stale: false };
          current = now;
          stale = false;
        }
        const evaluated = evaluateRuleConditions(rule, { ...current.facts, event: eventFacts, message: message ?? {} });
        Object.assign(entry, { matched: evaluated.matched, trace: evaluated.trace, explanation: evaluated.explanation });
        if (!evaluated.matched) continue;
        let claimed: FiringClaim | null = null;
        if (budgetGuard === undefined) {
          const run = await claimRun(rule);
          runId = run.id;
          claimed = run.firing;
          budgetGuard = await this.budgetGuard(em, conversationId, run.firings);
        }
        if (budgetGuard) {
          entry.skipped = budgetGuard;
          result.guards.push(budgetGuard);
          continue;
        }
        // runId: claimed with the budget's count above.
        const { fired, end } = await this.fire(em, rule, firingKey(rule), runId!, event.depth, describeEvent(event), evaluated.explanation, evaluated.trace, current, claimed);
        Object.assign(entry, { fired: true, firingId: fired.firingId, actions: fired.actions });
        result.fired.push(fired);
        stale = true;
        if (rule.stopProcessing) stoppedBy = rule.name;
        // A later rule of this event is evaluated (on the facts read again): the firing ends now, so its
        // decision comes before theirs. Else its end is written with the run's evaluations.
        const laterEvaluated = !stoppedBy && matching.slice(index + 1).some((r) => event.depth === 0 || r.allowChaining);
        if (end && laterEvaluated) await writePart(em, end);
        else lastEnd = end;
      }
    }
    if (runId === null) {
      // No rule fired: the run row (and the event marked processed) is written with the others of the batch.
      const entry = evaluations.length ? historyEntry('', describeEvent(event), evaluations, compact) : null;
      if (entry) result.runs.push(entry);
      runs.add({ event_id: event.id, account_id: base.accountId, inbox_id: base.inboxId, trigger: eventFacts, facts, evaluations: evaluations.map((e) => compactEvaluation(e, facts)) }, conversationId, entry);
      return { base: current, stale };
    }
    await em.execute(
      `with ${lastEnd ? `${lastEnd.sql}, ` : ''}done as (update conversation_events set processed_at = clock_timestamp() where id = ?)
       update automation_runs set evaluations = ? where id = ?`,
      [...(lastEnd?.params ?? []), event.id, JSON.stringify(evaluations.map((e) => compactEvaluation(e, facts))), runId],
    );
    if (evaluations.length) result.runs.push(historyEntry(runId, describeEvent(event), evaluations, compact));
    return { base: current, stale };
  }

  /** Fires the time-based rules whose span ran out; answers whether any fired and when the next is due. */
  private async dueTimers(em: EntityManager, base: FactsBase, rules: RuleDefinition[], result: RunAutomationResult, runs: PendingRuns, compact: boolean): Promise<{ firedAny: boolean; nextDueAt: number | null }> {
    let nextDueAt: number | null = null;
    let firedAny = false;
    const now = Date.now();
    for (const rule of rules) {
      if (!isTimeTrigger(rule.trigger)) continue;
      const trigger = rule.trigger as TimeTrigger;
      const anchor = timerAnchor(trigger, base.facts.conversation);
      if (!anchor) continue;
      const due = dueAt(trigger, anchor);
      // Per conversation: two conversations may well share an anchor instant.
      const timerKey = `${rule.id}:timer:${base.facts.conversation.id}:${anchor}`;
      if (due > now) {
        nextDueAt = nextDueAt === null ? due : Math.min(nextDueAt, due);
        continue;
      }
      await runs.flush(em);
      // Evaluated once per anchor: a run row per timer key (a retry finds it and resumes the firing, if any).
      const eventFacts: EventFacts = { type: trigger.event, anchor, dueAt: new Date(due).toISOString(), minutes: trigger.minutes, depth: 0, causeRuleId: null };
      const facts = { ...base.facts, event: eventFacts, message: {} };
      const [claimed] = await em.execute<{ id: string }[]>(
        `insert into automation_runs (conversation_id, account_id, inbox_id, timer_key, trigger, facts, evaluations) values (?, ?, ?, ?, ?, ?, '[]')
         on conflict (timer_key) do nothing returning id`,
        [base.facts.conversation.id, base.accountId, base.inboxId, timerKey, JSON.stringify(eventFacts), JSON.stringify(facts)],
      );
      let runId: string;
      if (claimed) runId = claimed.id;
      else {
        // Claimed before: by a crashed attempt (its firing, if any, is still running: resume it) or evaluated already.
        const [seen] = await em.execute<{ id: string; status: string | null }[]>(
          `select r.id, f.status from automation_runs r left join automation_firings f on f.key = r.timer_key where r.timer_key = ?`,
          [timerKey],
        );
        if (seen.status !== 'running') continue; // evaluated before (fired or not)
        runId = seen.id;
      }
      const evaluated = evaluateRuleConditions(rule, facts);
      const entry: RuleEvaluation = { ruleId: rule.id, version: rule.version, name: rule.name, matched: evaluated.matched, trace: evaluated.trace, explanation: evaluated.explanation };
      const guard = evaluated.matched ? await this.budgetGuard(em, base.facts.conversation.id) : null;
      let end: SqlPart | null = null;
      if (guard) {
        entry.skipped = guard;
        result.guards.push(guard);
      } else if (evaluated.matched) {
        const what = `${trigger.event.replace(/_/g, ' ')} for ${formatMinutes(trigger.minutes)}${trigger.status ? ` (${trigger.status})` : ''} since ${anchor}`;
        const firing = await this.fire(em, rule, timerKey, runId, 0, what, evaluated.explanation, evaluated.trace, base);
        Object.assign(entry, { fired: true, firingId: firing.fired.firingId, actions: firing.fired.actions });
        result.fired.push(firing.fired);
        firedAny = true;
        end = firing.end;
      }
      // The firing's end (if any) and the run's evaluation: one statement.
      await em.execute(`${end ? `with ${end.sql} ` : ''}update automation_runs set evaluations = ? where id = ?`, [
        ...(end?.params ?? []),
        JSON.stringify([compactEvaluation(entry, facts)]),
        runId,
      ]);
      result.runs.push(historyEntry(runId, `${trigger.event} due ${new Date(due).toISOString()}`, [entry], compact));
    }
    return { firedAny, nextDueAt };
  }

  /**
   * Claims the firing (or finds the one a crashed attempt claimed; `claimed`: the run's statement
   * did), carries out the actions not yet done in order, and answers the statement part that ends the
   * firing and records it as a decision in the timeline (null: it had ended before), for the caller to
   * write alone or with the run's evaluations.
   */
  private async fire(
    em: EntityManager,
    rule: RuleDefinition,
    key: string,
    runId: string,
    depth: number,
    what: string,
    explanation: string,
    trace: unknown,
    base: FactsBase,
    claimed: FiringClaim | null = null,
  ): Promise<{ fired: FiredRule; end: SqlPart | null }> {
    const conversationId = base.facts.conversation.id;
    const firing =
      claimed ??
      (
        await em.execute<FiringClaim[]>(`${CLAIM_FIRING_SQL} values (?, ?, ?, ?, ?, ?, ?) on conflict (key) do update set key = excluded.key returning id, status, outcomes`, [
          rule.id,
          rule.version,
          base.accountId,
          conversationId,
          runId,
          key,
          depth,
        ])
      )[0];
    if (firing.status !== 'running') {
      return { fired: { ruleId: rule.id, version: rule.version, name: rule.name, trigger: what, firingId: firing.id, actions: firing.outcomes ?? [] }, end: null };
    }
    const outcomes: ActionOutcome[] = [];
    const cause = { ruleId: rule.id, firingId: firing.id, depth };
    for (const [index, action] of rule.actions.entries()) {
      outcomes.push(await this.actions.run(action, { conversationId, accountId: base.accountId, rule, firingId: firing.id, index, cause }));
    }
    const failed = outcomes.filter((o) => o.outcome === 'failed');
    const done = outcomes.map((o) => `${o.type.replace(/_/g, ' ')}: ${o.outcome === 'done' ? o.detail : `${o.outcome} (${o.detail})`}`).join('; ');
    // The firing's end and its decision in the timeline (as recordDecision writes it).
    const end: SqlPart = {
      sql: `finished as (update automation_firings set status = ?, outcomes = ?, error = ?, finished_at = clock_timestamp() where id = ?),
       decision as (insert into conversation_decisions (conversation_id, kind, summary, details, actor_user_id, created_at) values (?, 'automation', ?, ?, null, clock_timestamp()))`,
      params: [
        failed.length ? 'failed' : 'done',
        JSON.stringify(outcomes),
        failed.length ? failed.map((f) => `${f.type}: ${f.detail}`).join('; ').slice(0, 2000) : null,
        firing.id,
        conversationId,
        `rule "${rule.name}" (v${rule.version}) fired on ${what}: ${explanation}; then ${done || 'no actions'}`,
        JSON.stringify({ ruleId: rule.id, ruleVersion: rule.version, firingId: firing.id, trigger: what, depth, trace, actions: outcomes }),
      ],
    };
    return { fired: { ruleId: rule.id, version: rule.version, name: rule.name, trigger: what, firingId: firing.id, actions: outcomes }, end };
  }

  /**
   * The loop guard, part one: null when the event is within the chain limit, else why nothing fires
   * on it (recorded as a decision naming the rules of the chain, once per chain).
   */
  private async depthGuard(em: EntityManager, conversationId: string, event: RuleEvent, causeFiringId: string | null): Promise<string | null> {
    const { maxChainDepth } = this.config.automation;
    if (event.depth <= maxChainDepth) return null;
    const chain = await this.chain(em, causeFiringId);
    const why = `loop guard: rules caused a chain of ${event.depth} events (limit ${maxChainDepth}, AUTOMATION_MAX_CHAIN_DEPTH): ${chain.map((c) => `"${c}"`).join(' -> ')}; nothing more fires on it`;
    await recordDecision(em, { conversationId, kind: 'automation_guard', summary: why, details: { limit: 'chain_depth', depth: event.depth, maxChainDepth, rules: [...new Set(chain)] } });
    return why;
  }

  /**
   * The loop guard, part two (asked for once a rule would fire): null while the conversation is
   * under its hourly budget of firings, else why not (a decision naming the rules, once an hour).
   */
  private async budgetGuard(em: EntityManager, conversationId: string, firings?: number): Promise<string | null> {
    const { maxFiringsPerHour } = this.config.automation;
    const n =
      firings ??
      Number(
        (
          await em.execute<{ n: string }[]>(`select count(*) as n from automation_firings where conversation_id = ? and created_at > clock_timestamp() - interval '1 hour'`, [
            conversationId,
          ])
        )[0].n,
      );
    if (Number(n) >= maxFiringsPerHour) {
      const why = `loop guard: ${n} rule firings on this conversation in the last hour (limit ${maxFiringsPerHour}, AUTOMATION_MAX_FIRINGS_PER_HOUR); nothing more fires for now`;
      const [recent] = await em.execute<{ n: string }[]>(
        `select count(*) as n from conversation_decisions where conversation_id = ? and kind = 'automation_guard' and created_at > clock_timestamp() - interval '1 hour'`,
        [conversationId],
      );
      if (Number(recent.n) === 0) {
        const rules = await em.execute<{ name: string }[]>(
          `select distinct r.name from automation_firings f join automation_rules r on r.id = f.rule_id where f.conversation_id = ? and f.created_at > clock_timestamp() - interval '1 hour'`,
          [conversationId],
        );
        await recordDecision(em, { conversationId, kind: 'automation_guard', summary: `${why}: ${rules.map((r) => `"${r.name}"`).join(', ')}`, details: { limit: 'hourly_budget', firings: Number(n), maxFiringsPerHour, rules: rules.map((r) => r.name) } });
      }
      return why;
    }
    return null;
  }

  /** The names of the rules whose firings led to an event, oldest first. */
  private async chain(em: EntityManager, firingId: string | null): Promise<string[]> {
    const names: string[] = [];
    for (let id = firingId, hops = 0; id && hops < 60; hops++) {
      const [row] = await em.execute<{ name: string | null; rule_id: string; cause_firing_id: string | null }[]>(
        `select r.name, f.rule_id, e.cause_firing_id from automation_firings f
           left join automation_rules r on r.id = f.rule_id
           left join automation_runs run on run.id = f.run_id
           left join conversation_events e on e.id = run.event_id
          where f.id = ?`,
        [id],
      );
      if (!row) break;
      names.unshift(row.name ?? row.rule_id);
      id = row.cause_firing_id;
    }
    return names;
  }
}

/** Whether the conversation (null: deleted) differs from what the workflow's snapshot knows of it. */
function differs(known: KnownConversation, now: FactsBase | null): boolean {
  if (!now) return known.exists;
  const c = now.facts.conversation;
  return (
    !known.exists ||
    known.status !== c.status ||
    known.assigneeId !== c.assigneeId ||
    known.inboxId !== now.inboxId ||
    known.vip !== now.facts.contact.vip ||
    known.resolvedAt !== now.resolvedAt
  );
}

/** A pass over one event or timer as the history keeps it (see HistoryRun). */
function historyEntry(runId: string, on: string, evaluations: RuleEvaluation[], compact: boolean): HistoryRun {
  if (!compact) return { runId, on, evaluations: evaluations.map(summary) };
  const values: Record<string, unknown> = {};
  for (const e of evaluations) if (e.trace && !e.fired) collectValues(e.trace, values);
  return {
    runId,
    on,
    values,
    evaluations: evaluations.map((e) => (e.trace && !e.fired ? summary({ ...e, explanation: explainWithValues(e.trace, values) }) : summary(e))),
  };
}

function summary(e: RuleEvaluation): EvaluationSummary {
  return { ruleId: e.ruleId, version: e.version, matched: e.matched, ...(e.skipped ? { skipped: e.skipped } : {}), ...(e.explanation ? { explanation: e.explanation } : {}) };
}

function toEvent(row: EventRow): RuleEvent {
  return { id: String(row.id), type: row.type, data: row.data ?? {}, depth: Number(row.depth), causeRuleId: row.cause_rule_id, at: new Date(row.created_at).toISOString() };
}

function describeEvent(event: RuleEvent): string {
  const d = event.data;
  const detail =
    event.type === 'status_changed' ? ` (${d.from} -> ${d.to})` : event.type === 'tag_added' || event.type === 'tag_removed' ? ` (${d.tag})` : event.type === 'priority_changed' ? ` (${d.from} -> ${d.to})` : '';
  return `${event.type.replace(/_/g, ' ')}${detail}${event.depth > 0 ? ` (caused by a rule, chain depth ${event.depth})` : ''}`;
}

export function formatMinutes(minutes: number): string {
  const seconds = Math.round(minutes * 60);
  return seconds % 60 === 0 ? `${seconds / 60} min` : `${seconds} s`;
}
