import type { Client } from '@temporalio/client';

/** How long an API request waits on one Temporal client call (start, signal, query) before it fails. */
export const CLIENT_CALL_DEADLINE_MS = 5000;

/** Runs one Temporal client call under CLIENT_CALL_DEADLINE_MS, so an unreachable server fails the request instead of hanging it. */
export function withClientDeadline<T>(client: Client, call: () => Promise<T>): Promise<T> {
  return client.connection.withDeadline(Date.now() + CLIENT_CALL_DEADLINE_MS, call);
}
