import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { DomainError } from '../../../common/domain-error';
import { AccessPolicy } from '../../auth/access-policy';
import type { Actor } from '../../auth/actor';
import { ConversationAccess } from '../../conversations/conversation-access';
import { Inbox } from '../../inboxes/inbox.entity';
import type { ConditionNode, ConditionTrace } from '../../routing/conditions';
import { VariablesService } from '../../variables/variables.service';
import { changedAttribute, type ConversationFacts, type EventFacts, factsForEvent, loadFacts } from '../automation-facts';
import { AutomationRuleAccess } from '../automation-rule-access';
import { isTimeTrigger, type RuleAction, type RuleTrigger, type TimeTrigger } from '../automation-rule.types';
import { AutomationRuleValidator } from '../automation-rule-validator';
import { type DescribedAction, describeActions, describeTrigger } from '../rule-description';
import { dueAt, evaluateRuleConditions, inScope, timerAnchor, triggerMatchesEvent } from '../rule-evaluation';
import { validationFailed } from '../rule-validation';
import { hiddenKeysFor, maskEvaluation, maskFacts } from '../rule-visibility';

export interface RuleDraftInput {
  name?: string;
  description?: string | null;
  inboxId?: string | null;
  stopProcessing?: boolean;
  allowChaining?: boolean;
  trigger: unknown;
  conditions?: unknown;
  actions: unknown;
}

export interface TestAutomationRuleInput {
  actor: Actor;
  conversationId: string;
  /** A draft (checked like a create); or ruleId. */
  rule?: RuleDraftInput;
  ruleId?: string;
  /** The event to test on; default: a made-up one of the rule's trigger. */
  event?: { type: string; data?: Record<string, unknown> };
}

export interface TimerAnswer {
  anchor: string | null;
  dueAt: string | null;
  due: boolean;
  explanation: string;
}

export interface AutomationRuleTest {
  rule: { id: string | null; name: string; version: number | null; enabled: boolean | null; inboxId: string | null; trigger: Record<string, unknown> };
  conversationId: string;
  inScope: boolean;
  event: { type: string; data: Record<string, unknown>; synthetic: boolean };
  triggerMatches: boolean;
  triggerExplanation: string;
  matched: boolean;
  trace: Record<string, unknown>;
  explanation: string;
  timer: TimerAnswer | null;
  wouldFire: boolean;
  verdict: string;
  actions: DescribedAction[];
  facts: Record<string, unknown>;
  notes: string[];
}

interface Definition {
  id: string | null;
  name: string;
  version: number | null;
  enabled: boolean | null;
  inboxId: string | null;
  trigger: RuleTrigger;
  conditions: ConditionNode;
  actions: RuleAction[];
}

/**
 * "Test on a conversation": a draft or a saved rule against one real conversation as it is now,
 * with the engine's own pure logic (rule-evaluation.ts) on the engine's own facts (loadFacts,
 * factsForEvent): whether it covers the conversation's inbox, whether the event triggers it (by
 * default a made-up event of its trigger; a time-based rule: whether and when its timer would be
 * due), every condition's actual value and result, and what each action would do. Nothing is
 * written, nothing is sent: this use case only reads (no event, no run, no firing, no message).
 * Managers of the conversation's inbox and administrators; values of hidden contact attributes are
 * masked for non-administrators (and drafts of non-administrators may not name them, see
 * AutomationRuleValidator).
 */
@Injectable()
export class TestAutomationRuleUseCase {
  constructor(
    private readonly em: EntityManager,
    private readonly conversations: ConversationAccess,
    private readonly access: AccessPolicy,
    private readonly rules: AutomationRuleAccess,
    private readonly validator: AutomationRuleValidator,
    private readonly variables: VariablesService,
  ) {}

