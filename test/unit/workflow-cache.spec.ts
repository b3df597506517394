/** The workflow caches' sizes follow the worker's memory budget (src/worker/workflow-cache.ts). */
import { CACHED_WORKFLOW_MB, IDLE_WORKER_MB, RESERVE_MB, workflowCacheSizes } from '../../src/worker/workflow-cache';

describe('workflow cache sizes', () => {
  test('the budget less the idle worker and the reserve, divided by one cached workflow, conversations taking most', () => {
    const { sizes } = workflowCacheSizes({ budgetMb: 480 });
    const total = Math.floor((480 - IDLE_WORKER_MB - RESERVE_MB) / CACHED_WORKFLOW_MB);
    expect(sizes.conversations + sizes.campaigns + sizes.webhooks).toBe(total);
    expect(sizes.conversations).toBeGreaterThan(sizes.campaigns * 5);
    // What the caches can hold stays within the budget.
    expect(IDLE_WORKER_MB + RESERVE_MB + total * CACHED_WORKFLOW_MB).toBeLessThanOrEqual(480);
  });

  test('a larger budget caches proportionally more; a tiny one still keeps a floor per queue', () => {
    expect(workflowCacheSizes({ budgetMb: 2000 }).sizes.conversations).toBeGreaterThan(workflowCacheSizes({ budgetMb: 480 }).sizes.conversations * 5);
    expect(workflowCacheSizes({ budgetMb: 128 }).sizes).toEqual({ conversations: 50, campaigns: 50, webhooks: 50 });
  });

  test('WORKER_MAX_CACHED_WORKFLOWS overrides the conversations cache and says so', () => {
    const c = workflowCacheSizes({ budgetMb: 480, override: 3000 });
    expect(c.sizes.conversations).toBe(3000);
    expect(c.explained).toContain('WORKER_MAX_CACHED_WORKFLOWS');
  });
});
