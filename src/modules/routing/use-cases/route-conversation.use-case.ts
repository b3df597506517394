import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import type { ConversationSnapshot } from '../../../../workflows/contracts/conversation.contract';
import { DomainError } from '../../../common/domain-error';
import type { ConversationHandler } from '../../conversations/conversation.entity';
import { recordConversationEvent } from '../../conversations/conversation-events';
import { recordDecision, type DecisionRecord } from '../../conversations/decision-log';
import { snapshotOf } from '../../conversations/use-cases/describe-conversation.use-case';
import type { InboxSettings } from '../../inboxes/inbox-settings';
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

/** What routing reads of a conversation, in the statement that locks it. */
interface RoutingRow {
  id: string;
  inbox_id: string;
  channel_type: string;
  status: string;
  assignee_id: string | null;
  priority: number;
  queued_at: Date | null;
  queue_target: string | null;
  handler: ConversationHandler;
  created_at: Date;
  resolved_at: Date | null;
  inbox_name: string;
  inbox_channel: string;
  settings: InboxSettings;
  contact_id: string;
  contact_name: string | null;
  contact_email: string | null;
  contact_phone: string | null;
  vip: boolean;
  platform_attributes: Record<string, unknown> | null;
  attributes: Record<string, unknown> | null;
  tags: string[] | null;
  message_content: string | null;
  message_created_at: Date | null;
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
  ) {}

  /**
   * One transaction: the conversation is locked and read with what its rules need, decided, and when
   * it joins the queue the queue pass runs in the same transaction under the inbox's routing lock.
   * After the commit, the workflows of other conversations the pass assigned are told.
   */
  async execute(input: RouteConversationInput): Promise<RouteConversationResult> {
    const drainInput = (inboxId: string) => ({ inboxId, trigger: `routing of conversation ${input.conversationId}`, except: input.conversationId });
    const routed = await this.em.fork().transactional(async (em) => {
      const first = await this.decide(em, input);
      if (first.outcome !== 'queued') return { ...first, drained: null };
      // This conversation reads its own assignment from the pass; the others it assigns are told.
      const drained = await this.drain.assignIn(em, drainInput(first.row.inbox_id));
      const mine = drained.assigned.find((a) => a.conversationId === input.conversationId);
      if (mine) {
        first.row.assignee_id = mine.assigneeId;
        return { ...first, outcome: 'assigned' as const, assigneeId: mine.assigneeId, decisions: [...first.decisions, mine.decision], drained };
      }
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
      return { ...first, decisions: [...first.decisions, queued], drained };
    });
    if (routed.drained) await this.drain.tell(routed.drained, drainInput(routed.row.inbox_id));
    const { outcome, assigneeId, decisions } = routed;
    return { outcome, assigneeId, decisions, snapshot: snapshotOf({ ...routed.row, csat: routed.row.settings?.csat }) };
  }

  private async decide(em: EntityManager, input: RouteConversationInput): Promise<RouteDecision & { row: RoutingRow }> {
    // The conversation (locked), its inbox, contact, tags and the message: one statement. The lock is
    // "no key update": routings of one conversation wait for each other, but inserts that only check
    // the foreign key (events, messages of this conversation) are not blocked and cannot deadlock with it.
    const [row] = await em.execute<RoutingRow[]>(
      `select c.id, c.inbox_id, c.channel_type, c.status, c.assignee_id, c.priority, c.queued_at, c.queue_target, c.handler, c.created_at, c.resolved_at,
              i.name as inbox_name, i.channel_type as inbox_channel, i.settings,
              ct.id as contact_id, ct.name as contact_name, ct.email as contact_email, ct.phone as contact_phone, ct.vip, ct.platform_attributes, ct.attributes,
              (select array_agg(t.tag order by t.tag) from conversation_tags t where t.conversation_id = c.id) as tags,
              m.content as message_content, m.created_at as message_created_at
         from conversations c
         join inboxes i on i.id = c.inbox_id
         join contacts ct on ct.id = c.contact_id
         left join messages m on m.id = ? and m.conversation_id = c.id
        where c.id = ?
        for no key update of c`,
      [input.messageId === undefined ? null : String(input.messageId), input.conversationId],
    );
    if (!row) throw DomainError.notFound('conversation', input.conversationId);
    const settings = row.settings;
    const decisions: DecisionRecord[] = [];
    const changed: Partial<Pick<RoutingRow, 'assignee_id' | 'handler' | 'queued_at' | 'queue_target'>> = {};
    const set = <K extends keyof typeof changed>(key: K, value: RoutingRow[K]) => {
      changed[key] = value;
      row[key] = value;
    };
    /** Writes what changed (a conversation that joins the queue then takes the inbox's routing lock in the pass, DrainQueueUseCase). */
    const done = async (outcome: RouteOutcome): Promise<RouteDecision & { row: RoutingRow }> => {
      const columns = Object.keys(changed) as (keyof typeof changed)[];
      if (columns.length) {
        await em.execute(`update conversations set ${columns.map((c) => `${c} = ?`).join(', ')} where id = ?`, [...columns.map((c) => changed[c] ?? null), row.id]);
      }
      return { outcome, assigneeId: row.assignee_id, decisions, row };
    };

    if (row.status === 'resolved' || row.status === 'spam') return done('not_routed');

    if (row.assignee_id) {
      const away = await this.assigneeAway(em, row, settings, input.messageId);
      if (!away) return done('kept');
      if (!away.graceOver && !away.movedBackFrom) {
        decisions.push(
          await recordDecision(em, {
            conversationId: row.id,
            kind: 'kept',
            summary: `kept with ${away.name} although they are offline (${away.reason} at ${away.since.toISOString()}); unassigned at ${away.until.toISOString()} if still new`,
            details: { assigneeId: row.assignee_id, offlineSince: away.since.toISOString(), offlineReason: away.reason, graceSeconds: away.graceSeconds },
          }),
        );
        return done('kept');
      }
      const offline = `${away.reason === 'logout' ? 'logged out' : 'session lost'} at ${away.since.toISOString()}`;
      decisions.push(
        await recordDecision(em, {
          conversationId: row.id,
          kind: 'unassigned',
          summary: away.movedBackFrom
            ? `unassigned from ${away.name} at once: ${offline} and still offline; a new message moved it back to new (it was ${away.movedBackFrom}), so another agent picks it up`
            : `unassigned from ${away.name}: ${offline} and still offline after the ${away.graceSeconds} s grace period; a new message moved it back to new`,
          details: {
            previousAssigneeId: row.assignee_id,
            offlineSince: away.since.toISOString(),
            offlineReason: away.reason,
            graceSeconds: away.graceSeconds,
            movedBackFrom: away.movedBackFrom,
          },
        }),
      );
      await recordConversationEvent(em, { conversationId: row.id, type: 'unassigned', data: { assigneeId: row.assignee_id, reason: 'assignee offline' } });
      set('assignee_id', null);
    }

    if (row.handler === 'ai' && !input.humansOnly) return done('ai');
    // Open mode: any member may answer and routing assigns nobody (rules may still hand it to the AI agent).
    const openMode = settings.assignmentMode === 'open';
    if (row.queued_at && !openMode) return done('queued');
    const nobody = async (why: string, details?: Record<string, unknown>) => {
      // A conversation queued before the inbox switched to open mode leaves the queue.
      if (row.queued_at !== null) set('queued_at', null);
      if (row.queue_target !== null) set('queue_target', null);
      decisions.push(await recordDecision(em, { conversationId: row.id, kind: 'routing', summary: `${why}; ${OPEN_MODE}`, details: { ...details, assignmentMode: 'open' } }));
      return done('not_routed');
    };

    const routing = settings.routing;
    const facts = routingFacts({
      conversation: { id: row.id, status: row.status, channelType: row.channel_type, priority: Number(row.priority), createdAt: new Date(row.created_at) },
      tags: row.tags ?? [],
      message: row.message_content !== null && row.message_created_at !== null ? { content: row.message_content, createdAt: new Date(row.message_created_at) } : undefined,
      contact: { id: row.contact_id, name: row.contact_name, email: row.contact_email, phone: row.contact_phone, vip: row.vip, platformAttributes: row.platform_attributes, attributes: row.attributes },
      inbox: { id: row.inbox_id, name: row.inbox_name, channelType: row.inbox_channel },
    });
    const trace = evaluateRules(routing.rules ?? [], facts);
    const matched = trace.find((t) => t.evaluation.matched);
    const traceDetails = trace.map((t) => ({ rule: t.rule.name, index: t.index, matched: t.evaluation.matched, explanation: explainRule(t.rule, t.evaluation), conditions: t.evaluation.details }));

    if (matched) {
      const target = matched.rule.target;
      const explanation = explainRule(matched.rule, matched.evaluation);
      if (target.type === 'ai_agent' && !input.humansOnly) {
        set('handler', 'ai');
        decisions.push(await recordDecision(em, { conversationId: row.id, kind: 'routing', summary: `${explanation} -> the AI agent`, details: { target, trace: traceDetails } }));
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
        set('queue_target', `${target.type}:${target.id}`);
        decisions.push(
          await recordDecision(em, {
            conversationId: row.id,
            kind: 'routing',
            summary: `${explanation} -> ${target.type} ${await this.targetName(em, target.type, target.id!)}`,
            details: { target, trace: traceDetails },
          }),
        );
      } else {
        decisions.push(await recordDecision(em, { conversationId: row.id, kind: 'routing', summary: `${explanation} -> human agents (the AI agent handed over)`, details: { target, trace: traceDetails } }));
      }
    } else if (routing.aiAgentEnabled && !input.humansOnly) {
      set('handler', 'ai');
      decisions.push(
        await recordDecision(em, {
          conversationId: row.id,
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
      decisions.push(await recordDecision(em, { conversationId: row.id, kind: 'routing', summary: `no routing rule matched (${trace.length} checked); human agents of the inbox`, details: { trace: traceDetails } }));
    }

    if (!routing.humanAgentsEnabled) {
      decisions.push(await recordDecision(em, { conversationId: row.id, kind: 'routing', summary: 'not routed: human agents are switched off for this inbox and no rule or AI agent took it' }));
      return done('not_routed');
    }
    set('queued_at', new Date());
    return done('queued');
  }

  /**
   * The assignee of a `new` conversation is logged out (auto-unassign on): since when, whether their
   * grace period ran out, and whether the message being routed is the one that moved the conversation
   * back to new (from open, pending or resolved; ReceiveInboundMessageUseCase records that). Such a
   * conversation is unassigned at once, grace period or not, as the spec asks: "If, while they are still
   * logged out, an inbound message moves one of their conversations back to new, it is unassigned at
   * once so another agent picks it up". A conversation that was new already waits for the grace period.
   */
  private async assigneeAway(em: EntityManager, conversation: Pick<RoutingRow, 'id' | 'status' | 'assignee_id'>, settings: InboxSettings, messageId?: string) {
    const auto = settings.autoUnassign;
    if (!auto.enabled || conversation.status !== 'new') return null;
    const presence = await em.findOne(AgentPresence, { user: conversation.assignee_id! });
    if (!presence || presence.online || !presence.offlineSince) return null;
    const user = await em.findOne(User, { id: conversation.assignee_id! });
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
      name: user?.name ?? conversation.assignee_id!,
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
