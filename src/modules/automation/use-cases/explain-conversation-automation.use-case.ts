import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { DomainError } from '../../../common/domain-error';
import { pgArrayLiteral } from '../../../common/pg-array';
import { AccessPolicy } from '../../auth/access-policy';
import type { Actor } from '../../auth/actor';
import { ConversationAccess } from '../../conversations/conversation-access';
import { decodeCursor, encodeCursor } from '../../conversations/cursor';
import { Inbox } from '../../inboxes/inbox.entity';
import type { ConditionTrace } from '../../routing/conditions';
import { loadFacts } from '../automation-facts';
import { AutomationRuleAccess } from '../automation-rule-access';
import { AutomationRule } from '../automation-rule.entity';
import { type ActionOutcome, isTimeTrigger } from '../automation-rule.types';
import { describeRunTrigger, describeTrigger } from '../rule-description';
import { dueAt, restoreEvaluation, type RuleEvaluation, timerAnchor, triggerMatchesEvent } from '../rule-evaluation';
import { hiddenKeysFor, maskEvaluation } from '../rule-visibility';

export interface ExplainConversationAutomationInput {
  actor: Actor;
  conversationId: string;
  /** Only this rule's evaluations, and why it never ran when there are none. */
  ruleId?: string;
  cursor?: string;
  limit?: number;
}

export interface EvaluationAnswer {
  ruleId: string;
  version: number;
  name: string;
  outcome: 'fired' | 'not_matched' | 'skipped';
  matched: boolean;
  skipped: string | null;
  explanation: string | null;
  trace: Record<string, unknown> | null;
  actions: ActionOutcome[];
  firing: { id: string; status: string; error: string | null; finishedAt: string | null } | null;
}

export interface RunAnswer {
  runId: string;
  at: string;
  inboxId: string;
  on: { kind: 'event' | 'timer'; type: string; eventId: string | null; description: string; data: Record<string, unknown> };
  evaluations: EvaluationAnswer[];
}

export interface ConversationAutomationAnswer {
  conversationId: string;
  rule: { id: string; name: string; version: number; enabled: boolean; inboxId: string | null; trigger: Record<string, unknown>; createdAt: string; updatedAt: string } | null;
  answer: string;
  reasons: string[];
  items: RunAnswer[];
  nextCursor: string | null;
}

const DEFAULT_LIMIT = 20;

interface RunRow {
  id: string;
  created_at: Date;
  inbox_id: string;
  event_id: string | null;
  timer_key: string | null;
  trigger: Record<string, unknown>;
  evaluations: RuleEvaluation[];
  /** Only when an evaluation of the row refers to them (compact evaluations: see compactEvaluation). */
  facts: Record<string, unknown> | null;
}

/**
 * "Why did rule X (not) fire on conversation Y": the recorded passes of the rules over the
 * conversation's events and timers (automation_runs, one per event or due timer, with every rule
 * whose trigger matched: its version, the trace, skipped or fired, the actions and their outcomes),
 * newest first, paged by cursor. With ruleId, only that rule's evaluations; when it has none, the
 * reasons found: limited to another inbox, disabled, created after the conversation's events, its
 * trigger never matched an event here (with the events there were), its timer's state, events not
 * processed yet. Managers of the conversation's inbox and administrators; hidden contact attribute
 * values masked for non-administrators.
 */
@Injectable()
export class ExplainConversationAutomationUseCase {
  constructor(
    private readonly em: EntityManager,
    private readonly conversations: ConversationAccess,
    private readonly access: AccessPolicy,
    private readonly rules: AutomationRuleAccess,
  ) {}

