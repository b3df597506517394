import { Inject, Injectable, Logger } from '@nestjs/common';
import { Client, WorkflowNotFoundError } from '@temporalio/client';
import { APP_CONFIG, ServiceConfig } from '../config/config';
import {
  conversationChangedSignal,
  type ConversationChangedSignal,
  type ConversationWorkflow,
  conversationWorkflowId,
  type ConversationWorkflowInput,
  conversationWorkflowType,
  inboundMessageSignal,
  type InboundMessageSignal,
} from '../../workflows/contracts/conversation.contract';
import { AssigneeId, Channel, ConversationStatus, InboxId, UNASSIGNED, Vip } from '../../workflows/contracts/search-attributes';
import { withClientDeadline } from './client-deadline';

export interface ConversationRef {
  conversationId: string;
  inboxId: string;
  channel: string;
  status: string;
  assigneeId: string | null;
  vip: boolean;
}


/** Starts or signals conversation:<id> workflows. Signals carry ids only. */
@Injectable()
export class ConversationWorkflows {
  private readonly logger = new Logger(ConversationWorkflows.name);

  constructor(
    private readonly client: Client,
    @Inject(APP_CONFIG) private readonly config: ServiceConfig,
  ) {}

  async notifyInboundMessage(conversation: ConversationRef, messageId: string): Promise<void> {
    const input: ConversationWorkflowInput = {
      conversationId: conversation.conversationId,
      inboxId: conversation.inboxId,
      channel: conversation.channel,
    };
    // Fail in seconds, not after the client's long default retries, when Temporal is unreachable.
    await withClientDeadline(this.client, () => this.client.workflow.signalWithStart<ConversationWorkflow, [InboundMessageSignal]>(conversationWorkflowType, {
      workflowId: conversationWorkflowId(conversation.conversationId),
      taskQueue: this.config.temporal.taskQueue,
      args: [input],
      signal: inboundMessageSignal,
      signalArgs: [{ messageId }],
      typedSearchAttributes: [
        { key: InboxId, value: conversation.inboxId },
        { key: ConversationStatus, value: conversation.status },
        { key: AssigneeId, value: conversation.assigneeId ?? UNASSIGNED },
        { key: Channel, value: conversation.channel },
        { key: Vip, value: conversation.vip },
      ],
    }));
  }

  /**
   * Starts the workflow of a conversation that began without an inbound message (an agent started it):
   * signalWithStart with `conversationChanged`, so the workflow reads its conversation once (its
   * snapshot: status and assignee, for search attributes, freed seats and CSAT) and then waits for the
   * customer's answer like any other. Throws when Temporal is unreachable (the caller undoes its write).
   */
  async start(conversation: ConversationRef, reason: string): Promise<void> {
    const input: ConversationWorkflowInput = { conversationId: conversation.conversationId, inboxId: conversation.inboxId, channel: conversation.channel };
    await withClientDeadline(this.client, () =>
      this.client.workflow.signalWithStart<ConversationWorkflow, [ConversationChangedSignal]>(conversationWorkflowType, {
        workflowId: conversationWorkflowId(conversation.conversationId),
        taskQueue: this.config.temporal.taskQueue,
        args: [input],
        signal: conversationChangedSignal,
        signalArgs: [{ reason: reason.slice(0, 500) }],
        typedSearchAttributes: [
          { key: InboxId, value: conversation.inboxId },
          { key: ConversationStatus, value: conversation.status },
          { key: AssigneeId, value: conversation.assigneeId ?? UNASSIGNED },
          { key: Channel, value: conversation.channel },
          { key: Vip, value: conversation.vip },
        ],
      }),
    );
  }

  /**
   * Tells conversation workflows that their conversation changed in Postgres (status, assignee,
   * VIP, inbox), so they refresh their search attributes and react (CSAT on resolve, a freed seat
   * in the queue). Best effort after the change committed: a failure is logged, never undoes it.
   */
  async notifyChanged(conversationIds: string[], reason: string): Promise<void> {
    const ids = [...new Set(conversationIds)];
    const results = await Promise.allSettled(
      ids.map((id) =>
        withClientDeadline(this.client, () =>
          this.client.workflow.getHandle(conversationWorkflowId(id)).signal(conversationChangedSignal, { reason: reason.slice(0, 500) }),
        ),
      ),
    );
    results.forEach((r, i) => {
      if (r.status === 'rejected' && !(r.reason instanceof WorkflowNotFoundError)) {
        this.logger.warn(`conversation ${ids[i]}: change not signalled (${reason}): ${(r.reason as Error).message}`);
      }
    });
  }

  /**
   * Ends the workflows of conversations that were deleted (best effort, after the delete committed:
   * a workflow left running finds its conversation gone and fails its next activity).
   */
  async terminate(conversationIds: string[], reason: string): Promise<void> {
    const results = await Promise.allSettled(
      conversationIds.map((id) =>
        withClientDeadline(this.client, () =>
          this.client.workflow.getHandle(conversationWorkflowId(id)).terminate(reason),
        ),
      ),
    );
    results.forEach((r, i) => {
      if (r.status === 'rejected' && !(r.reason instanceof WorkflowNotFoundError)) {
        this.logger.warn(`conversation ${conversationIds[i]}: workflow not terminated: ${(r.reason as Error).message}`);
      }
    });
  }
}
