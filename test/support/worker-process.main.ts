/**
 * A Temporal worker in its own process, for tests that kill it (test/support/worker-process.ts).
 * Boots like src/worker/worker.ts — WorkerModule and createWorkers — from the exact configuration of
 * a test stack (CX_TEST_WORKER_CONFIG, JSON) and the run's workflow bundles (TEST_WORKFLOW_BUNDLES),
 * and prints "polling" once the workers run. It installs no signal handlers: tests end it with
 * SIGKILL, like a crash.
 */
import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import type { ServiceConfig } from '../../src/config/config';
import { createWorkers } from '../../src/worker/worker.factory';
import { WorkerModule } from '../../src/worker/worker.module';
import { testWorkflowBundles } from './workflow-bundles';

async function main(): Promise<void> {
  const config = JSON.parse(process.env.CX_TEST_WORKER_CONFIG ?? '') as ServiceConfig;
  Runtime.install({ logger: new DefaultLogger('WARN'), shutdownSignals: [] });
  const app = await NestFactory.createApplicationContext(WorkerModule.forRoot(config), { logger: ['error'], abortOnError: false });
  const workers = await createWorkers(app, config, { bundles: testWorkflowBundles() });
  const run = workers.run();
  process.stdout.write('polling\n');
  await run;
}

main().catch((err) => {
  process.stderr.write(`test worker failed: ${(err as Error).stack ?? err}\n`);
  process.exit(1);
});
