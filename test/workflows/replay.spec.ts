/**
 * Replay safety: every recorded history in test/workflows/histories/ (real runs of the conversation,
 * agent-presence, campaign-run, mailbox and webhook-endpoint workflows, recorded by
 * record-histories.spec.ts) must replay on today's workflow code without a determinism error. These stand for the workflows running in
 * production when the next version deploys: a change that reorders, adds or removes a command
 * (activity, timer, child, continue-as-new...) of a running workflow fails here, and must go behind
 * `patched()` (see the README, "Changing workflow code").
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DefaultLogger, Runtime, Worker } from '@temporalio/worker';
import type { TaskQueueName } from '../../src/worker/workflows-path';
import { testWorkflowBundles } from '../support/workflow-bundles';

const HISTORIES_DIR = path.join(__dirname, 'histories');

interface RecordedHistory {
  file: string;
  workflowType: string;
  history: { events: { eventType: string; workflowExecutionStartedEventAttributes?: { workflowType: { name: string } } }[] };
}

/** Which task queue's bundle runs each workflow type. */
const QUEUE_OF: Record<string, TaskQueueName> = {
  conversationWorkflow: 'conversations',
  agentPresenceWorkflow: 'conversations',
  mailboxWorkflow: 'conversations',
  campaignRunWorkflow: 'campaigns',
  webhookEndpointWorkflow: 'webhooks',
};

const recorded: RecordedHistory[] = fs
  .readdirSync(HISTORIES_DIR)
  .filter((f) => f.endsWith('.json'))
  .sort()
  .map((file) => {
    const history = JSON.parse(fs.readFileSync(path.join(HISTORIES_DIR, file), 'utf8')) as RecordedHistory['history'];
    const workflowType = history.events[0]?.workflowExecutionStartedEventAttributes?.workflowType.name ?? '?';
    return { file, workflowType, history };
  });

beforeAll(() => {
  Runtime.install({ logger: new DefaultLogger('ERROR'), shutdownSignals: [] });
});

test('the fixtures cover every workflow, each with a continue-as-new and a timer', () => {
  const has = (type: string, event: string) => recorded.some((r) => r.workflowType === type && r.history.events.some((e) => e.eventType === event));
  for (const type of Object.keys(QUEUE_OF)) {
    expect({ type, continueAsNew: has(type, 'EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW') }).toEqual({ type, continueAsNew: true });
  }
  // Timers: the CSAT delay, the auto-unassign grace, the campaign's schedule, a webhook's next attempt.
  for (const type of ['conversationWorkflow', 'agentPresenceWorkflow', 'campaignRunWorkflow', 'webhookEndpointWorkflow']) {
    expect({ type, timer: has(type, 'EVENT_TYPE_TIMER_STARTED') }).toEqual({ type, timer: true });
  }
  expect(recorded.every((r) => r.workflowType in QUEUE_OF)).toBe(true);
});

test.each(Object.entries(QUEUE_OF))('recorded %s histories replay on today\'s code', async (workflowType, queue) => {
  const histories = recorded.filter((r) => r.workflowType === workflowType);
  expect(histories.length).toBeGreaterThan(0);
  const results: { file: string; error: string | null }[] = [];
  const replays = Worker.runReplayHistories(
    { workflowBundle: { codePath: testWorkflowBundles()[queue] } },
    histories.map((h) => ({ workflowId: h.file, history: h.history })),
  );
  for await (const result of replays) {
    results.push({ file: result.workflowId, error: result.error ? `${result.error.name}: ${result.error.message}` : null });
  }
  expect(results).toEqual(histories.map((h) => ({ file: h.file, error: null })));
}, 120_000);
