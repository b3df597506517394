import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { ConfigError, loadConfig, requireServices } from '../config/config';
import { logLevels, sdkLogLevel } from '../config/log-levels';
import { createWorkers } from './worker.factory';
import { workflowBundlesIn } from './workflow-bundles';
import { WorkerModule } from './worker.module';

/**
 * The Temporal worker process: the worker module's Nest context and one Worker per task queue. The
 * workers own SIGINT/SIGTERM (the Runtime's default): they drain, then the Nest context closes its
 * database pool.
 */
async function main(): Promise<void> {
  const config = requireServices(loadConfig());
  Runtime.install({ logger: new DefaultLogger(sdkLogLevel(config.logLevel)), shutdownSignals: ['SIGINT', 'SIGTERM', 'SIGQUIT', 'SIGUSR2'] });
  const app = await NestFactory.createApplicationContext(WorkerModule.forRoot(config), { logger: logLevels(config.logLevel), abortOnError: false });
  // TEMPORAL_WORKFLOW_BUNDLE_DIR: prebuilt bundles (the cluster profile bundles once for all its workers).
  const bundleDir = config.temporal.workflowBundleDir;
  const workers = await createWorkers(app, config, bundleDir ? { bundles: workflowBundlesIn(bundleDir) } : {});
  console.log(`worker polling task queues "${config.temporal.taskQueue}", "${config.temporal.campaignTaskQueue}" and "${config.temporal.webhookTaskQueue}" on ${config.temporal.address}; ${workers.workflowCache.explained}`);
  try {
    await workers.run();
  } finally {
    await workers.close();
    await app.close();
  }
  console.log('worker stopped');
}

main().catch((err) => {
  console.error(err instanceof ConfigError ? err.message : `worker failed: ${(err as Error).stack ?? err}`);
  process.exit(1);
});
