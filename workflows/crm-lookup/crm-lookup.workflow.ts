/**
 * crm-lookup:<connectorId>:<contactId> — runs the runCrmLookup activity once. The CRM's own failures
 * (timeout, 5xx, malformed JSON) are an outcome recorded in the contact's call log, not an error; the
 * activity is retried only when it could not run (database, worker).
 */
import { proxyActivities } from '@temporalio/workflow';
import type { CrmActivities } from '../../activities/crm.activities';
import type { CrmLookupWorkflow } from '../contracts/crm.contract';

const { runCrmLookup } = proxyActivities<CrmActivities>({
  startToCloseTimeout: '2 minutes',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '30 seconds', maximumAttempts: 5, nonRetryableErrorTypes: ['DomainError'] },
});

export const crmLookupWorkflow: CrmLookupWorkflow = async (input) => runCrmLookup(input);
