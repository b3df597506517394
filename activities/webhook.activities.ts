import { Context } from '@temporalio/activity';
import type { DeliverDueResult, DeliverDueWebhooksUseCase } from '../src/modules/webhooks/use-cases/deliver-due-webhooks.use-case';
import { asActivity } from './errors';

export interface WebhookActivityDeps {
  deliverDueWebhooks: DeliverDueWebhooksUseCase;
}

/** The webhook-endpoint workflow's side effects: one round of due deliveries per call (heartbeating per attempt). */
export function createWebhookActivities(deps: WebhookActivityDeps) {
  return {
    deliverDueWebhooks(input: { endpointId: string }): Promise<DeliverDueResult> {
      const ctx = Context.current();
      // Heartbeats while requests are in flight too, so a dead worker is noticed within the heartbeat timeout.
      const beat = setInterval(() => ctx.heartbeat(), 5000);
      return asActivity(() => deps.deliverDueWebhooks.execute({ endpointId: input.endpointId, heartbeat: () => ctx.heartbeat() })).finally(() => clearInterval(beat));
    },
  };
}

export type WebhookActivities = ReturnType<typeof createWebhookActivities>;
