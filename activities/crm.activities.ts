import type { RunCrmLookupUseCase } from '../src/modules/crm/use-cases/run-crm-lookup.use-case';
import { asActivity } from './errors';

export interface CrmActivityDeps {
  runCrmLookup: RunCrmLookupUseCase;
}

/** The crm-lookup workflow's side effect: one connector's lookup of one contact. */
export function createCrmActivities(deps: CrmActivityDeps) {
  return {
    runCrmLookup(input: { connectorId: string; contactId: string; reason: 'contact_created' | 'conversation_started' }): Promise<{ outcome: string }> {
      return asActivity(() => deps.runCrmLookup.execute(input));
    },
  };
}

export type CrmActivities = ReturnType<typeof createCrmActivities>;
