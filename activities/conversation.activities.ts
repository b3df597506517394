import { EntityManager } from '@mikro-orm/postgresql';
import type { ConversationSnapshot } from '../workflows/contracts/conversation.contract';
import type { DecisionKind } from '../src/modules/conversations/conversation-decision.entity';
import { recordDecision, type DecisionRecord } from '../src/modules/conversations/decisions';
import type { DescribeConversationUseCase } from '../src/modules/conversations/use-cases/describe-conversation.use-case';
import type { ReplyOutOfOfficeUseCase } from '../src/modules/conversations/use-cases/reply-out-of-office.use-case';
import type { SendWelcomeMessageUseCase } from '../src/modules/conversations/use-cases/send-welcome-message.use-case';
import type { DrainQueueUseCase } from '../src/modules/routing/drain-queue.use-case';
import type { RouteConversationResult, RouteConversationUseCase } from '../src/modules/routing/route-conversation.use-case';
import type { ConversationWorkflows } from '../src/temporal/conversation-workflows';
import { asActivity } from './errors';

/** What the AI agent and CSAT use cases offer the workflow (their modules implement them). */
export interface AiAgentReplyPort {
  execute(input: { conversationId: string; messageId: string }): Promise<{ handedOver: boolean; reason: string; messageId?: string; decision?: DecisionRecord | null }>;
}
export interface SendCsatSurveyPort {
  execute(input: { conversationId: string; resolutionKey: string }): Promise<{ sent: boolean; reason?: string; surveyId?: string; decision?: DecisionRecord | null }>;
}

export interface ConversationActivityDeps {
  em: EntityManager;
  sendWelcomeMessage: SendWelcomeMessageUseCase;
  replyOutOfOffice: ReplyOutOfOfficeUseCase;
  routeConversation: RouteConversationUseCase;
  describeConversation: DescribeConversationUseCase;
  drainQueue: DrainQueueUseCase;
  aiAgentReply: AiAgentReplyPort;
  sendCsatSurvey: SendCsatSurveyPort;
  conversationWorkflows: ConversationWorkflows;
}

/** Thin adapters over the use cases; each use case forks its own EntityManager. */
export function createConversationActivities(deps: ConversationActivityDeps) {
  return {
    sendWelcomeMessage(input: { conversationId: string; triggeredByMessageId: string }) {
      return asActivity(() => deps.sendWelcomeMessage.execute({ conversationId: input.conversationId, triggeredByMessageId: input.triggeredByMessageId }));
    },

    replyOutOfOffice(input: { conversationId: string; messageId: string }) {
      return asActivity(() => deps.replyOutOfOffice.execute(input));
    },

    /** Routes, then reads the conversation back, so the workflow's search attributes follow the decision. */
    routeConversation(input: { conversationId: string; messageId?: string; humansOnly?: boolean }): Promise<RouteConversationResult & { snapshot: ConversationSnapshot }> {
      return asActivity(async () => {
        const routed = await deps.routeConversation.execute(input);
        return { ...routed, snapshot: await deps.describeConversation.execute({ conversationId: input.conversationId }) };
      });
    },

    aiAgentReply(input: { conversationId: string; messageId: string }) {
      return asActivity(() => deps.aiAgentReply.execute(input));
    },

    describeConversation(input: { conversationId: string }) {
      return asActivity(() => deps.describeConversation.execute(input));
    },

    /** A seat was freed in an inbox: assign waiting conversations, and tell their workflows. */
    drainQueue(input: { inboxId: string; trigger: string; except?: string }) {
      return asActivity(async () => {
        const drained = await deps.drainQueue.execute({ inboxId: input.inboxId, trigger: input.trigger });
        const ids = drained.assigned.map((a) => a.conversationId).filter((id) => id !== input.except);
        if (ids.length) await deps.conversationWorkflows.notifyChanged(ids, `assigned from the queue (${input.trigger})`);
        return { assigned: drained.assigned.map((a) => ({ conversationId: a.conversationId, assigneeId: a.assigneeId, summary: a.decision.summary })), stillWaiting: drained.stillWaiting.length };
      });
    },

    sendCsatSurvey(input: { conversationId: string; resolutionKey: string }) {
      return asActivity(() => deps.sendCsatSurvey.execute(input));
    },

    /** A decision the workflow itself took (CSAT scheduled or cancelled), recorded for the timeline. */
    recordDecision(input: { conversationId: string; kind: DecisionKind; summary: string; details?: Record<string, unknown> }) {
      return asActivity(async () => {
        const em = deps.em.fork();
        const exists = await em.execute<{ n: number }[]>(`select 1 as n from conversations where id = ?`, [input.conversationId]);
        return exists.length ? recordDecision(em, input) : null;
      });
    },
  };
}

export type ConversationActivities = ReturnType<typeof createConversationActivities>;