  async execute(input: TestAutomationRuleInput): Promise<AutomationRuleTest> {
    const { actor } = input;
    if ((input.rule === undefined) === (input.ruleId === undefined)) {
      throw DomainError.invalid(input.rule ? 'ruleId' : 'rule', input.rule ? 'give either rule (a draft) or ruleId (a saved rule), not both' : 'give rule (a draft) or ruleId (a saved rule)');
    }
    const em = this.em.fork();
    const { conversation } = await this.conversations.load(em, input.conversationId, actor);
    await this.access.requireManager(actor, conversation.inbox.id, 'testing automation rules on its conversations', em);
    const rule = input.ruleId ? await this.saved(em, actor, input.ruleId) : await this.draft(em, actor, input.rule!);
    const base = await loadFacts(em, conversation.id);
    if (!base) throw DomainError.notFound('conversation', conversation.id);
    const notes: string[] = [];
    const now = Date.now();

    const scoped = inScope(rule, base.inboxId);
    let timer: TimerAnswer | null = null;
    let triggerMatches: boolean;
    let triggerExplanation: string;
    let event: AutomationRuleTest['event'];
    let facts: Record<string, unknown>;

    if (isTimeTrigger(rule.trigger)) {
      timer = this.timer(rule.trigger, base.facts.conversation, now);
      const given = input.event && input.event.type !== rule.trigger.event ? input.event : null;
      const eventFacts: EventFacts = { type: rule.trigger.event, anchor: timer.anchor, dueAt: timer.dueAt, minutes: rule.trigger.minutes, depth: 0, causeRuleId: null };
      event = { type: rule.trigger.event, data: { anchor: timer.anchor, dueAt: timer.dueAt, minutes: rule.trigger.minutes }, synthetic: !input.event };
      facts = { ...base.facts, event: eventFacts, message: {} };
      triggerMatches = !given && timer.anchor !== null;
      triggerExplanation = given
        ? `a time-based rule runs on its timer, not on ${given.type} events (every event re-arms or cancels the timer: see timer)`
        : timer.explanation;
      if (given) event = { type: given.type, data: given.data ?? {}, synthetic: false };
      notes.push('A time-based rule reads its conditions when the timer comes due; they are evaluated here with the facts as they are now.');
    } else {
      const built = await this.event(em, rule.trigger, input.event, base.facts, conversation.id, notes);
      event = built.event;
      facts = factsForEvent(base.facts, built.facts, built.message);
      triggerMatches = triggerMatchesEvent(rule.trigger, { type: event.type, data: event.data });
      triggerExplanation = triggerMatches
        ? `the ${event.type} event triggers "${describeTrigger(rule.trigger)}"`
        : event.type !== rule.trigger.event
          ? `the rule runs on ${rule.trigger.event} events, not ${event.type}`
          : `the ${event.type} event does not pass the trigger's filter ("${describeTrigger(rule.trigger)}")`;
    }

    const evaluation = evaluateRuleConditions(rule, facts);
    const enabled = rule.enabled !== false;
    const wouldFire = scoped && triggerMatches && evaluation.matched && enabled;
    const name = `rule "${rule.name}"${rule.version ? ` (v${rule.version})` : ' (draft)'}`;
    const verdict = !scoped
      ? `${name} would not run: it is limited to another inbox than this conversation's`
      : !triggerMatches
        ? `${name} would not run: ${triggerExplanation}`
        : !evaluation.matched
          ? `${name} would not fire: its conditions do not hold: ${evaluation.explanation}`
          : !enabled
            ? `${name} would fire, but it is disabled (PATCH {"enabled": true} switches it on)`
            : timer && !timer.due
              ? `${name} would fire at ${timer.dueAt} if its conditions still hold then: ${evaluation.explanation}`
              : `${name} would fire: ${evaluation.explanation}`;
    if (!enabled) notes.push('The rule is disabled: the engine does not evaluate it until it is enabled.');
    if (rule.inboxId && !scoped) {
      const inbox = await em.findOne(Inbox, { id: rule.inboxId });
      notes.push(`The rule is limited to inbox "${inbox?.name ?? rule.inboxId}"; this conversation is in inbox "${base.facts.inbox.name}".`);
    }

    const hidden = await hiddenKeysFor(em, actor);
    const masked = maskEvaluation({ trace: evaluation.trace as ConditionTrace, explanation: evaluation.explanation }, hidden, [verdict]);
    return {
      rule: { id: rule.id, name: rule.name, version: rule.version, enabled: rule.enabled, inboxId: rule.inboxId, trigger: rule.trigger as unknown as Record<string, unknown> },
      conversationId: conversation.id,
      inScope: scoped,
      event,
      triggerMatches,
      triggerExplanation,
      matched: evaluation.matched,
      trace: masked.evaluation.trace as unknown as Record<string, unknown>,
      explanation: masked.evaluation.explanation ?? evaluation.explanation,
      timer,
      wouldFire,
      verdict: masked.texts[0] ?? verdict,
      actions: await describeActions(em, this.variables, actor, base.facts, rule.actions),
      facts: maskFacts(facts, hidden),
      notes,
    };
  }

