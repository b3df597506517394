import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { logLevels } from './app.factory';
import { ConfigError, loadConfig, requireServices } from './config/config';
import { createCampaignWorker, createTemporalWorker } from './temporal/worker.factory';
import { WorkerModule } from './worker.module';

/**
 * The Temporal worker in its own Nest application context. The worker owns SIGINT/SIGTERM (the
 * Runtime's default): it drains, then the Nest context closes its database pool.
 */
async function main(): Promise<void> {
  const config = requireServices(loadConfig());
  const sdkLevel = ({ error: 'ERROR', warn: 'WARN', log: 'INFO', debug: 'DEBUG', verbose: 'TRACE' } as const)[config.logLevel];
  Runtime.install({ logger: new DefaultLogger(sdkLevel), shutdownSignals: ['SIGINT', 'SIGTERM', 'SIGQUIT', 'SIGUSR2'] });
  const app = await NestFactory.createApplicationContext(WorkerModule.forRoot(config), { logger: logLevels(config.logLevel), abortOnError: false });
  const { worker, connection } = await createTemporalWorker(app, config);
  const campaigns = await createCampaignWorker(app, config).catch(async (err: unknown) => {
    await connection.close();
    throw err;
  });
  console.log(`worker polling task queues "${config.temporal.taskQueue}" and "${config.temporal.campaignTaskQueue}" on ${config.temporal.address}`);
  try {
    // Both drain on the shutdown signals the Runtime handles; one failing stops the other.
    await Promise.all([worker.run(), campaigns.worker.run()].map((run) => run.catch((err: unknown) => {
      if (worker.getState() === 'RUNNING') worker.shutdown();
      if (campaigns.worker.getState() === 'RUNNING') campaigns.worker.shutdown();
      throw err;
    })));
  } finally {
    await connection.close();
    await campaigns.connection.close();
    await app.close();
  }
  console.log('worker stopped');
}

main().catch((err) => {
  console.error(err instanceof ConfigError ? err.message : `worker failed: ${(err as Error).stack ?? err}`);
  process.exit(1);
});
