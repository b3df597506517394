/**
 * A Temporal worker in its own process for the benches (started by worker-process.ts), so its
 * memory and CPU are measured apart from the API and the load generator. Runs on plain node from the
 * tree compiled with tsc (compile-tree.ts), or with `node -r ts-node/register/transpile-only`.
 *
 *   BENCH_WORKER_MODE=product  the product workers: WorkerModule + createWorkers, exactly as
 *                              src/worker/worker.ts builds them (config from env through loadConfig), with
 *                              the workflow bundles prebuilt by the parent (BENCH_WORKFLOW_BUNDLES, JSON)
 *   BENCH_WORKER_MODE=noop     a bare worker for noopWorkflow on BENCH_NOOP_TASK_QUEUE (BENCH_WORKFLOW_BUNDLE)
 *
 * Talks to the parent over IPC: sends {type:'ready'}; answers {type:'stats'} with memory and the
 * worker's status; {type:'stop'} drains and exits. It also stops when the parent goes away.
 */
import 'reflect-metadata';
import type { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import { loadConfig, requireServices } from '../../src/config/config';
import { createWorkers, type WorkflowBundles } from '../../src/worker/worker.factory';
import { WorkerModule } from '../../src/worker/worker.module';

export type BenchWorkerRequest = { type: 'stats'; id: number; gc?: boolean } | { type: 'stop' };
export type BenchWorkerReply =
  | { type: 'ready' }
  | {
      type: 'stats';
      id: number;
      memory: NodeJS.MemoryUsage;
      numCachedWorkflows: number;
      maxCachedWorkflows: number;
      numInFlightActivities: number;
      numInFlightWorkflowActivations: number;
    };

async function main(): Promise<void> {
  const mode = process.env.BENCH_WORKER_MODE;
  if (mode !== 'product' && mode !== 'noop') throw new Error('BENCH_WORKER_MODE must be product or noop');
  Runtime.install({ logger: new DefaultLogger('ERROR'), shutdownSignals: [] });
  const config = requireServices(loadConfig());

  // The worker whose status the parent reads: the conversations queue's (product) or the noop one.
  let worker: Worker;
  let connection: NativeConnection;
  let running: Promise<void>;
  let shutdown: () => void;
  let context: INestApplicationContext | undefined;
  if (mode === 'product') {
    if (!process.env.BENCH_WORKFLOW_BUNDLES) throw new Error('BENCH_WORKFLOW_BUNDLES is required');
    context = await NestFactory.createApplicationContext(WorkerModule.forRoot(config), { logger: ['error'], abortOnError: false });
    const product = await createWorkers(context, config, { bundles: JSON.parse(process.env.BENCH_WORKFLOW_BUNDLES) as WorkflowBundles });
    ({ connection, shutdown } = product);
    worker = product.workers.conversations;
    running = product.run();
  } else {
    const bundlePath = process.env.BENCH_WORKFLOW_BUNDLE;
    if (!bundlePath) throw new Error('BENCH_WORKFLOW_BUNDLE is required');
    connection = await NativeConnection.connect({ address: config.temporal.address });
    const noop = await Worker.create({
      connection,
      namespace: config.temporal.namespace,
      taskQueue: process.env.BENCH_NOOP_TASK_QUEUE ?? 'bench-noop',
      workflowBundle: { codePath: bundlePath },
    });
    worker = noop;
    shutdown = () => noop.getState() === 'RUNNING' && noop.shutdown();
    running = noop.run();
  }

  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      shutdown();
      await running.catch((err) => process.stderr.write(`worker: ${(err as Error).message}\n`));
      await connection.close().catch(() => undefined);
      await context?.close();
      process.exit(0);
    })());

  process.on('disconnect', () => void stop());
  process.on('message', (msg: BenchWorkerRequest) => {
    if (msg.type === 'stop') {
      void stop();
      return;
    }
    if (msg.gc) (globalThis as { gc?: () => void }).gc?.();
    const status = worker.getStatus();
    const reply: BenchWorkerReply = {
      type: 'stats',
      id: msg.id,
      memory: process.memoryUsage(),
      numCachedWorkflows: status.numCachedWorkflows,
      maxCachedWorkflows: worker.options.maxCachedWorkflows,
      numInFlightActivities: status.numInFlightActivities,
      numInFlightWorkflowActivations: status.numInFlightWorkflowActivations,
    };
    process.send!(reply);
  });
  running.catch((err) => {
    process.stderr.write(`worker stopped with an error: ${(err as Error).stack ?? err}\n`);
    process.exit(1);
  });
  process.send!({ type: 'ready' } satisfies BenchWorkerReply);
}

main().catch((err) => {
  process.stderr.write(`bench worker failed: ${(err as Error).stack ?? err}\n`);
  process.exit(1);
});
