/**
 * webhook-endpoint:<endpointId> — delivers one endpoint's webhooks.
 *
 * One workflow per endpoint stream rather than one per message: a stream can keep each conversation's
 * messages in sequence order (a conversation's next message waits until the one before it was
 * delivered or gave up), it sends many messages per activity (the fan-out benchmark needs hundreds
 * per second, which one workflow per message on one Temporal shard could not start), and the number
 * of running workflows is the number of endpoints, not of messages in retry. The schedule itself
 * lives in Postgres (each delivery's next_attempt_at, drawn from the Standard Webhooks schedule with
 * jitter by the activity); the workflow owns the time: it sleeps in a durable timer until the
 * earliest next attempt or until a wake signal says new deliveries were enqueued, then runs the
 * deliverDueWebhooks activity again. A worker that dies between attempts loses nothing: the timer
 * fires on the next worker; one that dies during an attempt leaves the delivery claimed for one
 * attempt budget, after which it is due again (the receiver may see that message twice: receivers
 * dedupe by webhook-id, as the specification says).
 */
import { allHandlersFinished, condition, continueAsNew, proxyActivities, setHandler, workflowInfo } from '@temporalio/workflow';
import type { WebhookActivities } from '../../activities/webhook.activities';
import { type WebhookEndpointWorkflow, webhookWakeSignal } from '../contracts/webhook.contract';

/** Rounds (activity calls) per run before continue-as-new: bounds the history. */
const ROUNDS_PER_RUN = 400;
/** With nothing pending it still looks every so often (a backstop for a lost wake-up). */
const IDLE_MS = 10 * 60_000;

export const webhookEndpointWorkflow: WebhookEndpointWorkflow = async (input) => {
  let woken = false;
  setHandler(webhookWakeSignal, () => {
    woken = true;
  });
  const { deliverDueWebhooks } = proxyActivities<WebhookActivities>({
    startToCloseTimeout: '10 minutes',
    // The activity heartbeats every 5 s: a worker that died mid-round is noticed after this, and the round is retried.
    heartbeatTimeout: '20 seconds',
    retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '30 seconds', nonRetryableErrorTypes: ['DomainError'] },
  });

  for (let rounds = 1; ; rounds++) {
    woken = false;
    const round = await deliverDueWebhooks({ endpointId: input.endpointId });
    if (round.state !== 'active') return { stopped: round.state };
    if (rounds >= ROUNDS_PER_RUN || workflowInfo().continueAsNewSuggested) {
      await condition(allHandlersFinished);
      await continueAsNew<WebhookEndpointWorkflow>(input);
    }
    if (round.more) continue;
    await condition(() => woken, round.nextDueInMs === null ? IDLE_MS : Math.max(1, round.nextDueInMs));
  }
};
