import { LockMode } from '@mikro-orm/core';
import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import type { ConversationSnapshot } from '../../../../workflows/contracts/conversation.contract';
import { DomainError } from '../../../common/domain-error';
import { Contact } from '../../contacts/contact.entity';
import { Conversation } from '../../conversations/conversation.entity';
import { recordConversationEvent } from '../../conversations/conversation-events';
import { recordDecision, type DecisionRecord } from '../../conversations/decision-log';
import { DescribeConversationUseCase } from '../../conversations/use-cases/describe-conversation.use-case';
import { Inbox } from '../../inboxes/inbox.entity';
import { AgentPresence } from '../../presence/agent-presence.entity';
import { User } from '../../users/user.entity';
import { evaluateRules, explainRule } from '../conditions';
import { routingFacts } from '../routing-facts';
import { DrainQueueUseCase } from './drain-queue.use-case';

export interface RouteConversationInput {
  conversationId: string;
  /** The inbound message that triggered routing (its text is a rule fact). */
  messageId?: string;
  /** After the AI agent handed over: rules and settings that point at the AI agent are skipped. */
  humansOnly?: boolean;
}

/** Why an open-mode inbox's conversation waits for whoever answers first (the decision log says it each time). */
export const OPEN_MODE = 'open mode: nobody is assigned; any member may answer';

export type RouteOutcome = 'assigned' | 'queued' | 'kept' | 'ai' | 'not_routed';

export interface RouteDecision {
  outcome: RouteOutcome;
  assigneeId: string | null;
  decisions: DecisionRecord[];
}

export interface RouteConversationResult extends RouteDecision {
  /** The conversation as it is after routing, so the workflow's search attributes follow the decision. */
  snapshot: ConversationSnapshot;
}

/**
 * Routes a conversation: routing rules (in order, first match wins) > AI agent > human agents of
 * the inbox through the waiting queue (DrainQueueUseCase assigns by least load or round-robin,
 * online agents under capacity, VIP first). A conversation already held by an agent stays with
 * them, unless it is `new` and the agent is logged out and either has been offline for longer than
 * the inbox's grace period or this message moved the conversation back to new: then it is
 * unassigned at once and routed again.
 *
 * Open mode (inbox setting assignmentMode 'open') assigns nobody: any member of the inbox may
 * answer, so the conversation never joins the waiting queue. Rules are still checked in order and
 * recorded; a rule whose target is the AI agent (or the AI agent enabled for the inbox) still lets
 * the AI agent answer, which is an answer, not an assignment. A rule's team or agent target only
 * assigns in assignment mode; in open mode the decision names the rule and says nobody was assigned.
 */
@Injectable()
export class RouteConversationUseCase {
  constructor(
    private readonly em: EntityManager,
    private readonly drain: DrainQueueUseCase,
    private readonly describe: DescribeConversationUseCase,
  ) {}

  async execute(input: RouteConversationInput): Promise<RouteConversationResult> {
    const routed = await this.route(input);
    return { ...routed, snapshot: await this.describe.execute({ conversationId: input.conversationId }) };
  }

  private async route(input: RouteConversationInput): Promise<RouteDecision> {
    const first = await this.decide(input);
    if (first.outcome !== 'queued') return first;

    const { inboxId } = first as RouteDecision & { inboxId: string };
    // This conversation reads its own assignment from the pass; the others it assigns are told.
    const drained = await this.drain.execute({ inboxId, trigger: `routing of conversation ${input.conversationId}`, except: input.conversationId });
    const mine = drained.assigned.find((a) => a.conversationId === input.conversationId);
    if (mine) return { outcome: 'assigned', assigneeId: mine.assigneeId, decisions: [...first.decisions, mine.decision] };

    const em = this.em.fork();
    // A concurrent queue pass (another conversation's routing, a login, a freed seat) may have taken it already.
    const [now] = await em.execute<{ assignee_id: string | null }[]>(`select assignee_id from conversations where id = ?`, [input.conversationId]);
    if (now?.assignee_id) return { outcome: 'assigned', assigneeId: now.assignee_id, decisions: first.decisions };

    const waiting = drained.stillWaiting.find((w) => w.conversationId === input.conversationId);
    const position = await em.execute<{ n: string }[]>(
      `select count(*) as n from conversations c join contacts ct on ct.id = c.contact_id, conversations me join contacts mc on mc.id = me.contact_id
        where me.id = ? and c.inbox_id = me.inbox_id and c.queued_at is not null and c.assignee_id is null and c.status in ('new', 'open', 'pending')
          and (ct.vip > mc.vip or (ct.vip = mc.vip and (c.queued_at, c.id) <= (me.queued_at, me.id)))`,
      [input.conversationId],
    );
    const queued = await recordDecision(em, {
      conversationId: input.conversationId,
      kind: 'queued',
      summary: `waiting in the queue at position ${position[0]?.n ?? '?'}: ${waiting?.reason ?? 'the queue pass did not reach it'}`,
      details: { position: Number(position[0]?.n ?? 0), candidates: waiting?.candidates ?? [] },
    });
    return { outcome: 'queued', assigneeId: null, decisions: [...first.decisions, queued] };
  }

