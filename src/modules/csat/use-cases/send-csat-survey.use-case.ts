import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { Conversation } from '../../conversations/conversation.entity';
import type { DecisionRecord } from '../../conversations/decision-log';
import { CsatSurveySender } from '../csat-survey-sender';

export interface SendCsatSurveyInput {
  conversationId: string;
  /** The resolution the survey is for: the conversation's resolvedAt in ISO form when it was resolved. */
  resolutionKey: string;
}

export interface SendCsatSurveyResult {
  sent: boolean;
  /** Why nothing was sent. */
  reason?: string;
  surveyId?: string;
  decision?: DecisionRecord;
}

/**
 * The survey after a resolution (run by the conversation workflow once the inbox's CSAT delay has
 * passed): sent only while the conversation is still resolved by that same resolution and CSAT is
 * on for its inbox, and at most once per resolution. The agent is whoever held it at that time.
 */
@Injectable()
export class SendCsatSurveyUseCase {
  constructor(
    private readonly em: EntityManager,
    private readonly sender: CsatSurveySender,
  ) {}

  async execute(input: SendCsatSurveyInput): Promise<SendCsatSurveyResult> {
    const em = this.em.fork();
    const conversation = await em.findOne(Conversation, { id: input.conversationId }, { populate: ['inbox'] });
    if (!conversation) return { sent: false, reason: `conversation ${input.conversationId} no longer exists` };
    if (conversation.status !== 'resolved') {
      return { sent: false, reason: `the conversation is ${conversation.status} now, no longer resolved` };
    }
    const resolvedAt = conversation.resolvedAt?.toISOString() ?? null;
    if (resolvedAt !== input.resolutionKey) {
      return {
        sent: false,
        reason: `the conversation was resolved again at ${resolvedAt ?? 'an unknown time'}; this survey was for the resolution at ${input.resolutionKey}`,
      };
    }
    const inbox = conversation.inbox.getEntity();
    const csat = inbox.settings.csat;
    if (!csat?.enabled) return { sent: false, reason: `CSAT is turned off for inbox "${inbox.name}"` };

    const outcome = await this.sender.send({ conversation, inbox, resolutionKey: input.resolutionKey, questionTemplate: csat.question });
    if (!outcome.sent) return { sent: false, reason: 'already sent', surveyId: outcome.survey.id };
    return { sent: true, surveyId: outcome.survey.id, decision: outcome.decision };
  }
}
