import { ApplicationFailure } from '@temporalio/common';
import { DomainError } from '../src/common/domain-error';

/** Codes that no retry can fix become non-retryable failures; the rest are retried by Temporal. */
const PERMANENT = new Set(['VALIDATION_FAILED', 'NOT_FOUND', 'FORBIDDEN', 'UNPROCESSABLE', 'CONFLICT']);

export async function asActivity<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof DomainError && PERMANENT.has(err.code)) {
      throw ApplicationFailure.create({ type: 'DomainError', message: err.message, nonRetryable: true, details: [err.code] });
    }
    throw err;
  }
}
