import type { LockMode } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { DomainError } from '../../common/domain-error';
import { CSAT_SCALE, canStillRate, ratingDeadline } from './csat-rating';
import { CsatSurvey } from './csat-survey.entity';

/** The survey as its public link shows it (nothing about the conversation, agent or account). */
export interface PublicSurvey {
  question: string;
  scale: number;
  rating: number | null;
  comment: string | null;
  ratedAt: string | null;
  sentAt: string;
  /** Whether a rating can still be given or changed. */
  canChange: boolean;
  changeableUntil: string;
}

const TOKEN = /^[A-Za-z0-9_-]{16,128}$/;

/** The sent survey behind a rating link; any other token is 404. */
export async function findSentSurvey(em: EntityManager, token: string, lockMode?: LockMode): Promise<CsatSurvey> {
  const survey = TOKEN.test(token) ? await em.findOne(CsatSurvey, { token }, lockMode ? { lockMode } : {}) : null;
  if (!survey?.sentAt) throw new DomainError('NOT_FOUND', 'this CSAT survey link was not found; check that it was copied completely');
  return survey;
}

export function publicSurvey(survey: CsatSurvey, editWindowDays: number): PublicSurvey {
  return {
    question: survey.question,
    scale: CSAT_SCALE,
    rating: survey.rating,
    comment: survey.comment,
    ratedAt: survey.ratedAt?.toISOString() ?? null,
    sentAt: survey.sentAt!.toISOString(),
    canChange: canStillRate(survey, editWindowDays),
    changeableUntil: ratingDeadline(survey.sentAt!, editWindowDays).toISOString(),
  };
}
