import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { DomainError } from '../../../common/domain-error';
import type { Actor } from '../../auth/actor';
import { ConversationWorkflows } from '../../../temporal/conversation-workflows';
import { type EventCause, recordConversationEvents } from '../conversation-events';
import { recordDecision } from '../decision-log';
import { ConversationAccess, isManagerOrAdmin } from '../conversation-access';
import type { Conversation } from '../conversation.entity';

export interface AssignConversationInput {
  conversationId: string;
  /** The user to hold the conversation; null unassigns it. */
  assigneeId: string | null;
  /** Who acts; absent for the system (routing), which may assign any eligible user in either mode. */
  actor?: Actor;
  /**
   * Set when an automation rule's action makes this change (the event log names the rule). Its workflow is not
   * signalled: the automation pass that ran the action answers the change in the same workflow task.
   */
  cause?: EventCause;
}

export interface AssignConversationResult {
  conversation: Conversation;
  previousAssigneeId: string | null;
  changed: boolean;
}

/**
 * Assignment rules (inbox setting assignmentMode):
 *  - managers and administrators (and the system) may unassign, reassign to anyone who may hold
 *    the conversation, or take it themselves, in either mode;
 *  - open mode: team members cannot assign (not even themselves); they may only drop a conversation
 *    a manager gave them;
 *  - assignment mode: a team member may take an unassigned conversation and give back their own;
 *    taking one someone else holds is a 409, assigning or unassigning others needs a manager.
 * The assignee must be an active member of the inbox or an administrator of the account (422,
 * field assigneeId). The whole decision runs in one transaction holding the conversation's row
 * lock (select ... for update), so two concurrent self-assignments cannot both win.
 */
@Injectable()
export class AssignConversationUseCase {
  constructor(
    private readonly em: EntityManager,
    private readonly conversations: ConversationAccess,
    private readonly workflows: ConversationWorkflows,
  ) {}

  async execute(input: AssignConversationInput): Promise<AssignConversationResult> {
    const result = await this.em.fork().transactional(async (em) => {
      const { conversation, inbox, role } = await this.conversations.load(em, input.conversationId, input.actor, { lock: true });
      const current = conversation.assigneeId;
      const target = input.assigneeId;
      const mode = inbox.settings?.assignmentMode ?? 'assignment';

      if (!isManagerOrAdmin(role)) {
        const me = input.actor!.userId;
        if (target === current && (target === null || target === me)) {
          // Repeating what is already true (e.g. a client retry) changes nothing.
        } else if (target === null) {
          if (current !== me) {
            throw new DomainError(
              'FORBIDDEN',
              `team members cannot unassign a conversation held by someone else; that needs the manager role in inbox ${inbox.id}`,
            );
          }
        } else if (target !== me) {
          throw new DomainError('FORBIDDEN', `assigning a conversation to someone else needs the manager role in inbox ${inbox.id}`);
        } else if (mode === 'open') {
          throw new DomainError(
            'FORBIDDEN',
            `inbox ${inbox.id} is in open mode: team members cannot assign conversations to themselves (any member may reply)`,
          );
        } else if (current !== null) {
          throw new DomainError(
            'CONFLICT',
            `conversation ${conversation.id} is already assigned to another agent; a manager can reassign it`,
            [{ field: 'assigneeId', problem: 'the conversation is already assigned to another agent' }],
          );
        }
      }

      if (target !== null && target !== current && !(await this.conversations.canHold(em, inbox, target))) {
        throw new DomainError('UNPROCESSABLE', `assigneeId: user ${target} is not an active member of inbox ${inbox.id}`, [
          { field: 'assigneeId', problem: `user ${target} is not an active member of inbox ${inbox.id}` },
        ]);
      }
      conversation.assigneeId = target;
      if (target !== current) {
        // A person decided: the conversation leaves the queue either way (an unassigned one waits for a person again).
        conversation.queuedAt = null;
        conversation.queueTarget = null;
        const names = await em.execute<{ id: string; name: string }[]>(`select id, name from users where id in (?, ?)`, [target ?? current, current ?? target]);
        const name = (id: string | null) => names.find((n) => n.id === id)?.name ?? id;
        const by = `${input.actor ? input.actor.name : 'the system'}`;
        await recordDecision(em, {
          conversationId: conversation.id,
          kind: target ? 'assigned' : 'unassigned',
          summary: target
            ? `assigned to ${name(target)} by ${by}${current ? ` (was ${name(current)})` : ''}`
            : `unassigned from ${name(current)} by ${by}`,
          details: { assigneeId: target, previousAssigneeId: current },
          actorUserId: input.actor?.userId,
        });
        await recordConversationEvents(em, [
          ...(current ? [{ conversationId: conversation.id, type: 'unassigned' as const, data: { assigneeId: current }, actorUserId: input.actor?.userId, cause: input.cause }] : []),
          ...(target ? [{ conversationId: conversation.id, type: 'assigned' as const, data: { assigneeId: target, previousAssigneeId: current }, actorUserId: input.actor?.userId, cause: input.cause }] : []),
        ]);
      }
      return { conversation, previousAssigneeId: current, changed: target !== current };
    });
    if (result.changed && !input.cause) await this.workflows.notifyChanged([result.conversation.id], result.conversation.assigneeId ? `assigned to ${result.conversation.assigneeId}` : 'unassigned');
    return result;
  }
}
