/** Default task queue names; deployments override them through TEMPORAL_TASK_QUEUE. */
export const CONVERSATIONS_TASK_QUEUE = 'conversations';
/** campaign-run workflows and their activities (TEMPORAL_CAMPAIGN_TASK_QUEUE). */
export const CAMPAIGNS_TASK_QUEUE = 'campaigns';
/** webhook-endpoint workflows and their activities (TEMPORAL_WEBHOOK_TASK_QUEUE). */
export const WEBHOOKS_TASK_QUEUE = 'webhooks';
