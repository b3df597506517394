import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { ConversationWorkflows } from '../../../temporal/conversation-workflows';
import type { EventCause } from '../../conversations/conversation-events';
import type { DecisionRecord } from '../../conversations/decision-log';
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

/** The advisory lock every queue pass of an inbox holds until its transaction ends (taken in routing_pass_state). */
export const routingLockKey = (inboxId: string): string => `routing:${inboxId}`;

interface AgentRow {
  user_id: string;
  name: string;
  online: boolean;
  load: number;
}

interface WaitingRow {
  id: string;
  queue_target: string | null;
  queued_at: string;
  vip: boolean;
}

interface AssignmentWrite {
  conversation_id: string;
  assignee_id: string;
  summary: string;
  details: Record<string, unknown>;
  event: Record<string, unknown>;
  cause_rule_id: string | null;
  cause_firing_id: string | null;
  depth: number;
  ord: number;
}

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
    const result = await this.em.fork().transactional((em) => this.assignIn(em, input));
    await this.tell(result, input);
    return result;
  }

  /** After the pass committed: the workflows of the conversations it assigned hear of it (all but `except` and a rule's own). */
  async tell(result: DrainQueueResult, input: DrainQueueInput): Promise<void> {
    // The conversation a rule's action queued hears of its assignment from that rule's automation pass.
    const told = result.assigned.map((a) => a.conversationId).filter((id) => id !== input.except && id !== input.causeFor?.conversationId);
    if (told.length) await this.workflows.notifyChanged(told, `assigned from the queue (${input.trigger})`);
  }

  /**
   * The queue pass inside the caller's transaction, under the inbox's routing lock (held until the
   * caller commits). The caller tells the workflows after its commit (`tell`).
   */
  async assignIn(em: EntityManager, input: DrainQueueInput): Promise<DrainQueueResult> {
    const result: DrainQueueResult = { assigned: [], stillWaiting: [] };
    // The lock and, read after it is granted, the inbox's settings and round-robin cursor, every agent's
    // load and the waiting conversations (locked; those another pass holds are skipped): one round trip
    // (routing_pass_state, Migration20261202050000). Agents by name: the decision lists its candidates
    // in this order (the choice itself sorts by id, agent-choice.ts).
    const [row] = await em.execute<{ state: { settings: Inbox['settings'] | null; cursor: string | null; agents: AgentRow[] | null; waiting: WaitingRow[] | null } | null }[]>(
      'select routing_pass_state(?::uuid, ?::text, ?::int) as state',
      [input.inboxId, routingLockKey(input.inboxId), PASS_LIMIT],
    );
    const state = row?.state;
    // Open mode assigns nobody: conversations queued before the inbox switched wait for the next switch back.
    if (!state?.settings || !state.settings.routing.humanAgentsEnabled || state.settings.assignmentMode === 'open') return result;
    const { distribution, capacityPerAgent } = state.settings.routing;
    const agents = (state.agents ?? []).map<AgentCandidate>((r) => ({ userId: r.user_id, name: r.name, online: r.online, load: Number(r.load), capacity: capacityPerAgent }));
    const waiting = state.waiting ?? [];
    if (waiting.length === 0) return result;

    const teamMembers = await this.teamMembers(em, waiting.map((w) => w.queue_target));
    let cursor = state.cursor;
    const writes: AssignmentWrite[] = [];
    for (const conversation of waiting) {
      const pool = this.pool(agents, conversation.queue_target, teamMembers);
      const choice = chooseAgent(pool, distribution, cursor);
      if (!choice.chosen) {
        result.stillWaiting.push({ conversationId: conversation.id, reason: choice.reason, candidates: choice.candidates });
        continue;
      }
      const agent = agents.find((a) => a.userId === choice.chosen!.userId)!;
      agent.load += 1;
      cursor = agent.userId;
      const waited = Math.max(0, Math.round((Date.now() - new Date(conversation.queued_at).getTime()) / 1000));
      const cause = input.causeFor?.conversationId === conversation.id ? input.causeFor.cause : null;
      writes.push({
        conversation_id: conversation.id,
        assignee_id: agent.userId,
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
        event: { assigneeId: agent.userId, previousAssigneeId: null, fromQueue: true },
        cause_rule_id: cause?.ruleId ?? null,
        cause_firing_id: cause?.firingId ?? null,
        depth: cause ? cause.depth + 1 : 0,
        ord: writes.length,
      });
    }
    if (writes.length === 0) return result;
    // Every assignment of the pass in one statement: the conversations, their 'assigned' events and
    // decisions (in the pass's order), and the round-robin cursor.
    const decisions = await em.execute<{ id: string; conversation_id: string; created_at: Date; ord: number }[]>(
      `with a as (
         select * from jsonb_to_recordset(?::jsonb) as x(conversation_id uuid, assignee_id uuid, summary text, details jsonb, event jsonb, cause_rule_id uuid, cause_firing_id bigint, depth int, ord int)
       ), assigned as (
         update conversations c set assignee_id = a.assignee_id, queued_at = null, queue_target = null from a where c.id = a.conversation_id
       ), events as (
         insert into conversation_events (conversation_id, type, data, actor_user_id, cause_rule_id, cause_firing_id, depth)
         select conversation_id, 'assigned', event, null, cause_rule_id, cause_firing_id, depth from a order by ord
       ), rotated as (
         update inboxes set round_robin_cursor = ? where id = ? and round_robin_cursor is distinct from ?
       ), recorded as (
         insert into conversation_decisions (conversation_id, kind, summary, details, actor_user_id, created_at)
         select conversation_id, 'assigned', summary, details, null, clock_timestamp() from a order by ord
         returning id, conversation_id, created_at
       )
       select r.id, r.conversation_id, r.created_at, a.ord from recorded r join a on a.conversation_id = r.conversation_id order by a.ord`,
      [JSON.stringify(writes), cursor, input.inboxId, cursor],
    );
    for (const d of decisions) {
      const w = writes[d.ord];
      const decision: DecisionRecord = { id: String(d.id), conversationId: w.conversation_id, kind: 'assigned', summary: w.summary, details: w.details, at: new Date(d.created_at).toISOString() };
      result.assigned.push({ conversationId: w.conversation_id, assigneeId: w.assignee_id, decision });
    }
    return result;
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
