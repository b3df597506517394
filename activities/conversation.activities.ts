import type { SendWelcomeMessageUseCase } from '../src/modules/conversations/use-cases/send-welcome-message.use-case';
import { asActivity } from './errors';

export interface ConversationActivityDeps {
  sendWelcomeMessage: SendWelcomeMessageUseCase;
}

/** Thin adapters over the conversation use cases; each use case forks its own EntityManager. */
export function createConversationActivities(deps: ConversationActivityDeps) {
  return {
    sendWelcomeMessage(input: { conversationId: string; triggeredByMessageId: string }) {
      return asActivity(() => deps.sendWelcomeMessage.execute({ conversationId: input.conversationId }));
    },
  };
}

export type ConversationActivities = ReturnType<typeof createConversationActivities>;
