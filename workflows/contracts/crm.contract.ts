/**
 * crm-lookup:<connectorId>:<contactId> — one CRM lookup of one contact, started by the worker's
 * CrmLookupDispatcher for each row the triggers queued (contact created, conversation started). The
 * id makes a second start while one runs a no-op.
 */
export const crmLookupWorkflowId = (connectorId: string, contactId: string): string => `crm-lookup:${connectorId}:${contactId}`;

export interface CrmLookupWorkflowInput {
  connectorId: string;
  contactId: string;
  reason: 'contact_created' | 'conversation_started';
}

export type CrmLookupWorkflow = (input: CrmLookupWorkflowInput) => Promise<{ outcome: string }>;
export const crmLookupWorkflowType = 'crmLookupWorkflow';
