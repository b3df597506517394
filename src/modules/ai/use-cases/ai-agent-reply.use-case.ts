import { LockMode } from '@mikro-orm/core';
import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { DomainError } from '../../../common/domain-error';
import { Conversation } from '../../conversations/conversation.entity';
import type { DecisionKind } from '../../conversations/conversation-decision.entity';
import { type DecisionRecord, recordDecision } from '../../conversations/decision-log';
import { Message } from '../../conversations/message.entity';
import { SystemMessages } from '../../conversations/system-messages';
import { Inbox } from '../../inboxes/inbox.entity';
import { asksForHuman } from '../human-request';
import { type ChatMessage, OpenAiClient, OpenAiError } from '../openai.client';

export interface AiAgentReplyInput {
  conversationId: string;
  /** The inbound message to answer. */
  messageId: string;
}

export interface AiAgentReplyResult {
  /** True: the conversation's handler is now 'human'; the caller routes it to human agents. */
  handedOver: boolean;
  /** Why, in words (also in the decision). */
  reason: string;
  /** The AI agent's answer, when it answered. */
  messageId?: string;
  /**
   * Always present: what was decided about this inbound message ('ai_agent': answered or did nothing;
   * 'handover'). A repeated call for the same message returns the decision recorded the first time.
   */
  decision: DecisionRecord;
}

/** How many of the latest messages (up to the one answered) the model sees. */
export const AI_AGENT_HISTORY = 20;
/** Longer messages are cut to this many characters in the prompt. */
const MAX_PROMPT_MESSAGE_CHARS = 4000;

export const AI_AGENT_REASONS = {
  answered: 'the AI agent answered',
  humanRequested: 'the customer asked for a human',
  notConfigured: 'the AI agent is not configured (OPENAI_API_KEY is missing)',
  couldNotAnswer: 'the AI agent could not answer',
  failed: (error: string) => `the AI agent failed: ${error}`,
  handledByHumans: 'the conversation is handled by human agents',
  closed: (status: string) => `the conversation is ${status}`,
} as const;

export function aiAgentSystemPrompt(inboxName: string): string {
  return (
    `You are the customer support assistant of the inbox "${inboxName}". ` +
    "Answer the customer's last message helpfully, briefly and in the customer's language. " +
    'If you cannot answer confidently, or the customer wants to talk to a human, reply with exactly HANDOVER and nothing else.'
  );
}

type Outcome = 'answered' | 'handed_over' | 'skipped';

/** What the decision's details carry, so a repeated call can answer from it. */
interface OutcomeDetails {
  outcome: Outcome;
  inboundMessageId: string;
  reason: string;
  answerMessageId?: string;
  [key: string]: unknown;
}

/**
 * The AI agent answers one inbound message of a conversation it handles (handler 'ai'), or hands the
 * conversation over to humans: when the customer asks for a person, when no API key is configured,
 * when the model says HANDOVER, or when the call fails or times out. Handing over sets the handler
 * to 'human' and records a 'handover' decision in one transaction; the caller then routes.
 *
 * Idempotent per inbound message: the answer is stored under `ai:<messageId>` before it is sent
 * (SystemMessages), and every outcome is a decision whose details name the inbound message, so a
 * retried activity returns the first outcome without asking the model again.
 * A conversation no longer handled by the AI agent, resolved or spam, is left alone: the result says
 * so and an 'ai_agent' decision records that nothing was done (the result always has a decision).
 */
@Injectable()
export class AiAgentReplyUseCase {
  constructor(
    private readonly em: EntityManager,
    private readonly systemMessages: SystemMessages,
    private readonly openai: OpenAiClient,
  ) {}

  async execute(input: AiAgentReplyInput): Promise<AiAgentReplyResult> {
    const em = this.em.fork();
    const conversation = await em.findOne(Conversation, { id: input.conversationId });
    if (!conversation) throw DomainError.notFound('conversation', input.conversationId);
    const inbound = await em.findOne(Message, { id: input.messageId, conversation: conversation.id });
    if (!inbound) throw DomainError.notFound('message', input.messageId);

    const prior = await this.priorOutcome(em, conversation.id, inbound.id);
    if (prior) return prior;

    const answerKey = `ai:${inbound.id}`;
    const stored = await em.findOne(Message, { idempotencyKey: answerKey });
    if (stored) {
      // Answered before a crash, the decision not yet written: finish without asking the model again.
      const sent = await this.systemMessages.send({ conversationId: conversation.id, content: stored.content, idempotencyKey: answerKey, senderType: 'ai' });
      return this.answered(em, conversation.id, inbound.id, sent.messageId, { summary: `AI agent answered (model ${this.openai.model}, answer stored earlier)` });
    }

    const skip = this.skipReason(conversation);
    if (skip) return this.skipped(em, conversation, inbound.id, skip);

    if (asksForHuman(inbound.content)) return this.handOver(conversation.id, inbound.id, AI_AGENT_REASONS.humanRequested);
    if (!this.openai.isConfigured()) return this.handOver(conversation.id, inbound.id, AI_AGENT_REASONS.notConfigured);

    const inbox = await em.findOneOrFail(Inbox, { id: conversation.inbox.id });
    const history = await em.find(
      Message,
      // Private notes are for colleagues: never in the model's prompt, so never in an answer to the customer.
      { conversation: conversation.id, id: { $lte: inbound.id }, direction: { $ne: 'internal' } },
      { orderBy: { id: 'desc' }, limit: AI_AGENT_HISTORY },
    );
    const prompt: ChatMessage[] = [
      { role: 'system', content: aiAgentSystemPrompt(inbox.name) },
      ...history.reverse().map((m): ChatMessage => ({
        role: m.direction === 'inbound' ? 'user' : 'assistant',
        content: m.content.slice(0, MAX_PROMPT_MESSAGE_CHARS),
      })),
    ];

    const model = this.openai.model;
    const started = Date.now();
    let answer: string;
    try {
      answer = await this.openai.complete(prompt, { temperature: 0.2, maxTokens: 500 });
    } catch (err) {
      if (!(err instanceof OpenAiError)) throw err;
      return this.handOver(conversation.id, inbound.id, AI_AGENT_REASONS.failed(err.reason), { model, durationMs: Date.now() - started, error: err.kind });
    }
    const durationMs = Date.now() - started;
    if (/^\W*HANDOVER\W*$/i.test(answer)) {
      return this.handOver(conversation.id, inbound.id, AI_AGENT_REASONS.couldNotAnswer, { model, durationMs });
    }

    // The call may have taken a while: an agent may have taken over or closed it meanwhile.
    const now = await this.em.fork().findOneOrFail(Conversation, { id: conversation.id });
    const skipNow = this.skipReason(now);
    if (skipNow) return this.skipped(em, now, inbound.id, `${skipNow}; the answer was not sent`);

    const sent = await this.systemMessages.send({ conversationId: conversation.id, content: answer, idempotencyKey: answerKey, senderType: 'ai' });
    if (!sent.sent) {
      const concurrent = await this.priorOutcome(em, conversation.id, inbound.id);
      if (concurrent) return concurrent;
    }
    return this.answered(em, conversation.id, inbound.id, sent.messageId, {
      summary: `AI agent answered (model ${model}, ${durationMs} ms)`,
      model,
      durationMs,
    });
  }

