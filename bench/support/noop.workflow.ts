/**
 * The ceiling's workflow: it accepts the signal sent with signalWithStart and returns. Bundled on
 * its own (ceiling.ts) and run by a worker on its own task queue, so the figure is
 * what the Temporal server and one worker do for a start + signal + first workflow task, nothing else.
 */
import { defineSignal, setHandler } from '@temporalio/workflow';

export const noopSignal = defineSignal('noop');

export async function noopWorkflow(): Promise<void> {
  setHandler(noopSignal, () => undefined);
}
