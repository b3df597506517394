import * as fs from 'node:fs';
import * as path from 'node:path';
import { bundleWorkflowCode, type Logger } from '@temporalio/worker';
import type { WorkflowBundles } from './worker.factory';
import { QUEUE_WORKFLOWS_PATHS, type TaskQueueName } from './workflows-path';

const noop = () => undefined;

/** The bundle files writeWorkflowBundles writes into `dir`. */
export function workflowBundlesIn(dir: string): WorkflowBundles {
  const bundles = {} as WorkflowBundles;
  for (const queue of Object.keys(QUEUE_WORKFLOWS_PATHS) as TaskQueueName[]) bundles[queue] = path.join(dir, `workflow-bundle.${queue}.js`);
  return bundles;
}

/**
 * Bundles each task queue's workflows once into `dir` (workflow-bundle.<queue>.js), for processes
 * that start many workers (tests, benches, the cluster profile) and for `npm run build` (the image's
 * workers start from them); bundling costs seconds per queue. Errors go to `onError`.
 */
export async function writeWorkflowBundles(dir: string, onError: (message: string) => void = noop): Promise<WorkflowBundles> {
  const logger: Logger = { trace: noop, debug: noop, info: noop, warn: noop, error: (m) => onError(m), log: noop };
  const bundles = {} as WorkflowBundles;
  for (const [queue, workflowsPath] of Object.entries(QUEUE_WORKFLOWS_PATHS) as [TaskQueueName, string][]) {
    const bundle = await bundleWorkflowCode({ workflowsPath, logger });
    bundles[queue] = path.join(dir, `workflow-bundle.${queue}.js`);
    fs.writeFileSync(bundles[queue], bundle.code);
  }
  return bundles;
}
