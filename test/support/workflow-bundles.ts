import type { WorkflowBundles } from '../../src/worker/worker.factory';

/** The run's prebuilt workflow bundles, one per task queue (test/setup/global-setup.ts). */
export function testWorkflowBundles(): WorkflowBundles {
  const raw = process.env.TEST_WORKFLOW_BUNDLES;
  if (!raw) throw new Error('TEST_WORKFLOW_BUNDLES is not set: run the tests through jest (its global setup bundles the workflows)');
  return JSON.parse(raw) as WorkflowBundles;
}
