/**
 * conversation:<id> — one workflow per conversation. Started or signalled (signalWithStart)
 * on every inbound message; owns the order in which the conversation's automatic steps run.
 *
 * Today: the welcome message, sent at most once per conversation. The activity behind it is
 * idempotent in Postgres as well, so a retried activity or a racing start cannot send twice.
 */
import {
  allHandlersFinished,
  condition,
  continueAsNew,
  proxyActivities,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import type { ConversationActivities } from '../../activities/conversation.activities';
import {
  conversationStateQuery,
  ConversationWorkflowInput,
  ConversationWorkflowState,
  inboundMessageSignal,
} from '../contracts/conversation.contract';

const activities = proxyActivities<ConversationActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '500 ms', maximumInterval: '10 seconds', nonRetryableErrorTypes: ['DomainError'] },
});

export async function conversationWorkflow(input: ConversationWorkflowInput): Promise<void> {
  const state: ConversationWorkflowState = input.state ?? { welcomeHandled: false, inboundHandled: 0 };
  const pending: string[] = [];

  setHandler(inboundMessageSignal, ({ messageId }) => {
    pending.push(messageId);
  });
  setHandler(conversationStateQuery, () => ({ ...state }));

  for (;;) {
    await condition(() => pending.length > 0 || workflowInfo().continueAsNewSuggested);
    while (pending.length > 0) {
      const messageId = pending.shift()!;
      if (!state.welcomeHandled) {
        await activities.sendWelcomeMessage({ conversationId: input.conversationId, triggeredByMessageId: messageId });
        state.welcomeHandled = true;
      }
      state.inboundHandled += 1;
      state.lastInboundMessageId = messageId;
    }
    if (workflowInfo().continueAsNewSuggested) {
      await condition(allHandlersFinished);
      // Signals that arrived while waiting are handled by the next run: hand them over as messages to replay.
      if (pending.length > 0) continue;
      await continueAsNew<typeof conversationWorkflow>({ ...input, state });
    }
  }
}