  private async saved(em: EntityManager, actor: Actor, ruleId: string): Promise<Definition> {
    const rule = await this.rules.find(em, actor, ruleId);
    await this.rules.requireReader(em, actor, rule, 'testing automation rules');
    return {
      id: rule.id,
      name: rule.name,
      version: rule.version,
      enabled: rule.enabled,
      inboxId: rule.inbox?.id ?? null,
      trigger: rule.trigger,
      conditions: rule.conditions as unknown as ConditionNode,
      actions: rule.actions,
    };
  }

  private async draft(em: EntityManager, actor: Actor, draft: RuleDraftInput): Promise<Definition> {
    const inboxId = draft.inboxId ?? null;
    if (inboxId && !(await em.findOne(Inbox, { id: inboxId, account: actor.accountId }))) throw DomainError.notFound('inbox', inboxId);
    const checked = await this.validator
      .validate(em, actor, { inboxId, trigger: draft.trigger, conditions: draft.conditions, actions: draft.actions })
      .catch((err: unknown) => {
        // The draft is the request's `rule`: its problems are named from there.
        if (err instanceof DomainError && err.code === 'VALIDATION_FAILED') throw validationFailed(err.details.map((d) => ({ field: `rule.${d.field}`, problem: d.problem })));
        throw err;
      });
    return { id: null, name: draft.name ?? 'draft', version: null, enabled: null, inboxId, ...checked };
  }

  private timer(trigger: TimeTrigger, c: ConversationFacts['conversation'], now: number): TimerAnswer {
    const anchor = timerAnchor(trigger, c);
    if (!anchor) return { anchor: null, dueAt: null, due: false, explanation: `no timer: ${whyNoAnchor(trigger, c)}` };
    const due = dueAt(trigger, anchor);
    const dueIso = new Date(due).toISOString();
    const seconds = Math.round((due - now) / 1000);
    return {
      anchor,
      dueAt: dueIso,
      due: due <= now,
      explanation:
        due <= now
          ? `"${describeTrigger(trigger)}" came due at ${dueIso} (span since ${anchor}); it fires once per span, at the conversation's next automation step unless it ran already`
          : `timer armed: "${describeTrigger(trigger)}" since ${anchor} is due at ${dueIso} (in ${span(seconds)}) unless an event breaks it first`,
    };
  }

