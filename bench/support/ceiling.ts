/**
 * The ceiling the lifecycle is compared with: bare signalWithStart of a no-op workflow
 * (noop.workflow.ts, its own bundle, worker child process and task queue) against the same
 * Temporal server, N calls with M in flight; then the same with the product's five search
 * attributes. What the Temporal server and one worker do for a start + signal + first workflow
 * task, nothing else.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Client } from '@temporalio/client';
import { bundleWorkflowCode } from '@temporalio/worker';
import { AssigneeId, Channel, ConversationStatus, InboxId, UNASSIGNED, Vip } from '../../workflows/contracts/search-attributes';
import { distribution, round } from './distribution';
import { noopSignal, type noopWorkflow } from './noop.workflow';
import { type CpuProbe, cpuBetween, cpuSecondsOf, cpuSnapshot } from './process-stats';
import { log, sleep } from './run';
import type { BenchStack } from './stack';
import { BenchWorker, type PreparedRuntime } from './worker-process';

export interface CeilingOptions {
  stack: BenchStack;
  client: Client;
  /** The product's service environment; the no-op worker connects with it. */
  env: NodeJS.ProcessEnv;
  runtime: PreparedRuntime;
  /** The run's tag, in workflow ids and the task queue. */
  run: string;
  calls: number;
  concurrency: number;
  /** CPU measured around the calls; the no-op worker's own is added to the bare run's. */
  probes: CpuProbe[];
}

export async function measureCeiling(opts: CeilingOptions) {
  const { client, calls, concurrency, probes, run } = opts;
  const taskQueue = `bench-noop-${run}`;
  log(`ceiling: ${calls} bare signalWithStart calls of a no-op workflow, ${concurrency} in flight`);
  const bundle = await bundleNoopWorkflow(opts.stack.tmp);
  const worker = await BenchWorker.start('noop-worker', { ...opts.env, BENCH_WORKER_MODE: 'noop', BENCH_WORKFLOW_BUNDLE: bundle, BENCH_NOOP_TASK_QUEUE: taskQueue }, opts.runtime);
  opts.stack.defer('noop worker', () => worker.stop());
  const withNoopWorker = [...probes, { label: 'noopWorker', seconds: () => cpuSecondsOf(worker.pid) }];

  await signalWithStartBatch(client, taskQueue, `noop-warmup-${run}`, Math.min(200, calls), concurrency, false);
  await waitNoneRunning(client, taskQueue, Date.now(), 30_000);
  let cpu0 = cpuSnapshot(withNoopWorker);
  const bareStarted = Date.now();
  const bare = await signalWithStartBatch(client, taskQueue, `noop-${run}`, calls, concurrency, false);
  const bareCpu = cpuBetween(cpu0, cpuSnapshot(withNoopWorker));
  const bareAllClosed = await waitNoneRunning(client, taskQueue, bareStarted, 120_000);
  log(`  bare: ${bare.perSecond}/s (call p50 ${bare.callMs.p50} ms, p99 ${bare.callMs.p99} ms), all ${calls} closed after ${bareAllClosed} s`);

  cpu0 = cpuSnapshot(probes);
  const withAttrs = await signalWithStartBatch(client, taskQueue, `noop-sa-${run}`, calls, concurrency, true);
  const withAttrsCpu = cpuBetween(cpu0, cpuSnapshot(probes));
  await waitNoneRunning(client, taskQueue, Date.now(), 60_000);
  log(`  with the product's 5 search attributes: ${withAttrs.perSecond}/s`);
  await worker.stop();
  return { bare, bareAllClosed, bareCpu, withAttrs, withAttrsCpu };
}

async function bundleNoopWorkflow(dir: string): Promise<string> {
  const quiet = () => undefined;
  const logger = { trace: quiet, debug: quiet, info: quiet, warn: quiet, error: (m: string) => log(m), log: quiet };
  const file = path.join(dir, 'noop-workflow.js');
  fs.writeFileSync(file, (await bundleWorkflowCode({ workflowsPath: require.resolve('./noop.workflow'), logger })).code);
  return file;
}

async function signalWithStartBatch(client: Client, taskQueue: string, prefix: string, calls: number, concurrency: number, withSearchAttributes: boolean) {
  let next = 0;
  const latencies: number[] = [];
  let errors = 0;
  let firstError: string | undefined;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < calls) {
        const i = next++;
        const t = performance.now();
        try {
          await client.workflow.signalWithStart<typeof noopWorkflow, []>('noopWorkflow', {
            workflowId: `${prefix}-${i}`,
            taskQueue,
            signal: noopSignal,
            signalArgs: [],
            ...(withSearchAttributes
              ? {
                  typedSearchAttributes: [
                    { key: InboxId, value: prefix },
                    { key: ConversationStatus, value: 'new' },
                    { key: AssigneeId, value: UNASSIGNED },
                    { key: Channel, value: 'api' },
                    { key: Vip, value: false },
                  ],
                }
              : {}),
          });
          latencies.push(performance.now() - t);
        } catch (err) {
          errors += 1;
          firstError ??= (err as Error).message;
        }
      }
    }),
  );
  const seconds = (performance.now() - t0) / 1000;
  return { calls, concurrency, seconds: round(seconds, 2), perSecond: round(calls / seconds), callMs: distribution(latencies), errors, firstError };
}

/** Seconds until no workflow of this task queue is still running (visibility), or null if it cannot be counted. */
async function waitNoneRunning(client: Client, taskQueue: string, since: number, timeoutMs: number): Promise<number | null> {
  const deadline = Date.now() + timeoutMs;
  try {
    for (;;) {
      const { count } = await client.workflow.count(`TaskQueue = '${taskQueue}' AND ExecutionStatus = 'Running'`);
      if (count === 0) return round((Date.now() - since) / 1000, 2);
      if (Date.now() > deadline) return null;
      await sleep(100);
    }
  } catch (err) {
    log(`  counting running noop workflows failed: ${(err as Error).message}`);
    return null;
  }
}
