/**
 * webhook-endpoint:<endpointId> — one delivery workflow per webhook endpoint (the endpoint's stream).
 * Started (or woken) by signalWithStart whenever deliveries were enqueued for it, when it is created or
 * enabled, and on redelivery; it ends when the endpoint is disabled or deleted.
 */
import { defineSignal } from '@temporalio/workflow';

export const webhookEndpointWorkflowId = (endpointId: string): string => `webhook-endpoint:${endpointId}`;

export interface WebhookEndpointWorkflowInput {
  endpointId: string;
}

export interface WebhookEndpointWorkflowResult {
  /** Why it stopped: the endpoint was disabled (by an admin, a 410, failing too long) or deleted. */
  stopped: 'disabled' | 'gone';
}

export type WebhookEndpointWorkflow = (input: WebhookEndpointWorkflowInput) => Promise<WebhookEndpointWorkflowResult>;
export const webhookEndpointWorkflowType = 'webhookEndpointWorkflow';

/** New deliveries may be due (no arguments: the workflow asks Postgres what is due). */
export const webhookWakeSignal = defineSignal('webhookWake');
