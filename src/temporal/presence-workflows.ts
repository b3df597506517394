import { Inject, Injectable } from '@nestjs/common';
import { Client } from '@temporalio/client';
import { APP_CONFIG, ServiceConfig } from '../config/config';
import {
  type AgentPresenceInput,
  type AgentPresenceWorkflow,
  agentPresenceWorkflowId,
  agentPresenceWorkflowType,
  presenceChangedSignal,
  type PresenceChangedSignal,
} from '../../workflows/contracts/agent-presence.contract';
import { withClientDeadline } from './client-deadline';


/** Starts or signals agent-presence:<userId> workflows. */
@Injectable()
export class PresenceWorkflows {
  constructor(
    private readonly client: Client,
    @Inject(APP_CONFIG) private readonly config: ServiceConfig,
  ) {}

  async notify(user: { userId: string; accountId: string }, change: PresenceChangedSignal): Promise<void> {
    const input: AgentPresenceInput = { userId: user.userId, accountId: user.accountId };
    await withClientDeadline(this.client, () =>
      this.client.workflow.signalWithStart<AgentPresenceWorkflow, [PresenceChangedSignal]>(agentPresenceWorkflowType, {
        workflowId: agentPresenceWorkflowId(user.userId),
        taskQueue: this.config.temporal.taskQueue,
        args: [input],
        signal: presenceChangedSignal,
        signalArgs: [change],
      }),
    );
  }
}
