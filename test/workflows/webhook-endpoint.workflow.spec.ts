/**
 * webhook-endpoint:<id> on the real dev server with a mocked delivery activity: it sleeps until the
 * next attempt the activity names, a wake signal cuts an idle wait short, a full batch runs the next
 * round at once, and it ends when the endpoint is disabled.
 */
import { randomUUID } from 'node:crypto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { type WebhookEndpointWorkflow, webhookEndpointWorkflowId, webhookEndpointWorkflowType, webhookWakeSignal } from '../../workflows/contracts/webhook.contract';
import { recordingActivities, sleep, until, withWorker, workflowEnv } from './workflow-env';

type Round = { state: 'active' | 'disabled' | 'gone'; more: boolean; nextDueInMs: number | null; attempted: number; succeeded: number };
const round = (r: Partial<Round>): Round => ({ state: 'active', more: false, nextDueInMs: null, attempted: 0, succeeded: 0, ...r });

describe('webhook-endpoint workflow', () => {
  let env: TestWorkflowEnvironment;
  beforeAll(async () => {
    env = await workflowEnv();
  });
  afterAll(async () => {
    await env?.teardown();
  });

  test('sleeps until the next attempt, runs full batches back to back, wakes on a signal, ends when disabled', async () => {
    const script: Round[] = [round({ more: true }), round({ nextDueInMs: 700 }), round({}), round({ state: 'disabled' })];
    const { activities, named } = recordingActivities({ deliverDueWebhooks: () => script.shift() ?? round({ state: 'gone' }) });
    const endpointId = randomUUID();
    await withWorker(env, 'webhooks', activities, async (taskQueue) => {
      const handle = await env.client.workflow.signalWithStart<WebhookEndpointWorkflow>(webhookEndpointWorkflowType, {
        workflowId: webhookEndpointWorkflowId(endpointId),
        taskQueue,
        args: [{ endpointId }],
        signal: webhookWakeSignal,
        signalArgs: [],
      });
      await until(() => (named('deliverDueWebhooks').length >= 3 ? true : undefined), 10_000, 'three rounds');
      const [a, b, c] = named('deliverDueWebhooks');
      expect(b.at - a.at).toBeLessThan(500); // a full batch: the next round at once
      expect(c.at - b.at).toBeGreaterThanOrEqual(650); // the timer until the next attempt
      await sleep(800);
      expect(named('deliverDueWebhooks')).toHaveLength(3); // idle: waits (10 min) until woken
      await handle.signal(webhookWakeSignal);
      expect(await handle.result()).toEqual({ stopped: 'disabled' });
      expect(named('deliverDueWebhooks')).toHaveLength(4);
      expect(named('deliverDueWebhooks')[0].input).toEqual({ endpointId });
    });
  }, 30_000);
});
