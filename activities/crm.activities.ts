import type { RunCrmLookupUseCase } from '../src/modules/crm/use-cases/run-crm-lookup.use-case';
import type { CrmLookupWorkflowInput } from '../workflows/contracts/crm.contract';
import { asActivity } from './errors';

export interface CrmActivityDeps {
  runCrmLookup: RunCrmLookupUseCase;
}

/** The crm-lookup workflow's side effect: one connector's lookup of one contact (and freeing its queue slot). */
export function createCrmActivities(deps: CrmActivityDeps) {
  return {
    runCrmLookup(input: CrmLookupWorkflowInput): Promise<{ outcome: string }> {
      return asActivity(() => deps.runCrmLookup.execute(input));
    },
  };
}

export type CrmActivities = ReturnType<typeof createCrmActivities>;
