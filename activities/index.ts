import { CampaignActivityDeps, createCampaignActivities } from './campaign.activities';
import { ConversationActivityDeps, createConversationActivities } from './conversation.activities';
import { createMailboxActivities, MailboxActivityDeps } from './mailbox.activities';
import { createPresenceActivities, PresenceActivityDeps } from './presence.activities';
import { CrmActivityDeps, createCrmActivities } from './crm.activities';
import { createWebhookActivities, WebhookActivityDeps } from './webhook.activities';

export type ConversationQueueActivityDeps = ConversationActivityDeps & PresenceActivityDeps & MailboxActivityDeps;

/** The activities of the conversations task queue: conversation, agent-presence and mailbox workflows. */
export function createConversationQueueActivities(deps: ConversationQueueActivityDeps) {
  return {
    ...createConversationActivities(deps),
    ...createPresenceActivities(deps),
    ...createMailboxActivities(deps),
  };
}

/** The activities of the campaigns task queue: campaign-run workflows. */
export function createCampaignQueueActivities(deps: CampaignActivityDeps) {
  return createCampaignActivities(deps);
}

/** The activities of the webhooks task queue (integrations): webhook-endpoint delivery and CRM lookup workflows. */
export function createWebhookQueueActivities(deps: WebhookActivityDeps & CrmActivityDeps) {
  return { ...createWebhookActivities(deps), ...createCrmActivities(deps) };
}
