import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { ConversationWorkflows } from '../../../temporal/conversation-workflows';
import { type EventCause, recordConversationEvent } from '../../conversations/conversation-events';
import { recordDecision, type DecisionRecord } from '../../conversations/decision-log';
import { Inbox } from '../../inboxes/inbox.entity';
import { chooseAgent, type AgentCandidate } from '../agent-choice';

export interface DrainQueueInput {
  inboxId: string;
  /** What made capacity available or added work ("agent Ann logged in", "conversation X resolved"), for the record. */
  trigger: string;
  /**
   * The conversation whose own routing asked for this pass: it reads its assignment from the result,
   * so its workflow is not signalled. Every other conversation assigned here is.
   */
  except?: string;
  /**
   * An automation rule's action queued this conversation (assign to agent/team): its assignment event
   * names the rule, and its workflow is not signalled (the rule's automation pass answers the change).
   */
  causeFor?: { conversationId: string; cause: EventCause };
}

export interface QueueAssignment {
  conversationId: string;
  assigneeId: string;
  decision: DecisionRecord;
}

export interface DrainQueueResult {
  assigned: QueueAssignment[];
  /** Conversations still waiting after this pass, with why their turn found nobody. */
  stillWaiting: { conversationId: string; reason: string; candidates: unknown[] }[];
}

/** How many waiting conversations one pass looks at; later passes (the next trigger) take the rest. */
const PASS_LIMIT = 200;

const ACTIVE = `('new', 'open', 'pending')`;

/**
 * Assigns waiting conversations of one inbox to agents who are online and under the inbox's
 * capacity, VIP contacts first, then oldest in the queue first. The whole pass is one transaction
 * that holds the inbox's routing lock (an advisory lock), counts every agent's load inside it and
 * updates the round-robin cursor, so two concurrent passes (two inbound messages, a login and a
 * resolve) cannot over-assign an agent or hand one conversation to two agents.
 *
 * After the pass commits, the workflows of the conversations it assigned are told (all but
 * `except`): this is the one place that assigns from the queue, for routing, logins, freed seats
 * and auto-unassign alike.
 */
@Injectable()
export class DrainQueueUseCase {
  constructor(
    private readonly em: EntityManager,
    private readonly workflows: ConversationWorkflows,
  ) {}

  async execute(input: DrainQueueInput): Promise<DrainQueueResult> {
    const result = await this.assign(input);
    // The conversation a rule's action queued hears of its assignment from that rule's automation pass.
    const told = result.assigned.map((a) => a.conversationId).filter((id) => id !== input.except && id !== input.causeFor?.conversationId);
    if (told.length) await this.workflows.notifyChanged(told, `assigned from the queue (${input.trigger})`);
    return result;
  }

