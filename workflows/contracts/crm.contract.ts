/**
 * crm-lookup:<connectorId>:<contactId>[:<queueId>] — one CRM lookup of one contact, started by the
 * worker's CrmLookupDispatcher for each row of crm_lookup_queue it claimed (contact created,
 * conversation started) when the connector had a free slot. The id makes a second start of the same
 * row while it runs a no-op; the activity removes the row when the lookup is done.
 */
export const crmLookupWorkflowId = (connectorId: string, contactId: string, queueId?: string): string =>
  `crm-lookup:${connectorId}:${contactId}${queueId ? `:${queueId}` : ''}`;

export interface CrmLookupWorkflowInput {
  connectorId: string;
  contactId: string;
  reason: 'contact_created' | 'conversation_started';
  /** The crm_lookup_queue row (absent in workflows started before lookups were throttled). */
  queueId?: string;
}

export type CrmLookupWorkflow = (input: CrmLookupWorkflowInput) => Promise<{ outcome: string }>;
export const crmLookupWorkflowType = 'crmLookupWorkflow';
