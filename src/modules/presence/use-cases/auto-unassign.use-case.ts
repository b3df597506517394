import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { ConversationWorkflows } from '../../../temporal/conversation-workflows';
import { recordConversationEvents } from '../../conversations/conversation-events';
import { recordDecision } from '../../conversations/decision-log';
import { DrainQueueUseCase } from '../../routing/use-cases/drain-queue.use-case';

export interface AutoUnassignInput {
  userId: string;
  /** The inboxes whose grace period (`graceSeconds`) ran out. */
  inboxIds: string[];
  /** Epoch ms of the logout or session loss the grace period counted from. */
  offlineSince: number;
  graceSeconds: number;
}

export interface AutoUnassignResult {
  /** False when the agent came back (or went offline again later): nothing was changed. */
  applied: boolean;
  reason: string;
  unassigned: string[];
  /** Conversations (any of this inbox) that the queue pass gave to other agents. */
  reassigned: { conversationId: string; assigneeId: string }[];
}

/**
 * Auto-unassign after logout or session loss. The agent-presence workflow asks for the grace
 * periods of the agent's inboxes (GetGraceDeadlinesUseCase), waits for each in Temporal (a timer
 * that survives worker and server restarts) and then calls this: in one transaction, and only
 * if the agent is still offline since the same instant, their conversations in status `new` in
 * those inboxes lose the assignee and join the queue (open and pending ones stay with them); then
 * the queue is drained so other agents pick them up.
 */
@Injectable()
export class AutoUnassignUseCase {
  constructor(
    private readonly em: EntityManager,
    private readonly drain: DrainQueueUseCase,
    private readonly workflows: ConversationWorkflows,
  ) {}


  async execute(input: AutoUnassignInput): Promise<AutoUnassignResult> {
    const changed = await this.em.fork().transactional(async (em) => {
      const [presence] = await em.execute<{ online: boolean; offline_since: Date | null; offline_reason: string | null; name: string }[]>(
        `select p.online, p.offline_since, p.offline_reason, u.name from agent_presence p join users u on u.id = p.user_id where p.user_id = ? for update of p`,
        [input.userId],
      );
      if (!presence || presence.online || !presence.offline_since || new Date(presence.offline_since).getTime() !== input.offlineSince) {
        return { applied: false, reason: 'the agent is online again (or went offline again later): nothing unassigned', unassigned: [] as string[] };
      }
      if (input.inboxIds.length === 0) return { applied: true, reason: 'no inboxes', unassigned: [] as string[] };
      const rows = await em.execute<{ id: string }[]>(
        `update conversations set assignee_id = null, queued_at = now(), queue_target = null
          where assignee_id = ? and status = 'new' and inbox_id in (${input.inboxIds.map(() => '?').join(', ')})
          returning id`,
        [input.userId, ...input.inboxIds],
      );
      const what = presence.offline_reason === 'session_lost' ? 'session lost (no heartbeat)' : 'logged out';
      const since = new Date(presence.offline_since).toISOString();
      for (const r of rows) {
        await recordDecision(em, {
          conversationId: r.id,
          kind: 'unassigned',
          summary: `unassigned from ${presence.name}: ${what} at ${since} and not back within the ${input.graceSeconds} s grace period; the conversation was still new, so it goes back to the queue`,
          details: { previousAssigneeId: input.userId, offlineSince: since, offlineReason: presence.offline_reason, graceSeconds: input.graceSeconds },
        });
      }
      await recordConversationEvents(em, rows.map((r) => ({ conversationId: r.id, type: 'unassigned' as const, data: { assigneeId: input.userId, reason: 'grace period after logout' } })));
      return { applied: true, reason: `${rows.length} new conversation(s) unassigned after ${what}`, unassigned: rows.map((r) => r.id) };
    });
    const reassigned: AutoUnassignResult['reassigned'] = [];
    if (changed.applied && changed.unassigned.length) {
      for (const inboxId of input.inboxIds) {
        // The pass tells the workflows of the conversations it assigns; the ones left waiting are told below.
        const drained = await this.drain.execute({ inboxId, trigger: `conversations of an agent were unassigned after the grace period` });
        reassigned.push(...drained.assigned.map((a) => ({ conversationId: a.conversationId, assigneeId: a.assigneeId })));
      }
      const taken = new Set(reassigned.map((r) => r.conversationId));
      const waiting = changed.unassigned.filter((id) => !taken.has(id));
      if (waiting.length) await this.workflows.notifyChanged(waiting, `auto-unassign: ${changed.reason}`);
    }
    return { ...changed, reassigned };
  }
}
