/**
 * A Temporal worker in its own process, for tests that kill it (test/support/worker-process.ts).
 * Boots like src/worker.ts — WorkerModule, createTemporalWorker and createCampaignWorker — from the exact configuration of
 * a test stack (CX_TEST_WORKER_CONFIG, JSON) and the run's workflow bundle (TEST_WORKFLOW_BUNDLE),
 * and prints "polling" once the worker runs. It installs no signal handlers: tests end it with
 * SIGKILL, like a crash.
 */
import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import type { ServiceConfig } from '../../src/config/config';
import { createCampaignWorker, createTemporalWorker } from '../../src/temporal/worker.factory';
import { WorkerModule } from '../../src/worker.module';

async function main(): Promise<void> {
  const config = JSON.parse(process.env.CX_TEST_WORKER_CONFIG ?? '') as ServiceConfig;
  Runtime.install({ logger: new DefaultLogger('WARN'), shutdownSignals: [] });
  const app = await NestFactory.createApplicationContext(WorkerModule.forRoot(config), { logger: ['error'], abortOnError: false });
  const { worker } = await createTemporalWorker(app, config, { workflowBundlePath: process.env.TEST_WORKFLOW_BUNDLE });
  const campaigns = await createCampaignWorker(app, config, { workflowBundlePath: process.env.TEST_WORKFLOW_BUNDLE });
  const run = Promise.all([worker.run(), campaigns.worker.run()]);
  process.stdout.write('polling\n');
  await run;
}

main().catch((err) => {
  process.stderr.write(`test worker failed: ${(err as Error).stack ?? err}\n`);
  process.exit(1);
});
