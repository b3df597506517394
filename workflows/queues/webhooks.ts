/** Bundle entry of the webhooks task queue (TEMPORAL_WEBHOOK_TASK_QUEUE): the workflows its worker runs. */
export { webhookEndpointWorkflow } from '../webhook-delivery/webhook-endpoint.workflow';
export { crmLookupWorkflow } from '../crm-lookup/crm-lookup.workflow';
