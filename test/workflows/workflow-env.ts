/**
 * Workflow tests on the real Temporal dev server with mocked activities: the workflow code is the
 * product's (the run's prebuilt bundles), the activities are plain functions that record their calls
 * and answer what the test says. Each test gets its own task queue.
 */
import { randomUUID } from 'node:crypto';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { DefaultLogger, Runtime, Worker } from '@temporalio/worker';
import type { TaskQueueName } from '../../src/worker/workflows-path';
import { testWorkflowBundles } from '../support/workflow-bundles';

let runtimeInstalled = false;

/** A TestWorkflowEnvironment on the run's dev server (or on `address`, e.g. a dev server with other dynamic config). */
export async function workflowEnv(address = process.env.TEMPORAL_ADDRESS): Promise<TestWorkflowEnvironment> {
  if (!address) throw new Error('TEMPORAL_ADDRESS is not set: run through jest (its global setup starts the dev server)');
  if (!runtimeInstalled) {
    Runtime.install({ logger: new DefaultLogger('ERROR'), shutdownSignals: [] });
    runtimeInstalled = true;
  }
  return TestWorkflowEnvironment.createFromExistingServer({ address, namespace: 'default' });
}

/** One recorded activity call. */
export interface Call<T = unknown> {
  name: string;
  input: T;
  /** Epoch ms when the call came in. */
  at: number;
}

/**
 * Activities that record every call in `calls` and answer through `impl` (a missing activity throws,
 * so a test notices a step it did not expect).
 */
export function recordingActivities(impl: Record<string, (input: never) => unknown>) {
  const calls: Call[] = [];
  const activities = Object.fromEntries(
    Object.entries(impl).map(([name, fn]) => [
      name,
      async (input: never) => {
        calls.push({ name, input, at: Date.now() });
        return fn(input);
      },
    ]),
  );
  const named = <T = Record<string, unknown>>(name: string) => calls.filter((c) => c.name === name) as Call<T>[];
  return { activities, calls, named };
}

/** A worker on a new task queue running `queue`'s workflow bundle with the given activities; stopped by `run`'s end. */
export async function withWorker<T>(
  env: TestWorkflowEnvironment,
  queue: TaskQueueName,
  activities: object,
  run: (taskQueue: string) => Promise<T>,
): Promise<T> {
  const taskQueue = `wf-test-${queue}-${randomUUID()}`;
  const worker = await Worker.create({
    connection: env.nativeConnection,
    namespace: env.namespace ?? 'default',
    taskQueue,
    workflowBundle: { codePath: testWorkflowBundles()[queue] },
    activities,
    // A short sticky timeout, as the product's worker sets it (TEMPORAL_STICKY_TIMEOUT_MS).
    stickyQueueScheduleToStartTimeout: 500,
  });
  return worker.runUntil(() => run(taskQueue));
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls until `probe` returns something other than undefined (or throws after `timeoutMs`). */
export async function until<T>(probe: () => T | undefined | Promise<T | undefined>, timeoutMs = 10_000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(50);
  }
}