  private decide(input: RouteConversationInput): Promise<RouteDecision & { inboxId?: string }> {
    return this.em.fork().transactional(async (em) => {
      const conversation = await em.findOne(Conversation, { id: input.conversationId }, { lockMode: LockMode.PESSIMISTIC_WRITE });
      if (!conversation) throw DomainError.notFound('conversation', input.conversationId);
      const inbox = await em.findOneOrFail(Inbox, { id: conversation.inbox.id });
      const decisions: DecisionRecord[] = [];
      const done = (outcome: RouteOutcome) => ({ outcome, assigneeId: conversation.assigneeId, decisions, inboxId: inbox.id });

      if (conversation.status === 'resolved' || conversation.status === 'spam') return done('not_routed');

      if (conversation.assigneeId) {
        const away = await this.assigneeAway(em, conversation, inbox, input.messageId);
        if (!away) return done('kept');
        if (!away.graceOver && !away.movedBackFrom) {
          decisions.push(
            await recordDecision(em, {
              conversationId: conversation.id,
              kind: 'kept',
              summary: `kept with ${away.name} although they are offline (${away.reason} at ${away.since.toISOString()}); unassigned at ${away.until.toISOString()} if still new`,
              details: { assigneeId: conversation.assigneeId, offlineSince: away.since.toISOString(), offlineReason: away.reason, graceSeconds: away.graceSeconds },
            }),
          );
          return done('kept');
        }
        const offline = `${away.reason === 'logout' ? 'logged out' : 'session lost'} at ${away.since.toISOString()}`;
        decisions.push(
          await recordDecision(em, {
            conversationId: conversation.id,
            kind: 'unassigned',
            summary: away.movedBackFrom
              ? `unassigned from ${away.name} at once: ${offline} and still offline; a new message moved it back to new (it was ${away.movedBackFrom}), so another agent picks it up`
              : `unassigned from ${away.name}: ${offline} and still offline after the ${away.graceSeconds} s grace period; a new message moved it back to new`,
            details: {
              previousAssigneeId: conversation.assigneeId,
              offlineSince: away.since.toISOString(),
              offlineReason: away.reason,
              graceSeconds: away.graceSeconds,
              movedBackFrom: away.movedBackFrom,
            },
          }),
        );
        await recordConversationEvent(em, { conversationId: conversation.id, type: 'unassigned', data: { assigneeId: conversation.assigneeId, reason: 'assignee offline' } });
        conversation.assigneeId = null;
      }

      if (conversation.handler === 'ai' && !input.humansOnly) return done('ai');
      // Open mode: any member may answer and routing assigns nobody (rules may still hand it to the AI agent).
      const openMode = inbox.settings.assignmentMode === 'open';
      if (conversation.queuedAt && !openMode) return done('queued');
      const nobody = async (why: string, details?: Record<string, unknown>) => {
        // A conversation queued before the inbox switched to open mode leaves the queue.
        conversation.queuedAt = null;
        conversation.queueTarget = null;
        decisions.push(await recordDecision(em, { conversationId: conversation.id, kind: 'routing', summary: `${why}; ${OPEN_MODE}`, details: { ...details, assignmentMode: 'open' } }));
        return done('not_routed');
      };

      const routing = inbox.settings.routing;
      const contact = await em.findOneOrFail(Contact, { id: conversation.contact.id });
      const facts = await routingFacts(em, conversation, inbox, contact, input.messageId);
      const trace = evaluateRules(routing.rules ?? [], facts);
      const matched = trace.find((t) => t.evaluation.matched);
      const traceDetails = trace.map((t) => ({ rule: t.rule.name, index: t.index, matched: t.evaluation.matched, explanation: explainRule(t.rule, t.evaluation), conditions: t.evaluation.details }));

      if (matched) {
        const target = matched.rule.target;
        const explanation = explainRule(matched.rule, matched.evaluation);
        if (target.type === 'ai_agent' && !input.humansOnly) {
          conversation.handler = 'ai';
          decisions.push(await recordDecision(em, { conversationId: conversation.id, kind: 'routing', summary: `${explanation} -> the AI agent`, details: { target, trace: traceDetails } }));
          return done('ai');
        }
        if (openMode) {
          const to =
            target.type === 'ai_agent'
              ? 'human agents (the AI agent handed over)'
              : `${target.type} ${await this.targetName(em, target.type, target.id!)}, not assigned (a rule's target assigns only in assignment mode)`;
          return nobody(`${explanation} -> ${to}`, { target, trace: traceDetails });
        }
        if (target.type === 'team' || target.type === 'agent') {
          conversation.queueTarget = `${target.type}:${target.id}`;
          decisions.push(
            await recordDecision(em, {
              conversationId: conversation.id,
              kind: 'routing',
              summary: `${explanation} -> ${target.type} ${await this.targetName(em, target.type, target.id!)}`,
              details: { target, trace: traceDetails },
            }),
          );
        } else {
          decisions.push(await recordDecision(em, { conversationId: conversation.id, kind: 'routing', summary: `${explanation} -> human agents (the AI agent handed over)`, details: { target, trace: traceDetails } }));
        }
      } else if (routing.aiAgentEnabled && !input.humansOnly) {
        conversation.handler = 'ai';
        decisions.push(
          await recordDecision(em, {
            conversationId: conversation.id,
            kind: 'ai_agent',
            summary: `${trace.length ? `no routing rule matched (${trace.length} checked)` : 'no routing rules'}; the AI agent is enabled and takes the conversation`,
            details: { trace: traceDetails },
          }),
        );
        return done('ai');
      } else if (openMode) {
        const rules = trace.length ? `no routing rule matched (${trace.length} checked)` : 'no routing rules';
        return nobody(`${rules}${input.humansOnly ? '; the AI agent handed over' : ''}`, trace.length ? { trace: traceDetails } : undefined);
      } else if (trace.length) {
        decisions.push(await recordDecision(em, { conversationId: conversation.id, kind: 'routing', summary: `no routing rule matched (${trace.length} checked); human agents of the inbox`, details: { trace: traceDetails } }));
      }

      if (!routing.humanAgentsEnabled) {
        decisions.push(await recordDecision(em, { conversationId: conversation.id, kind: 'routing', summary: 'not routed: human agents are switched off for this inbox and no rule or AI agent took it' }));
        return done('not_routed');
      }
      conversation.queuedAt = new Date();
      return done('queued');
    });
  }