  async execute(input: ExplainConversationAutomationInput): Promise<ConversationAutomationAnswer> {
    const { actor } = input;
    const em = this.em.fork();
    const { conversation } = await this.conversations.load(em, input.conversationId, actor);
    await this.access.requireManager(actor, conversation.inbox.id, 'reading why automation rules ran on its conversations', em);
    const ruleId = input.ruleId?.toLowerCase();
    const rule = ruleId ? await em.findOne(AutomationRule, { id: ruleId, account: actor.accountId }) : null;
    if (rule) await this.rules.requireReader(em, actor, rule);
    const filter = ruleId ? JSON.stringify([{ ruleId }]) : null;
    if (ruleId && !rule) {
      // A deleted rule still has its evaluations; an id that never was a rule here is unknown.
      const [any] = await em.execute(`select 1 from automation_runs where conversation_id = ? and evaluations @> ?::jsonb limit 1`, [conversation.id, filter]);
      if (!any) throw DomainError.notFound('automation rule', ruleId);
    }

    const limit = input.limit ?? DEFAULT_LIMIT;
    const before = input.cursor ? String(decodeCursor(input.cursor, 'automation-runs', ['bigint'])[0]) : null;
    const rows = await em.execute<RunRow[]>(
      `select id, created_at, inbox_id, event_id, timer_key, trigger, evaluations,
              case when evaluations @> '[{"factsRef": true}]' then facts end as facts from automation_runs
        where conversation_id = ? ${filter ? 'and evaluations @> ?::jsonb' : ''} ${before ? 'and id < ?' : ''}
        order by id desc limit ?`,
      [conversation.id, ...(filter ? [filter] : []), ...(before ? [before] : []), limit + 1],
    );
    const more = rows.length > limit;
    const page = (more ? rows.slice(0, limit) : rows).map((r) => ({ ...r, evaluations: (r.evaluations ?? []).map((e) => restoreEvaluation(e, r.facts)) }));
    const firingIds = page.flatMap((r) => (r.evaluations ?? []).filter((e) => !ruleId || e.ruleId === ruleId).map((e) => e.firingId)).filter((id): id is string => !!id);
    const firings = firingIds.length
      ? await em.execute<{ id: string; status: string; error: string | null; finished_at: Date | null; outcomes: ActionOutcome[] | null }[]>(
          `select id, status, error, finished_at, outcomes from automation_firings where id = any(?::bigint[])`,
          [pgArrayLiteral(firingIds.map(String))],
        )
      : [];
    const firingById = new Map(firings.map((f) => [String(f.id), f]));
    const hidden = await hiddenKeysFor(em, actor);

    const items: RunAnswer[] = page.map((r) => ({
      runId: String(r.id),
      at: new Date(r.created_at).toISOString(),
      inboxId: r.inbox_id,
      on: {
        kind: r.timer_key ? 'timer' : 'event',
        type: String(r.trigger?.type ?? 'event'),
        eventId: r.event_id ? String(r.event_id) : null,
        description: describeRunTrigger(r.trigger ?? {}),
        data: Object.fromEntries(Object.entries(r.trigger ?? {}).filter(([k, v]) => k !== 'type' && k !== 'attribute' && v !== undefined && v !== null)),
      },
      evaluations: (r.evaluations ?? [])
        .filter((e) => !ruleId || e.ruleId === ruleId)
        .map((e) => {
          const firing = e.firingId ? firingById.get(String(e.firingId)) : undefined;
          const answer: EvaluationAnswer = {
            ruleId: e.ruleId,
            version: e.version,
            name: e.name,
            outcome: e.fired ? 'fired' : e.skipped ? 'skipped' : 'not_matched',
            matched: e.matched,
            skipped: e.skipped ?? null,
            explanation: e.explanation ?? null,
            trace: (e.trace as unknown as Record<string, unknown>) ?? null,
            actions: firing?.outcomes ?? e.actions ?? [],
            firing: firing ? { id: String(firing.id), status: firing.status, error: firing.error, finishedAt: firing.finished_at ? new Date(firing.finished_at).toISOString() : null } : null,
          };
          return maskEvaluation(answer as EvaluationAnswer & { trace: ConditionTrace | null }, hidden).evaluation;
        }),
    }));

    let reasons: string[] = [];
    let answer: string;
    const latest = items[0];
    if (ruleId) {
      const e = latest?.evaluations[0];
      if (e && latest) answer = sentence(e, latest);
      else {
        reasons = before ? [] : await this.whyNever(em, rule!, conversation.id, conversation.inbox.id);
        answer = before ? 'no older evaluations' : `rule "${rule!.name}" has not been evaluated on this conversation: ${reasons.join('; ')}`;
      }
    } else if (!latest) {
      answer = before ? 'no older passes' : 'the automation rules have not run on this conversation yet';
    } else {
      answer = latest.evaluations.length
        ? `last pass, on ${latest.on.description} at ${latest.at}: ${latest.evaluations.map((e) => `"${e.name}" ${e.outcome.replace('_', ' ')}`).join(', ')}`
        : `last pass, on ${latest.on.description} at ${latest.at}: no rule's trigger matched it`;
    }

    return {
      conversationId: conversation.id,
      rule: rule
        ? {
            id: rule.id,
            name: rule.name,
            version: rule.version,
            enabled: rule.enabled,
            inboxId: rule.inbox?.id ?? null,
            trigger: rule.trigger as unknown as Record<string, unknown>,
            createdAt: new Date(rule.createdAt).toISOString(),
            updatedAt: new Date(rule.updatedAt).toISOString(),
          }
        : null,
      answer,
      reasons,
      items,
      nextCursor: more ? encodeCursor('automation-runs', [String(page[page.length - 1].id)]) : null,
    };
  }

