import { LockMode } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, type ServiceConfig } from '../../config/config';
import type { Conversation } from '../conversations/conversation.entity';
import { applyRating, canStillRate, parseRatingReply } from './csat-rating';
import { CsatSurvey } from './csat-survey.entity';

/**
 * Ratings given by replying on the conversation's channel ("4 thanks!"). Called inside the inbound
 * message transaction while the conversation is resolved: a reply that is a rating answers the
 * newest survey (still within the edit window) and leaves the conversation resolved.
 */
@Injectable()
export class CsatReplies {
  constructor(@Inject(APP_CONFIG) private readonly config: ServiceConfig) {}

  /** True when the reply was stored as the rating of the conversation's newest survey. */
  async tryRecordFromReply(em: EntityManager, conversation: Conversation, content: string): Promise<boolean> {
    const parsed = parseRatingReply(content);
    if (!parsed) return false;
    const survey = await em.findOne(
      CsatSurvey,
      { conversation: conversation.id },
      { orderBy: { createdAt: 'desc', id: 'desc' }, lockMode: LockMode.PESSIMISTIC_WRITE },
    );
    if (!survey || !canStillRate(survey, this.config.lifecycle.csatEditWindowDays)) return false;
    await applyRating(em, survey, { rating: parsed.rating, ...(parsed.comment !== null ? { comment: parsed.comment } : {}), via: 'reply' });
    return true;
  }
}
