import * as path from 'node:path';

/** The bundle entries, next to this file's compiled or source tree (dist/workflows or workflows). */
const entry = (name: string) => require.resolve(path.join(__dirname, '..', '..', 'workflows', name));

/** Each task queue's worker bundles only the workflows that queue runs. */
export const QUEUE_WORKFLOWS_PATHS = {
  conversations: entry('queues/conversations'),
  campaigns: entry('queues/campaigns'),
  webhooks: entry('queues/webhooks'),
} as const;

export type TaskQueueName = keyof typeof QUEUE_WORKFLOWS_PATHS;

/** Every workflow in one entry: the replay tests and the bundle check. */
export const ALL_WORKFLOWS_PATH = entry('index');
