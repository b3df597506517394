import type { EntityManager } from '@mikro-orm/postgresql';
import { recordConversationEvent } from '../conversations/conversation-events';
import { recordDecision, type DecisionRecord } from '../conversations/decision-log';
import type { CsatSurvey } from './csat-survey.entity';

export const CSAT_SCALE = 5;
export const CSAT_COMMENT_MAX = 2000;

export type RatingChannel = 'link' | 'reply';

export interface ParsedRating {
  rating: number;
  /** The rest of the reply after the number and its separator; null when there is none. */
  comment: string | null;
}

/**
 * A reply that answers the survey: a single digit 1-5 at the start, alone or followed by a
 * separator (space, "-", ":", ",", ".", "!", ")", "/") and an optional comment:
 * "5", "4 thanks!", "3 - ok", "2: slow". "10", "4.5", "5/5" or "hello" are not ratings.
 */
export function parseRatingReply(content: string): ParsedRating | null {
  const text = content.trim();
  const match = /^([1-5])(?![\d])(?:$|[\s\-–—:,.!)/;]+([\s\S]*)$)/.exec(text);
  if (!match) return null;
  const rest = match[2] ?? '';
  // "4.5" or "3,5" are decimals and "5/5" a fraction, not a rating followed by a comment.
  if (/^[.,/]\d/.test(text.slice(1))) return null;
  const comment = rest.trim().slice(0, CSAT_COMMENT_MAX);
  return { rating: Number(match[1]), comment: comment || null };
}

/** The last moment the survey's rating may be given or changed. */
export function ratingDeadline(sentAt: Date, editWindowDays: number): Date {
  return new Date(sentAt.getTime() + editWindowDays * 86_400_000);
}

export function canStillRate(survey: Pick<CsatSurvey, 'sentAt'>, editWindowDays: number, now = new Date()): boolean {
  return survey.sentAt !== null && now.getTime() <= ratingDeadline(survey.sentAt, editWindowDays).getTime();
}

/**
 * Stores a rating (and the comment, when one is given: undefined keeps the stored one) on a
 * survey loaded in the caller's transaction, and records the `csat_rated` decision and the
 * `csat_received` event there.
 */
export async function applyRating(
  em: EntityManager,
  survey: CsatSurvey,
  input: { rating: number; comment?: string | null; via: RatingChannel },
): Promise<DecisionRecord> {
  const previous = survey.rating;
  survey.rating = input.rating;
  if (input.comment !== undefined) survey.comment = input.comment;
  survey.ratedAt = new Date();
  const via = input.via === 'link' ? 'the survey link' : 'a reply';
  const summary =
    previous === null
      ? `The customer rated ${input.rating}/${CSAT_SCALE} via ${via}`
      : `The customer changed the CSAT rating from ${previous} to ${input.rating}/${CSAT_SCALE} via ${via}`;
  await recordConversationEvent(em, {
    conversationId: survey.conversation.id,
    type: 'csat_received',
    data: { surveyId: survey.id, rating: input.rating, previousRating: previous, via: input.via },
  });
  return recordDecision(em, {
    conversationId: survey.conversation.id,
    kind: 'csat_rated',
    summary,
    details: {
      surveyId: survey.id,
      rating: input.rating,
      previousRating: previous,
      comment: survey.comment,
      via: input.via,
      agentId: survey.agentId,
      resolutionKey: survey.resolutionKey,
    },
  });
}
