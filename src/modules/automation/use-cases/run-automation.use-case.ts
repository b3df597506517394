import { EntityManager } from '@mikro-orm/postgresql';
import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, type ServiceConfig } from '../../../config/config';
import { recordDecision } from '../../conversations/decision-log';
import type { ConditionNode } from '../../routing/conditions';
import { AutomationActions } from '../automation-actions';
import { changedAttribute, type EventFacts, factsForEvent, type FactsBase, loadFacts } from '../automation-facts';
import { type ActionOutcome, isTimeTrigger, type RuleTrigger, type TimeTrigger } from '../automation-rule.types';
import { dueAt, evaluateRuleConditions, inScope, type RuleDefinition, type RuleEvaluation, type RuleEvent, timerAnchor, triggerMatchesEvent } from '../rule-evaluation';

export interface RunAutomationInput {
  conversationId: string;
  /**
   * What the workflow's snapshot says of the conversation. When given, the pass answers `changed`
   * if the conversation differs from it at the end (its own rules resolved, reassigned or moved it,
   * or anyone did meanwhile): the workflow refreshes its snapshot in the same task, so a rule's
   * action does not signal its own workflow.
   */
  known?: KnownConversation;
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

export interface RunAutomationResult {
  /** Events of the log this pass ran the rules over. */
  events: number;
  /** Per event or due timer: the run row (facts and full traces) and every evaluated rule's result. */
  runs: { runId: string; on: string; evaluations: EvaluationSummary[] }[];
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

interface EventRow {
  id: string;
  type: string;
  data: Record<string, unknown>;
  depth: number;
  cause_rule_id: string | null;
  cause_firing_id: string | null;
  created_at: Date;
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
    const last = await this.pass(em, input, result);
    if (input.known) {
      // The pass's last read of the conversation is current unless a firing came after it.
      const now = last && !last.stale ? last.base : await loadFacts(em, input.conversationId);
      result.changed = differs(input.known, now);
    }
    result.clock = Date.now();
    return result;
  }

  /** Answers the conversation's facts as last read (null: deleted), and whether a firing came after that read. */
  private async pass(em: EntityManager, input: RunAutomationInput, result: RunAutomationResult): Promise<{ base: FactsBase | null; stale: boolean }> {
    let rules: RuleDefinition[] | null = null;
    let base: FactsBase | null = null;
    for (let batch = 0; batch < MAX_BATCHES; batch++) {
      const events = await em.execute<EventRow[]>(
        `select id, type, data, depth, cause_rule_id, cause_firing_id, created_at from conversation_events
          where conversation_id = ? and processed_at is null order by id limit ${EVENTS_PER_BATCH}`,
        [input.conversationId],
      );
      base = await loadFacts(em, input.conversationId);
      if (!base) return { base: null, stale: false }; // deleted: its events went with it
      rules ??= await this.loadRules(em, base.accountId);
      const scoped = rules.filter((r) => inScope(r, base!.inboxId));
      for (const row of events) {
        base = await this.onEvent(em, toEvent(row), row.cause_firing_id, base!, scoped, result);
        if (!base) return { base: null, stale: false };
        result.events += 1;
      }
      const timers = await this.dueTimers(em, base!, scoped, result);
      if (events.length === 0 && !timers.firedAny) {
        result.nextDueAt = timers.nextDueAt;
        return { base, stale: false };
      }
    }
    // Work left over (a long chain): the next pass takes it; come back at once.
    result.nextDueAt = Date.now();
    return { base, stale: true };
  }

  private async loadRules(em: EntityManager, accountId: string): Promise<RuleDefinition[]> {
    const rows = await em.execute<RuleRow[]>(
      `select id, version, name, inbox_id, trigger, conditions, actions, stop_processing, allow_chaining
         from automation_rules where account_id = ? and enabled order by position, created_at, id`,
      [accountId],
    );
    return rows.map((r) => ({
      id: r.id,
      version: r.version,
      name: r.name,
      inboxId: r.inbox_id,
      trigger: r.trigger,
      conditions: r.conditions,
      actions: r.actions,
      stopProcessing: r.stop_processing,
      allowChaining: r.allow_chaining,
    }));
  }