  /**
   * The assignee of a `new` conversation is logged out (auto-unassign on): since when, whether their
   * grace period ran out, and whether the message being routed is the one that moved the conversation
   * back to new (from open, pending or resolved; ReceiveInboundMessageUseCase records that). Such a
   * conversation is unassigned at once, grace period or not, as the spec asks: "If, while they are still
   * logged out, an inbound message moves one of their conversations back to new, it is unassigned at
   * once so another agent picks it up". A conversation that was new already waits for the grace period.
   */
  private async assigneeAway(em: EntityManager, conversation: Conversation, inbox: Inbox, messageId?: string) {
    const auto = inbox.settings.autoUnassign;
    if (!auto.enabled || conversation.status !== 'new') return null;
    const presence = await em.findOne(AgentPresence, { user: conversation.assigneeId! });
    if (!presence || presence.online || !presence.offlineSince) return null;
    const user = await em.findOne(User, { id: conversation.assigneeId! });
    const until = new Date(presence.offlineSince.getTime() + auto.graceSeconds * 1000);
    const [movedBack] = messageId
      ? await em.execute<{ from: string }[]>(
          `select details ->> 'from' as "from" from conversation_decisions
            where conversation_id = ? and kind = 'status' and details ->> 'to' = 'new' and details ->> 'messageId' = ?
            limit 1`,
          [conversation.id, String(messageId)],
        )
      : [];
    return {
      name: user?.name ?? conversation.assigneeId!,
      since: presence.offlineSince,
      reason: presence.offlineReason ?? 'logout',
      graceSeconds: auto.graceSeconds,
      until,
      graceOver: Date.now() >= until.getTime(),
      movedBackFrom: movedBack?.from ?? null,
    };
  }

  private async targetName(em: EntityManager, type: 'team' | 'agent', id: string): Promise<string> {
    const rows = await em.execute<{ name: string }[]>(type === 'team' ? `select name from teams where id = ?` : `select name from users where id = ?`, [id]);
    return rows[0] ? `"${rows[0].name}"` : id;
  }
}
