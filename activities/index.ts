import { ConversationActivityDeps, createConversationActivities } from './conversation.activities';

export type ActivityDeps = ConversationActivityDeps;

/** Every activity the worker registers, built from the use cases of the worker's Nest context. */
export function createActivities(deps: ActivityDeps) {
  return {
    ...createConversationActivities(deps),
  };
}

export type Activities = ReturnType<typeof createActivities>;
