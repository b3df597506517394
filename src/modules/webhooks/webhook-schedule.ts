/**
 * The retry schedule and the reading of an answer (pure decision code, unit-tested).
 *
 * Schedule (Standard Webhooks / Svix): the first attempt at once, then 5 s, 5 min, 30 min, 2 h, 5 h,
 * 10 h, 14 h, 20 h and 24 h after the previous attempt; each delay is scaled by WEBHOOK_RETRY_SCALE
 * (tests run it in milliseconds) and jittered by up to ±20 % so many deliveries that failed together do
 * not retry together. After the last attempt failed, the delivery is failed (it can be redelivered).
 */
export const RETRY_DELAYS_MS = [5_000, 300_000, 1_800_000, 7_200_000, 18_000_000, 36_000_000, 50_400_000, 72_000_000, 86_400_000];
export const MAX_ATTEMPTS = RETRY_DELAYS_MS.length + 1;
const JITTER = 0.2;
/** A Retry-After longer than the schedule's longest delay is capped there. */
const MAX_RETRY_AFTER_MS = 86_400_000;

/** The delay before the next attempt after `attemptsMade` attempts (null: none left). */
export function nextDelayMs(attemptsMade: number, scale: number, random: () => number = Math.random): number | null {
  if (attemptsMade < 1 || attemptsMade >= MAX_ATTEMPTS) return null;
  const base = RETRY_DELAYS_MS[attemptsMade - 1] * scale;
  return Math.max(0, Math.round(base * (1 + JITTER * (2 * random() - 1))));
}

/** Retry-After as seconds or an HTTP date, in ms from `now`; null when absent or unreadable. */
export function parseRetryAfter(value: string | null | undefined, now: number): number | null {
  if (!value) return null;
  const v = value.trim();
  if (/^\d+$/.test(v)) return Math.min(Number(v) * 1000, MAX_RETRY_AFTER_MS);
  const at = Date.parse(v);
  if (Number.isNaN(at)) return null;
  return Math.min(Math.max(0, at - now), MAX_RETRY_AFTER_MS);
}

export type AttemptVerdict =
  /** 2xx */
  | { kind: 'success' }
  /** 410 Gone: the receiver asks us to stop; the endpoint is disabled. */
  | { kind: 'gone' }
  /** anything else: retry on the schedule (or after Retry-After on 429/503). */
  | { kind: 'retry'; retryAfterMs: number | null; error: string };

/** What an HTTP answer means (status null: no answer — timeout, refused address, connection error). */
export function judgeAttempt(status: number | null, retryAfter: string | null, now: number, transportError?: string): AttemptVerdict {
  if (status === null) return { kind: 'retry', retryAfterMs: null, error: transportError ?? 'no answer' };
  if (status >= 200 && status < 300) return { kind: 'success' };
  if (status === 410) return { kind: 'gone' };
  const retryAfterMs = status === 429 || status === 503 ? parseRetryAfter(retryAfter, now) : null;
  const what = status >= 300 && status < 400 ? 'a redirect (3xx counts as a failure; redirects are not followed)' : status >= 500 ? 'a server error' : 'a client error';
  return { kind: 'retry', retryAfterMs, error: `HTTP ${status}: ${what}` };
}
