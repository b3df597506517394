import { randomUUID } from 'node:crypto';
import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { DomainError } from '../../../common/domain-error';
import { AccessPolicy } from '../../auth/access-policy';
import type { Actor } from '../../auth/actor';
import { Conversation } from '../../conversations/conversation.entity';
import { DEFAULT_INBOX_SETTINGS } from '../../inboxes/inbox-settings';
import { VariablesService } from '../../variables/variables.service';
import { CsatSurveySender } from '../csat-survey-sender';
import type { CsatSurvey } from '../csat-survey.entity';

export interface SendManualCsatSurveyInput {
  actor: Actor;
  conversationId: string;
  /** The question (with variables); default: the inbox's. */
  question?: string;
}

/**
 * A survey a manager of the inbox (or an administrator) sends by hand, in any status, with the
 * inbox's question or their own. Each one is a new survey (resolution key `manual:<uuid>`).
 */
@Injectable()
export class SendManualCsatSurveyUseCase {
  constructor(
    private readonly em: EntityManager,
    private readonly access: AccessPolicy,
    private readonly variables: VariablesService,
    private readonly sender: CsatSurveySender,
  ) {}

  async execute(input: SendManualCsatSurveyInput): Promise<CsatSurvey> {
    const { actor, conversationId } = input;
    const em = this.em.fork();
    const conversation = await em.findOne(Conversation, { id: conversationId, account: actor.accountId });
    if (!conversation) throw DomainError.notFound('conversation', conversationId);
    const { inbox } = await this.access.requireManager(actor, conversation.inbox.id, 'sending a CSAT survey by hand', em);
    if (input.question !== undefined) await this.variables.assertTemplate(em, actor, 'question', input.question);
    const questionTemplate = input.question ?? inbox.settings.csat?.question ?? DEFAULT_INBOX_SETTINGS.csat.question;
    const outcome = await this.sender.send({
      conversation,
      inbox,
      resolutionKey: `manual:${randomUUID()}`,
      questionTemplate,
      sentBy: { userId: actor.userId, name: actor.name },
    });
    return outcome.survey;
  }
}
