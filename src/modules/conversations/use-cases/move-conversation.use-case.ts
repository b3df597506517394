import { ref } from '@mikro-orm/core';
import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { DomainError } from '../../../common/domain-error';
import { AccessPolicy } from '../../auth/access-policy';
import type { Actor } from '../../auth/actor';
import { Account } from '../../accounts/account.entity';
import { Inbox } from '../../inboxes/inbox.entity';
import { ConversationWorkflows } from '../../../temporal/conversation-workflows';
import { type EventCause, recordConversationEvents } from '../conversation-events';
import { recordDecision } from '../decision-log';
import { ConversationAccess } from '../conversation-access';
import type { Conversation } from '../conversation.entity';

export interface MoveConversationInput {
  /**
   * Set when an automation rule's action makes this change (the event log names the rule). Its workflow is not
   * signalled: the automation pass that ran the action answers the change in the same workflow task.
   */
  cause?: EventCause;
  /** Absent for the system (automation), which needs no membership of either inbox. */
  actor?: Actor;
  conversationId: string;
  /** The target inbox. */
  inboxId: string;
}

/**
 * Moves a conversation to another inbox of the account:
 *  - only when the account setting allowMoveBetweenInboxes is on (403 otherwise);
 *  - the caller must be a member of both inboxes (target of another account: 404; not a member: 403);
 *  - the target must be a different inbox of the same channel type (422, field inboxId).
 * An assignee who may not hold conversations of the target inbox is removed.
 */
@Injectable()
export class MoveConversationUseCase {
  constructor(
    private readonly em: EntityManager,
    private readonly conversations: ConversationAccess,
    private readonly access: AccessPolicy,
    private readonly workflows: ConversationWorkflows,
  ) {}

  async execute(input: MoveConversationInput): Promise<Conversation> {
    const moved = await this.em.fork().transactional(async (em) => {
      const { conversation, inbox: source } = await this.conversations.load(em, input.conversationId, input.actor, { lock: true });
      const account = await em.findOneOrFail(Account, { id: conversation.account.id });
      if (!account.settings?.allowMoveBetweenInboxes) {
        throw new DomainError(
          'FORBIDDEN',
          `moving conversations between inboxes needs the account setting allowMoveBetweenInboxes (an administrator can turn it on)`,
        );
      }
      let target: Inbox;
      if (input.actor) {
        target = (await this.access.requireMember(input.actor, input.inboxId, em)).inbox;
      } else {
        const found = await em.findOne(Inbox, { id: input.inboxId, account: account.id });
        if (!found) throw DomainError.notFound('inbox', input.inboxId);
        target = found;
      }
      if (target.id === source.id) {
        throw new DomainError('UNPROCESSABLE', `inboxId: conversation ${conversation.id} is already in inbox ${target.id}`, [
          { field: 'inboxId', problem: 'is the inbox the conversation is already in' },
        ]);
      }
      if (target.channelType !== source.channelType) {
        throw new DomainError(
          'UNPROCESSABLE',
          `inboxId: inbox ${target.id} is a ${target.channelType} inbox; a ${source.channelType} conversation can only move to another ${source.channelType} inbox`,
          [{ field: 'inboxId', problem: `must be a ${source.channelType} inbox, not ${target.channelType}` }],
        );
      }
      conversation.inbox = ref(target);
      const droppedAssignee = conversation.assigneeId && !(await this.conversations.canHold(em, target, conversation.assigneeId)) ? conversation.assigneeId : null;
      if (droppedAssignee) conversation.assigneeId = null;
      // Unassigned and still open for work: it waits in the new inbox's queue (the workflow drains it).
      conversation.queueTarget = null;
      conversation.queuedAt = !conversation.assigneeId && ['new', 'open', 'pending'].includes(conversation.status) ? new Date() : null;
      await recordDecision(em, {
        conversationId: conversation.id,
        kind: 'status',
        summary: `moved from inbox "${source.name}" to "${target.name}" by ${input.actor ? input.actor.name : 'the system'}`,
        details: { fromInboxId: source.id, toInboxId: target.id },
        actorUserId: input.actor?.userId,
      });
      const by = { actorUserId: input.actor?.userId, cause: input.cause };
      await recordConversationEvents(em, [
        { conversationId: conversation.id, type: 'moved', data: { fromInboxId: source.id, toInboxId: target.id }, ...by },
        ...(droppedAssignee ? [{ conversationId: conversation.id, type: 'unassigned' as const, data: { assigneeId: droppedAssignee }, ...by }] : []),
      ]);
      return conversation;
    });
    if (!input.cause) await this.workflows.notifyChanged([moved.id], `moved to inbox ${input.inboxId}`);
    return moved;
  }
}
