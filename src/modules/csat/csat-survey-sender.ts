import { randomBytes, randomUUID } from 'node:crypto';
import { LockMode } from '@mikro-orm/core';
import { EntityManager } from '@mikro-orm/postgresql';
import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, type ServiceConfig } from '../../config/config';
import type { Conversation } from '../conversations/conversation.entity';
import { recordDecision, type DecisionRecord } from '../conversations/decision-log';
import { SystemMessages } from '../conversations/system-messages';
import type { Inbox } from '../inboxes/inbox.entity';
import { User } from '../users/user.entity';
import { VariablesService } from '../variables/variables.service';
import { CSAT_SCALE } from './csat-rating';
import { CsatSurvey } from './csat-survey.entity';

export interface SurveyToSend {
  conversation: Conversation;
  inbox: Inbox;
  /** The resolution's resolvedAt in ISO form, or `manual:<uuid>` for a survey sent by hand. */
  resolutionKey: string;
  /** The question before variables are rendered. */
  questionTemplate: string;
  /** The manager who sent it by hand (null: the system, after a resolution). */
  sentBy?: { userId: string; name: string } | null;
}

export interface SurveySendOutcome {
  survey: CsatSurvey;
  /** False when this resolution's survey had already been sent (nothing sent this time). */
  sent: boolean;
  decision?: DecisionRecord;
}

/** The public rating link of a survey. */
export function surveyUrl(config: ServiceConfig, token: string): string {
  return `${config.publicUrl.replace(/\/+$/, '')}/api/v1/csat/${token}`;
}

/** Whether the question already tells the customer to answer with a number from 1 to 5. */
const mentionsScale = (question: string) => /\b1\b[\s\S]*\b5\b/.test(question);

/**
 * Sends one survey per (conversation, resolution key): the row is taken with `on conflict do
 * nothing` and committed before the message goes out, then locked while the message is sent
 * (under the idempotency key `csat:<surveyId>`) and sentAt is set, so concurrent or retried calls
 * send it once.
 */
@Injectable()
export class CsatSurveySender {
  constructor(
    private readonly em: EntityManager,
    private readonly messages: SystemMessages,
    private readonly variables: VariablesService,
    @Inject(APP_CONFIG) private readonly config: ServiceConfig,
  ) {}

  async send(input: SurveyToSend): Promise<SurveySendOutcome> {
    const { conversation, inbox, resolutionKey } = input;
    const em = this.em.fork();
    const existing = await em.findOne(CsatSurvey, { conversation: conversation.id, resolutionKey });
    if (existing?.sentAt) return { survey: existing, sent: false };

    if (!existing) {
      const accountId = conversation.account.id;
      const question = await this.variables.renderFor(em, { accountId, contactId: conversation.contact.id }, input.questionTemplate);
      await em.execute(
        `insert into csat_surveys (id, conversation_id, account_id, inbox_id, agent_id, resolution_key, token, question, created_at)
         values (?, ?, ?, ?, ?, ?, ?, ?, clock_timestamp())
         on conflict (conversation_id, resolution_key) do nothing`,
        [randomUUID(), conversation.id, accountId, inbox.id, conversation.assigneeId, resolutionKey, randomBytes(24).toString('base64url'), question],
      );
    }

    return em.fork().transactional(async (tx) => {
      const survey = await tx.findOneOrFail(CsatSurvey, { conversation: conversation.id, resolutionKey }, { lockMode: LockMode.PESSIMISTIC_WRITE });
      if (survey.sentAt) return { survey, sent: false };
      const sent = await this.messages.send({
        conversationId: conversation.id,
        content: this.text(survey),
        idempotencyKey: `csat:${survey.id}`,
        senderType: 'system',
      });
      survey.sentAt = new Date();
      survey.messageId = sent.messageId;
      const agent = survey.agentId ? await tx.findOne(User, { id: survey.agentId }, { fields: ['name'] }) : null;
      const forAgent = survey.agentId ? `agent ${agent?.name ?? 'unknown'} ${survey.agentId}` : 'no agent assigned';
      const summary = input.sentBy
        ? `CSAT survey sent by hand by ${input.sentBy.name} (${forAgent})`
        : `CSAT survey sent for the resolution at ${resolutionKey} (${forAgent})`;
      const decision = await recordDecision(tx, {
        conversationId: conversation.id,
        kind: 'csat_sent',
        summary,
        details: { surveyId: survey.id, resolutionKey, agentId: survey.agentId, messageId: sent.messageId, inboxId: survey.inboxId },
        actorUserId: input.sentBy?.userId ?? null,
      });
      return { survey, sent: true, decision };
    });
  }

  /** The survey message: the question, then how to answer, ending with the rating link. */
  private text(survey: CsatSurvey): string {
    const how = mentionsScale(survey.question) ? 'Or rate us here:' : `Reply with a number from 1 (poor) to ${CSAT_SCALE} (excellent), or rate us here:`;
    return `${survey.question}\n\n${how} ${surveyUrl(this.config, survey.token)}`;
  }
}
