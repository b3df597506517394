/**
 * How many workflows each task queue's Worker keeps cached, from the worker process's memory budget
 * (WORKER_MEMORY_BUDGET_MB). Temporal's default sizes every Worker's cache from the V8 heap limit
 * (thousands of workflows per Worker on this machine), so RSS grows with every open conversation:
 * 5,000 open conversations cost about 1 GB. A cached workflow is a sandbox context plus its state;
 * one that is pushed out is replayed from its history on its next task (slower, never wrong).
 *
 * The budget less what an idle worker process holds (its code, Nest, the bundles: measured, a
 * constant, so a worker inside a test process gets the same sizes) and a reserve for activities and
 * V8's growth is divided by the measured cost of one cached workflow. Conversations get most of it;
 * campaign runs and webhook streams are few and long-lived.
 */
import type { TaskQueueName } from './workflows-path';

/** RSS one cached conversation workflow adds (measured with bench:lifecycle; see the README). */
export const CACHED_WORKFLOW_MB = 0.15;
/** RSS of an idle worker process with its three Workers created (measured with bench:lifecycle). */
export const IDLE_WORKER_MB = 320;
/** Room left for activities in flight, connection buffers and V8 heap growth. */
export const RESERVE_MB = 80;
const MIN_CACHED = 50;

export interface WorkflowCacheSizes {
  sizes: Record<TaskQueueName, number>;
  /** In words, for the worker's start log. */
  explained: string;
}

export function workflowCacheSizes(opts: { budgetMb: number; override?: number }): WorkflowCacheSizes {
  const room = Math.max(0, opts.budgetMb - IDLE_WORKER_MB - RESERVE_MB);
  const total = Math.floor(room / CACHED_WORKFLOW_MB);
  const small = Math.max(MIN_CACHED, Math.floor(total * 0.05));
  const conversations = opts.override ?? Math.max(MIN_CACHED, total - 2 * small);
  const sizes: Record<TaskQueueName, number> = { conversations, campaigns: small, webhooks: small };
  const explained =
    opts.override !== undefined
      ? `workflow cache: ${conversations} conversations (WORKER_MAX_CACHED_WORKFLOWS), ${small} campaigns, ${small} webhooks`
      : `workflow cache: ${conversations} conversations, ${small} campaigns, ${small} webhooks (WORKER_MEMORY_BUDGET_MB ${opts.budgetMb} - ${IDLE_WORKER_MB} MB idle - ${RESERVE_MB} MB reserve, ${CACHED_WORKFLOW_MB} MB each)`;
  return { sizes, explained };
}
