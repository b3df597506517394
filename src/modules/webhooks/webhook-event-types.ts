/** The event types an endpoint may subscribe to (an empty filter: all of them). */
export const WEBHOOK_EVENT_TYPES = [
  'conversation.created',
  'conversation.status_changed',
  'conversation.assigned',
  'conversation.unassigned',
  'message.created',
  'csat.received',
  'contact.created',
  'contact.updated',
  'contact.deleted',
  'campaign.started',
  'campaign.completed',
  'rule.fired',
] as const;
export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number];

/** Sent by "send test event" to one endpoint whatever its filter. */
export const WEBHOOK_TEST_EVENT = 'webhook.test';
