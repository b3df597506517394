import type { RunAutomationInput, RunAutomationUseCase } from '../src/modules/automation/use-cases/run-automation.use-case';
import type { DecisionRecord } from '../src/modules/conversations/decision-log';
import type { DescribeConversationUseCase } from '../src/modules/conversations/use-cases/describe-conversation.use-case';
import type { RecordWorkflowDecisionInput, RecordWorkflowDecisionUseCase } from '../src/modules/conversations/use-cases/record-workflow-decision.use-case';
import type { ReplyOutOfOfficeUseCase } from '../src/modules/conversations/use-cases/reply-out-of-office.use-case';
import type { SendWelcomeMessageUseCase } from '../src/modules/conversations/use-cases/send-welcome-message.use-case';
import type { DrainQueueUseCase } from '../src/modules/routing/use-cases/drain-queue.use-case';
import type { RouteConversationInput, RouteConversationUseCase } from '../src/modules/routing/use-cases/route-conversation.use-case';
import { asActivity } from './errors';

/** What the AI agent and CSAT use cases offer the workflow (their modules implement them). */
export interface AiAgentReplyPort {
  execute(input: { conversationId: string; messageId: string }): Promise<{ handedOver: boolean; reason: string; messageId?: string; decision?: DecisionRecord | null }>;
}
export interface SendCsatSurveyPort {
  execute(input: { conversationId: string; resolutionKey: string }): Promise<{ sent: boolean; reason?: string; surveyId?: string; decision?: DecisionRecord | null }>;
}

export interface ConversationActivityDeps {
  sendWelcomeMessage: SendWelcomeMessageUseCase;
  replyOutOfOffice: ReplyOutOfOfficeUseCase;
  routeConversation: RouteConversationUseCase;
  describeConversation: DescribeConversationUseCase;
  drainQueue: DrainQueueUseCase;
  aiAgentReply: AiAgentReplyPort;
  sendCsatSurvey: SendCsatSurveyPort;
  recordWorkflowDecision: RecordWorkflowDecisionUseCase;
  runAutomation: RunAutomationUseCase;
}

/** Thin adapters over the use cases; each use case forks its own EntityManager. */
export function createConversationActivities(deps: ConversationActivityDeps) {
  return {
    sendWelcomeMessage(input: { conversationId: string; triggeredByMessageId: string }) {
      return asActivity(() => deps.sendWelcomeMessage.execute(input));
    },

    replyOutOfOffice(input: { conversationId: string; messageId: string }) {
      return asActivity(() => deps.replyOutOfOffice.execute(input));
    },

    /**
     * The automatic steps of one inbound message in one activity (one marker in the history, one
     * activation of the workflow instead of three): the welcome message when `welcome` (the
     * conversation has had none yet), the out-of-office reply, then routing. Each step is idempotent
     * as on its own, so a retry after a failed step repeats nothing that was sent. The welcome's
     * statement also reads the inbox's business-hours switch, which the out-of-office step uses.
     */
    inboundSteps(input: { conversationId: string; messageId: string; welcome: boolean }) {
      return asActivity(async () => {
        const welcome = input.welcome ? await deps.sendWelcomeMessage.execute({ conversationId: input.conversationId, triggeredByMessageId: input.messageId }) : null;
        const outOfOffice = await deps.replyOutOfOffice.execute(
          { conversationId: input.conversationId, messageId: input.messageId },
          welcome?.businessHoursEnabled !== undefined ? { businessHoursEnabled: welcome.businessHoursEnabled } : undefined,
        );
        const routed = await deps.routeConversation.execute({ conversationId: input.conversationId, messageId: input.messageId });
        return { welcome, outOfOffice, routed };
      });
    },

    /** Routes, and answers with the conversation as routing left it (the workflow's search attributes follow it). */
    routeConversation(input: RouteConversationInput) {
      return asActivity(() => deps.routeConversation.execute(input));
    },

    aiAgentReply(input: { conversationId: string; messageId: string }) {
      return asActivity(() => deps.aiAgentReply.execute(input));
    },

    describeConversation(input: { conversationId: string }) {
      return asActivity(() => deps.describeConversation.execute(input));
    },

    /** A seat was freed in an inbox: the queue pass assigns waiting conversations and tells their workflows (not `except`'s). */
    drainQueue(input: { inboxId: string; trigger: string; except?: string }) {
      return asActivity(async () => {
        const drained = await deps.drainQueue.execute(input);
        return { assigned: drained.assigned.map((a) => ({ conversationId: a.conversationId, assigneeId: a.assigneeId, summary: a.decision.summary })), stillWaiting: drained.stillWaiting.length };
      });
    },

    sendCsatSurvey(input: { conversationId: string; resolutionKey: string }) {
      return asActivity(() => deps.sendCsatSurvey.execute(input));
    },

    /** The automation rules over the conversation's new events and due timers; answers when the next timer is due. */
    runAutomation(input: RunAutomationInput) {
      return asActivity(() => deps.runAutomation.execute(input));
    },

    /** A decision the workflow itself took (CSAT scheduled or cancelled), recorded for the timeline. */
    recordDecision(input: RecordWorkflowDecisionInput) {
      return asActivity(() => deps.recordWorkflowDecision.execute(input));
    },
  };
}

export type ConversationActivities = ReturnType<typeof createConversationActivities>;