  /** The queue pass: one transaction under the inbox's routing lock. */
  private assign(input: DrainQueueInput): Promise<DrainQueueResult> {
    return this.em.fork().transactional(async (em) => {
      await em.execute('select pg_advisory_xact_lock(hashtextextended(?, 0))', [`routing:${input.inboxId}`]);
      const inbox = await em.findOne(Inbox, { id: input.inboxId });
      const result: DrainQueueResult = { assigned: [], stillWaiting: [] };
      // Open mode assigns nobody: conversations queued before the inbox switched wait for the next switch back.
      if (!inbox || !inbox.settings.routing.humanAgentsEnabled || inbox.settings.assignmentMode === 'open') return result;
      const { distribution, capacityPerAgent } = inbox.settings.routing;

      const agents = (
        await em.execute<{ user_id: string; name: string; online: boolean; load: string }[]>(
          `select u.id as user_id, u.name, coalesce(p.online, false) as online,
                  (select count(*) from conversations c where c.inbox_id = m.inbox_id and c.assignee_id = u.id and c.status in ${ACTIVE}) as load
             from inbox_memberships m
             join users u on u.id = m.user_id and u.disabled_at is null
             left join agent_presence p on p.user_id = u.id
            where m.inbox_id = ?`,
          [inbox.id],
        )
      ).map<AgentCandidate>((r) => ({ userId: r.user_id, name: r.name, online: r.online, load: Number(r.load), capacity: capacityPerAgent }));

      const waiting = await em.execute<{ id: string; queue_target: string | null; queued_at: Date; vip: boolean }[]>(
        `select c.id, c.queue_target, c.queued_at, ct.vip
           from conversations c join contacts ct on ct.id = c.contact_id
          where c.inbox_id = ? and c.queued_at is not null and c.assignee_id is null and c.status in ${ACTIVE}
          order by ct.vip desc, c.queued_at, c.id
          limit ${PASS_LIMIT}
          for update of c skip locked`,
        [inbox.id],
      );
      if (waiting.length === 0) return result;

      const teamMembers = await this.teamMembers(em, waiting.map((w) => w.queue_target));
      let cursor = inbox.roundRobinCursor;
      for (const conversation of waiting) {
        const pool = this.pool(agents, conversation.queue_target, teamMembers);
        const choice = chooseAgent(pool, distribution, cursor);
        if (!choice.chosen) {
          result.stillWaiting.push({ conversationId: conversation.id, reason: choice.reason, candidates: choice.candidates });
          continue;
        }
        const agent = agents.find((a) => a.userId === choice.chosen!.userId)!;
        await em.execute(`update conversations set assignee_id = ?, queued_at = null, queue_target = null where id = ?`, [agent.userId, conversation.id]);
        agent.load += 1;
        cursor = agent.userId;
        const waited = Math.max(0, Math.round((Date.now() - new Date(conversation.queued_at).getTime()) / 1000));
        const decision = await recordDecision(em, {
          conversationId: conversation.id,
          kind: 'assigned',
          summary: `assigned to ${agent.name}: ${choice.reason}${conversation.vip ? '; VIP contact, first in the queue' : ''} (waited ${waited} s; ${input.trigger})`,
          details: {
            assigneeId: agent.userId,
            distribution,
            capacityPerAgent,
            target: conversation.queue_target,
            vip: conversation.vip,
            waitedSeconds: waited,
            trigger: input.trigger,
            candidates: choice.candidates.map((c) => ({ userId: c.userId, name: c.name, online: c.online, load: c.load, capacity: c.capacity, eligible: c.eligible, why: c.why })),
          },
        });
        await recordConversationEvent(em, {
          conversationId: conversation.id,
          type: 'assigned',
          data: { assigneeId: agent.userId, previousAssigneeId: null, fromQueue: true },
          cause: input.causeFor?.conversationId === conversation.id ? input.causeFor.cause : null,
        });
        result.assigned.push({ conversationId: conversation.id, assigneeId: agent.userId, decision });
      }
      if (cursor !== inbox.roundRobinCursor) await em.execute(`update inboxes set round_robin_cursor = ? where id = ?`, [cursor, inbox.id]);
      return result;
    });
  }

  /** The agents a waiting conversation may go to: its rule's team or agent, else every agent of the inbox. */
  private pool(agents: AgentCandidate[], target: string | null, teams: Map<string, Set<string>>): AgentCandidate[] {
    if (!target) return agents;
    const [type, id] = target.split(':');
    if (type === 'agent') return agents.filter((a) => a.userId === id);
    const members = teams.get(id) ?? new Set<string>();
    return agents.filter((a) => members.has(a.userId));
  }

  private async teamMembers(em: EntityManager, targets: (string | null)[]): Promise<Map<string, Set<string>>> {
    const teamIds = [...new Set(targets.filter((t): t is string => !!t && t.startsWith('team:')).map((t) => t.slice(5)))];
    const map = new Map<string, Set<string>>();
    if (teamIds.length === 0) return map;
    const rows = await em.execute<{ team_id: string; user_id: string }[]>(
      `select team_id, user_id from team_members where team_id in (${teamIds.map(() => '?').join(', ')})`,
      teamIds,
    );
    for (const r of rows) {
      if (!map.has(r.team_id)) map.set(r.team_id, new Set());
      map.get(r.team_id)!.add(r.user_id);
    }
    return map;
  }
}