  /** Runs the rules over one event; answers the conversation's facts as they are afterwards (null: it is gone). */
  private async onEvent(em: EntityManager, event: RuleEvent, causeFiringId: string | null, base: FactsBase, rules: RuleDefinition[], result: RunAutomationResult): Promise<FactsBase | null> {
    const conversationId = base.facts.conversation.id;
    const eventFacts: EventFacts = { ...event.data, type: event.type, attribute: changedAttribute(event.type), from: event.data.from, to: event.data.to, depth: event.depth, causeRuleId: event.causeRuleId };
    if (event.type === 'assigned' || event.type === 'unassigned') {
      eventFacts.from = event.type === 'assigned' ? (event.data.previousAssigneeId ?? null) : event.data.assigneeId;
      eventFacts.to = event.type === 'assigned' ? event.data.assigneeId : null;
    }
    const message = typeof event.data.messageId === 'string' ? await this.message(em, event.data.messageId) : null;
    const facts = factsForEvent(base.facts, eventFacts, message);
    const evaluations: RuleEvaluation[] = [];
    // The run row (the facts the rules saw, then their evaluations) is written once, with the event
    // marked processed in the same statement, unless a rule fires: a firing needs the row first.
    let runId: string | null = null;
    const claimRun = async (): Promise<string> => {
      const [run] = await em.execute<{ id: string }[]>(
        `insert into automation_runs (conversation_id, account_id, inbox_id, event_id, trigger, facts, evaluations) values (?, ?, ?, ?, ?, ?, '[]')
         on conflict (event_id) do update set facts = excluded.facts returning id`,
        [conversationId, base.accountId, base.inboxId, event.id, JSON.stringify(eventFacts), JSON.stringify(facts)],
      );
      return run.id;
    };

    const matching = rules.filter((r) => triggerMatchesEvent(r.trigger, event));
    // The chain limit is known from the event; the hourly budget is asked for once a rule matches.
    const depthGuard = matching.length ? await this.depthGuard(em, conversationId, event, causeFiringId) : null;
    let budgetGuard: string | null | undefined;
    let current: FactsBase | null = base;
    if (depthGuard) {
      result.guards.push(depthGuard);
      for (const r of matching) evaluations.push({ ruleId: r.id, version: r.version, name: r.name, matched: false, skipped: depthGuard });
    } else {
      let stoppedBy: string | null = null;
      for (const rule of matching) {
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
        const evaluated = evaluateRuleConditions(rule, { ...current!.facts, event: eventFacts, message: message ?? {} });
        Object.assign(entry, { matched: evaluated.matched, trace: evaluated.trace, explanation: evaluated.explanation });
        if (!evaluated.matched) continue;
        if (budgetGuard === undefined) budgetGuard = await this.budgetGuard(em, conversationId);
        if (budgetGuard) {
          entry.skipped = budgetGuard;
          result.guards.push(budgetGuard);
          continue;
        }
        runId ??= await claimRun();
        const fired = await this.fire(em, rule, `${rule.id}:event:${event.id}`, runId, event.depth, describeEvent(event), evaluated.explanation, evaluated.trace, current!);
        Object.assign(entry, { fired: true, firingId: fired.firingId, actions: fired.actions });
        result.fired.push(fired);
        current = await loadFacts(em, conversationId);
        if (!current) break;
        if (rule.stopProcessing) stoppedBy = rule.name;
      }
    }
    if (runId === null) {
      const [run] = await em.execute<{ id: string }[]>(
        `with done as (update conversation_events set processed_at = clock_timestamp() where id = ?)
         insert into automation_runs (conversation_id, account_id, inbox_id, event_id, trigger, facts, evaluations) values (?, ?, ?, ?, ?, ?, ?)
         on conflict (event_id) do update set facts = excluded.facts, evaluations = excluded.evaluations returning id`,
        [event.id, conversationId, base.accountId, base.inboxId, event.id, JSON.stringify(eventFacts), JSON.stringify(facts), JSON.stringify(evaluations)],
      );
      runId = run.id;
    } else {
      await em.execute(
        `with done as (update conversation_events set processed_at = clock_timestamp() where id = ?)
         update automation_runs set evaluations = ? where id = ?`,
        [event.id, JSON.stringify(evaluations), runId],
      );
    }
    if (evaluations.length) result.runs.push({ runId, on: describeEvent(event), evaluations: evaluations.map(summary) });
    return current;
  }