  private skipReason(conversation: Conversation): string | undefined {
    if (conversation.status === 'resolved' || conversation.status === 'spam') return AI_AGENT_REASONS.closed(conversation.status);
    if (conversation.handler !== 'ai') return AI_AGENT_REASONS.handledByHumans;
    return undefined;
  }

  private async answered(
    em: EntityManager,
    conversationId: string,
    inboundMessageId: string,
    answerMessageId: string,
    info: { summary: string; model?: string; durationMs?: number },
  ): Promise<AiAgentReplyResult> {
    const details: OutcomeDetails = { outcome: 'answered', inboundMessageId, reason: AI_AGENT_REASONS.answered, answerMessageId, model: info.model ?? this.openai.model };
    if (info.durationMs !== undefined) details.durationMs = info.durationMs;
    const decision = await recordDecision(em, { conversationId, kind: 'ai_agent', summary: info.summary, details });
    return { handedOver: false, reason: AI_AGENT_REASONS.answered, messageId: answerMessageId, decision };
  }

  private async skipped(em: EntityManager, conversation: Conversation, inboundMessageId: string, reason: string): Promise<AiAgentReplyResult> {
    const details: OutcomeDetails = { outcome: 'skipped', inboundMessageId, reason, handler: conversation.handler, status: conversation.status };
    const decision = await recordDecision(em, { conversationId: conversation.id, kind: 'ai_agent', summary: `AI agent did nothing: ${reason}`, details });
    return { handedOver: false, reason, decision };
  }

  /** Handler 'human' and the 'handover' decision, in one transaction under the conversation's row lock. */
  private handOver(conversationId: string, inboundMessageId: string, reason: string, facts: Record<string, unknown> = {}): Promise<AiAgentReplyResult> {
    return this.em.fork().transactional(async (em) => {
      const conversation = await em.findOneOrFail(Conversation, { id: conversationId }, { lockMode: LockMode.PESSIMISTIC_WRITE });
      if (conversation.handler !== 'ai') {
        return this.skipped(em, conversation, inboundMessageId, `${AI_AGENT_REASONS.handledByHumans} (wanted to hand over: ${reason})`);
      }
      conversation.handler = 'human';
      await em.flush();
      const details: OutcomeDetails = { outcome: 'handed_over', inboundMessageId, reason, ...facts };
      const decision = await recordDecision(em, { conversationId, kind: 'handover', summary: `Handed over to human agents: ${reason}`, details });
      return { handedOver: true, reason, decision };
    });
  }

  /** The outcome recorded for this inbound message, if any (a retry or a concurrent call). */
  private async priorOutcome(em: EntityManager, conversationId: string, inboundMessageId: string): Promise<AiAgentReplyResult | undefined> {
    const kinds: DecisionKind[] = ['ai_agent', 'handover'];
    const rows = await em.execute<{ id: string; kind: DecisionKind; summary: string; details: OutcomeDetails; created_at: Date }[]>(
      `select id, kind, summary, details, created_at from conversation_decisions
       where conversation_id = ? and kind in (?) and details->>'inboundMessageId' = ?
       order by id desc limit 1`,
      [conversationId, kinds, inboundMessageId],
    );
    const row = rows[0];
    if (!row) return undefined;
    const decision: DecisionRecord = {
      id: String(row.id),
      conversationId,
      kind: row.kind,
      summary: row.summary,
      details: row.details,
      at: new Date(row.created_at).toISOString(),
    };
    const result: AiAgentReplyResult = { handedOver: row.details.outcome === 'handed_over', reason: row.details.reason, decision };
    if (row.details.answerMessageId) result.messageId = row.details.answerMessageId;
    return result;
  }
}