  /** Why a rule has no evaluation on the conversation: every reason that applies, most decisive first. */
  private async whyNever(em: EntityManager, rule: AutomationRule, conversationId: string, inboxId: string): Promise<string[]> {
    const reasons: string[] = [];
    if (rule.inbox && rule.inbox.id !== inboxId) {
      const [scope, here] = await Promise.all([em.findOne(Inbox, { id: rule.inbox.id }), em.findOne(Inbox, { id: inboxId })]);
      reasons.push(`it is limited to inbox "${scope?.name ?? rule.inbox.id}" and this conversation is in inbox "${here?.name ?? inboxId}"`);
    }
    if (!rule.enabled) reasons.push(`it is disabled (version ${rule.version}, last changed ${new Date(rule.updatedAt).toISOString()}): disabled rules are not evaluated`);
    const events = await em.execute<{ id: string; type: string; data: Record<string, unknown>; created_at: Date; processed: boolean }[]>(
      `select id, type, data, created_at, processed_at is not null as processed from conversation_events where conversation_id = ? order by id desc limit 500`,
      [conversationId],
    );
    const processed = events.filter((e) => e.processed);
    const pending = events.length - processed.length;
    if (isTimeTrigger(rule.trigger)) {
      const base = await loadFacts(em, conversationId);
      const anchor = base ? timerAnchor(rule.trigger, base.facts.conversation) : null;
      const trigger = `"${describeTrigger(rule.trigger)}"`;
      if (!anchor) reasons.push(`it is time-based (${trigger}) and its timer is not armed: the state it waits for does not hold now (POST /api/v1/automation-rules/test says why)`);
      else {
        const due = dueAt(rule.trigger, anchor);
        reasons.push(
          due > Date.now()
            ? `it is time-based (${trigger}): its timer runs since ${anchor} and comes due at ${new Date(due).toISOString()}; it is evaluated then`
            : `it is time-based (${trigger}): it came due at ${new Date(due).toISOString()} (since ${anchor}) and is evaluated at the conversation's next automation step`,
        );
      }
    } else {
      const ofType = processed.filter((e) => e.type === rule.trigger.event);
      const counts = [...processed.reduce((m, e) => m.set(e.type, (m.get(e.type) ?? 0) + 1), new Map<string, number>())].map(([t, n]) => `${t} ×${n}`).join(', ');
      if (ofType.length === 0) {
        reasons.push(`its trigger (${describeTrigger(rule.trigger)}) never matched: this conversation had no ${rule.trigger.event} event${counts ? ` (it had ${counts})` : ''}`);
      } else {
        const passing = ofType.filter((e) => triggerMatchesEvent(rule.trigger, { type: e.type, data: e.data ?? {} }));
        if (passing.length === 0) {
          const seen = ofType.slice(0, 5).map((e) => describeRunTrigger({ type: e.type, ...(e.data ?? {}) })).join(', ');
          reasons.push(`none of the ${ofType.length} ${rule.trigger.event} events here passed its trigger's filter (${describeTrigger(rule.trigger)}): ${seen}`);
        } else {
          const last = new Date(passing[0].created_at);
          if (last < new Date(rule.createdAt)) {
            reasons.push(`it was created at ${new Date(rule.createdAt).toISOString()}, after the last event that would trigger it here (${last.toISOString()})`);
          } else {
            reasons.push(
              `${passing.length} event(s) here would trigger it, but the rules ran over them while it was disabled or limited to another inbox (it is at version ${rule.version}, last changed ${new Date(rule.updatedAt).toISOString()})`,
            );
          }
        }
      }
    }
    if (pending > 0) reasons.push(`${pending} event(s) of this conversation are not processed yet (the workflow runs the rules after each lifecycle step)`);
    if (reasons.length === 0) reasons.push('no recorded pass of the rules names it');
    return reasons;
  }
}

function sentence(e: EvaluationAnswer, run: RunAnswer): string {
  const who = `rule "${e.name}" (v${e.version})`;
  const on = `on ${run.on.description} at ${run.at}`;
  if (e.outcome === 'fired') {
    const did = e.actions.map((a) => `${a.type.replace(/_/g, ' ')}: ${a.outcome === 'done' ? a.detail : `${a.outcome} (${a.detail})`}`).join('; ');
    return `${who} fired ${on}: ${e.explanation ?? ''}${did ? `; then ${did}` : ''}`;
  }
  if (e.outcome === 'skipped') return `${who} was not evaluated ${on}: ${e.skipped}`;
  return `${who} did not fire ${on}: its conditions did not hold: ${e.explanation ?? ''}`;
}