  /** Fires the time-based rules whose span ran out; answers whether any fired and when the next is due. */
  private async dueTimers(em: EntityManager, base: FactsBase, rules: RuleDefinition[], result: RunAutomationResult): Promise<{ firedAny: boolean; nextDueAt: number | null }> {
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
      // Evaluated once per anchor: a run row per timer key (a retry finds it and resumes the firing, if any).
      const eventFacts: EventFacts = { type: trigger.event, anchor, dueAt: new Date(due).toISOString(), minutes: trigger.minutes, depth: 0, causeRuleId: null };
      const facts = { ...base.facts, event: eventFacts, message: {} };
      const [claimed] = await em.execute<{ id: string }[]>(
        `insert into automation_runs (conversation_id, account_id, inbox_id, timer_key, trigger, facts, evaluations) values (?, ?, ?, ?, ?, ?, '[]')
         on conflict (timer_key) do nothing returning id`,
        [base.facts.conversation.id, base.accountId, base.inboxId, timerKey, JSON.stringify(eventFacts), JSON.stringify(facts)],
      );
      const runId = claimed?.id ?? (await em.execute<{ id: string }[]>(`select id from automation_runs where timer_key = ?`, [timerKey]))[0].id;
      const [open] = await em.execute<{ status: string }[]>(`select status from automation_firings where key = ?`, [timerKey]);
      if (!claimed && open?.status !== 'running') continue; // evaluated before (fired or not)
      const evaluated = evaluateRuleConditions(rule, facts);
      const entry: RuleEvaluation = { ruleId: rule.id, version: rule.version, name: rule.name, matched: evaluated.matched, trace: evaluated.trace, explanation: evaluated.explanation };
      const guard = evaluated.matched ? await this.budgetGuard(em, base.facts.conversation.id) : null;
      if (guard) {
        entry.skipped = guard;
        result.guards.push(guard);
      } else if (evaluated.matched) {
        const what = `${trigger.event.replace(/_/g, ' ')} for ${formatMinutes(trigger.minutes)}${trigger.status ? ` (${trigger.status})` : ''} since ${anchor}`;
        const fired = await this.fire(em, rule, timerKey, runId, 0, what, evaluated.explanation, evaluated.trace, base);
        Object.assign(entry, { fired: true, firingId: fired.firingId, actions: fired.actions });
        result.fired.push(fired);
        firedAny = true;
      }
      await em.execute(`update automation_runs set evaluations = ? where id = ?`, [JSON.stringify([entry]), runId]);
      result.runs.push({ runId, on: `${trigger.event} due ${new Date(due).toISOString()}`, evaluations: [summary(entry)] });
    }
    return { firedAny, nextDueAt };
  }

  /**
   * Claims the firing (or finds the one a crashed attempt claimed), carries out the actions not yet
   * done in order, and records the firing as a decision in the timeline.
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
  ): Promise<FiredRule> {
    const conversationId = base.facts.conversation.id;
    const [firing] = await em.execute<{ id: string; status: string; outcomes: ActionOutcome[] | null }[]>(
      `insert into automation_firings (rule_id, rule_version, account_id, conversation_id, run_id, key, depth) values (?, ?, ?, ?, ?, ?, ?)
       on conflict (key) do update set key = excluded.key returning id, status, outcomes`,
      [rule.id, rule.version, base.accountId, conversationId, runId, key, depth],
    );
    if (firing.status !== 'running') {
      return { ruleId: rule.id, version: rule.version, name: rule.name, trigger: what, firingId: firing.id, actions: firing.outcomes ?? [] };
    }
    const outcomes: ActionOutcome[] = [];
    const cause = { ruleId: rule.id, firingId: firing.id, depth };
    for (const [index, action] of rule.actions.entries()) {
      outcomes.push(await this.actions.run(action, { conversationId, accountId: base.accountId, rule, firingId: firing.id, index, cause }));
    }
    const failed = outcomes.filter((o) => o.outcome === 'failed');
    await em.execute(`update automation_firings set status = ?, outcomes = ?, error = ?, finished_at = clock_timestamp() where id = ?`, [
      failed.length ? 'failed' : 'done',
      JSON.stringify(outcomes),
      failed.length ? failed.map((f) => `${f.type}: ${f.detail}`).join('; ').slice(0, 2000) : null,
      firing.id,
    ]);
    const done = outcomes.map((o) => `${o.type.replace(/_/g, ' ')}: ${o.outcome === 'done' ? o.detail : `${o.outcome} (${o.detail})`}`).join('; ');
    await recordDecision(em, {
      conversationId,
      kind: 'automation',
      summary: `rule "${rule.name}" (v${rule.version}) fired on ${what}: ${explanation}; then ${done || 'no actions'}`,
      details: { ruleId: rule.id, ruleVersion: rule.version, firingId: firing.id, trigger: what, depth, trace, actions: outcomes },
    });
    return { ruleId: rule.id, version: rule.version, name: rule.name, trigger: what, firingId: firing.id, actions: outcomes };
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
  private async budgetGuard(em: EntityManager, conversationId: string): Promise<string | null> {
    const { maxFiringsPerHour } = this.config.automation;
    const [{ n }] = await em.execute<{ n: string }[]>(
      `select count(*) as n from automation_firings where conversation_id = ? and created_at > clock_timestamp() - interval '1 hour'`,
      [conversationId],
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

  private async message(em: EntityManager, messageId: string) {
    const [m] = await em.execute<{ content: string; direction: string; sender_type: string; created_at: Date; automated: boolean }[]>(
      `select content, direction, sender_type, created_at, automated from messages where id = ?`,
      [messageId],
    );
    return m ? { content: m.content, direction: m.direction, senderType: m.sender_type, automated: m.automated, createdAt: new Date(m.created_at).toISOString() } : null;
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
