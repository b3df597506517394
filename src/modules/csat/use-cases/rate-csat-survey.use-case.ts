import { LockMode } from '@mikro-orm/core';
import { EntityManager } from '@mikro-orm/postgresql';
import { Inject, Injectable } from '@nestjs/common';
import { DomainError } from '../../../common/domain-error';
import { APP_CONFIG, type ServiceConfig } from '../../../config/config';
import { ConversationWorkflows } from '../../../temporal/conversation-workflows';
import { findSentSurvey, type PublicSurvey, publicSurvey } from '../csat-public';
import { applyRating, canStillRate, ratingDeadline } from '../csat-rating';

export interface RateCsatSurveyInput {
  /** The token of the rating link. */
  token: string;
  /** 1-5. */
  rating: number;
  /** Replaces the stored comment; "" removes it; omitted keeps it. */
  comment?: string;
}

/**
 * The customer's rating through the public link: a first rating or a change, both only within
 * the edit window (CSAT_EDIT_WINDOW_DAYS days after the survey was sent).
 */
@Injectable()
export class RateCsatSurveyUseCase {
  constructor(
    private readonly em: EntityManager,
    @Inject(APP_CONFIG) private readonly config: ServiceConfig,
    private readonly workflows: ConversationWorkflows,
  ) {}

  async execute(input: RateCsatSurveyInput): Promise<PublicSurvey> {
    const days = this.config.lifecycle.csatEditWindowDays;
    const rated = await this.em.fork().transactional(async (em) => {
      const survey = await findSentSurvey(em, input.token, LockMode.PESSIMISTIC_WRITE);
      if (!canStillRate(survey, days)) {
        const problem =
          `can no longer be ${survey.rating === null ? 'given' : 'changed'}: ratings are accepted for ${days} days after the survey ` +
          `was sent (${survey.sentAt!.toISOString()}), that is until ${ratingDeadline(survey.sentAt!, days).toISOString()}`;
        throw new DomainError('UNPROCESSABLE', `rating: ${problem}`, [{ field: 'rating', problem }]);
      }
      const comment = input.comment === undefined ? undefined : input.comment.trim() || null;
      await applyRating(em, survey, { rating: input.rating, comment, via: 'link' });
      return { view: publicSurvey(survey, days), conversationId: survey.conversation.id };
    });
    // The conversation's workflow runs the automation rules on the csat_received event.
    await this.workflows.notifyChanged([rated.conversationId], 'CSAT rated through the survey link');
    return rated.view;
  }
}
