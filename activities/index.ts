import { CampaignActivityDeps, createCampaignActivities } from './campaign.activities';
import { ConversationActivityDeps, createConversationActivities } from './conversation.activities';
import { createMailboxActivities, MailboxActivityDeps } from './mailbox.activities';
import { createPresenceActivities, PresenceActivityDeps } from './presence.activities';

export type ActivityDeps = ConversationActivityDeps & PresenceActivityDeps & MailboxActivityDeps & CampaignActivityDeps;

/** Every activity the worker registers, built from the use cases of the worker's Nest context. */
export function createActivities(deps: ActivityDeps) {
  return {
    ...createConversationActivities(deps),
    ...createPresenceActivities(deps),
    ...createMailboxActivities(deps),
    ...createCampaignActivities(deps),
  };
}

export type Activities = ReturnType<typeof createActivities>;