  /** The event to test on, laid out as the engine lays out events of the log (RunAutomationUseCase.onEvent). */
  private async event(
    em: EntityManager,
    trigger: RuleTrigger,
    given: TestAutomationRuleInput['event'],
    facts: ConversationFacts,
    conversationId: string,
    notes: string[],
  ): Promise<{ event: AutomationRuleTest['event']; facts: EventFacts; message: { content: string; direction: string; senderType: string; createdAt: string } | null }> {
    const type = given?.type ?? trigger.event;
    const data: Record<string, unknown> = { ...(given?.data ?? (given ? {} : syntheticData(trigger, facts))) };
    let message: { content: string; direction: string; senderType: string; createdAt: string } | null = null;
    if (type === 'message_received' || type === 'message_sent') {
      const outbound = type === 'message_sent';
      if (data.messageId !== undefined) {
        if (!/^\d{1,18}$/.test(String(data.messageId))) throw DomainError.invalid('event.data.messageId', 'must be the id of a message of this conversation');
        message = await this.message(em, conversationId, `m.id = ?`, [String(data.messageId)]);
        if (!message) throw DomainError.invalid('event.data.messageId', `no message ${data.messageId} in conversation ${conversationId}`);
      } else if (typeof data.content === 'string') {
        message = { content: data.content, direction: outbound ? 'outbound' : 'inbound', senderType: outbound ? 'agent' : 'contact', createdAt: new Date().toISOString() };
        delete data.content;
      } else {
        message = await this.message(em, conversationId, outbound ? `m.direction = 'outbound' and m.sender_type = 'agent'` : `m.direction = 'inbound'`, []);
        if (message) notes.push(`Tested on the conversation's last ${outbound ? 'agent' : 'customer'} message (give event.data.content or event.data.messageId for another).`);
        else notes.push(`The conversation has no ${outbound ? 'agent' : 'customer'} message: conditions on message.* see nothing (give event.data.content).`);
      }
    }
    const eventFacts: EventFacts = { ...data, type, attribute: changedAttribute(type), from: data.from, to: data.to, depth: 0, causeRuleId: null };
    if (type === 'assigned' || type === 'unassigned') {
      eventFacts.from = type === 'assigned' ? (data.previousAssigneeId ?? null) : data.assigneeId;
      eventFacts.to = type === 'assigned' ? data.assigneeId : null;
    }
    return { event: { type, data, synthetic: !given }, facts: eventFacts, message };
  }

  private async message(em: EntityManager, conversationId: string, where: string, params: unknown[]) {
    const [m] = await em.execute<{ content: string; direction: string; sender_type: string; created_at: Date }[]>(
      `select m.content, m.direction, m.sender_type, m.created_at from messages m where m.conversation_id = ? and ${where} order by m.created_at desc, m.id desc limit 1`,
      [conversationId, ...params],
    );
    return m ? { content: m.content, direction: m.direction, senderType: m.sender_type, createdAt: new Date(m.created_at).toISOString() } : null;
  }
}

/** A made-up event of the rule's own trigger, on the conversation as it is: the first value each filter allows. */
function syntheticData(trigger: RuleTrigger, facts: ConversationFacts): Record<string, unknown> {
  const c = facts.conversation;
  if (isTimeTrigger(trigger)) return {};
  switch (trigger.event) {
    case 'status_changed':
      return { from: trigger.from?.[0] ?? (c.status === 'open' ? 'pending' : 'open'), to: trigger.to?.[0] ?? c.status };
    case 'tag_added':
    case 'tag_removed':
      return { tag: trigger.tags?.[0] ?? c.tags[0] ?? 'example' };
    case 'priority_changed':
      return { from: c.priority === 0 ? 1 : 0, to: c.priority };
    case 'assigned':
      return { assigneeId: c.assigneeId, previousAssigneeId: null };
    case 'unassigned':
      return { assigneeId: c.assigneeId };
    default:
      return {};
  }
}

/** 42 s, 5 min 3 s, 48 h 0 min. */
function span(seconds: number): string {
  if (seconds < 60) return `${seconds} s`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min${seconds % 60 ? ` ${seconds % 60} s` : ''}`;
  return `${Math.floor(seconds / 3600)} h ${Math.floor((seconds % 3600) / 60)} min`;
}

function whyNoAnchor(trigger: TimeTrigger, c: ConversationFacts['conversation']): string {
  const active = ['new', 'open', 'pending'].includes(c.status);
  switch (trigger.event) {
    case 'in_status':
      return `the conversation is ${c.status}, not ${trigger.status}`;
    case 'conversation_idle':
      return `the conversation is ${c.status} (idle timers run on new, open and pending conversations)`;
    case 'customer_unresponsive':
      return !active ? `the conversation is ${c.status}` : c.lastMessageBy === 'customer' ? 'the customer wrote last (we owe the answer)' : 'we have not answered yet';
    case 'agent_unresponsive':
      return !active ? `the conversation is ${c.status}` : c.lastMessageBy === 'agent' ? 'we answered last: nobody is waiting' : 'the customer has not written yet';
    case 'first_response_due':
      return !active ? `the conversation is ${c.status}` : `it was answered already (first response at ${c.firstResponseAt})`;
  }
}
