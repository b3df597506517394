import type { INestApplicationContext } from '@nestjs/common';
import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import { createActivities } from '../../activities';
import type { ServiceConfig } from '../config/config';
import { WORKFLOWS_PATH } from './workflows-path';
import { SendWelcomeMessageUseCase } from '../modules/conversations/use-cases/send-welcome-message.use-case';


export interface CreatedWorker {
  worker: Worker;
  connection: NativeConnection;
}

/**
 * Builds the Temporal worker for a Nest application context. `workflowBundlePath` reuses a bundle
 * made once (tests); otherwise the workflows are bundled from WORKFLOWS_PATH at start.
 */
export async function createTemporalWorker(
  app: INestApplicationContext,
  config: ServiceConfig,
  extra: { workflowBundlePath?: string; options?: Partial<WorkerOptions> } = {},
): Promise<CreatedWorker> {
  const connection = await NativeConnection.connect({ address: config.temporal.address });
  const activities = createActivities({ sendWelcomeMessage: app.get(SendWelcomeMessageUseCase) });
  const worker = await Worker.create({
    connection,
    namespace: config.temporal.namespace,
    taskQueue: config.temporal.taskQueue,
    ...(extra.workflowBundlePath ? { workflowBundle: { codePath: extra.workflowBundlePath } } : { workflowsPath: WORKFLOWS_PATH }),
    activities,
    ...extra.options,
  });
  return { worker, connection };
}
