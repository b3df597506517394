/**
 * Errors that mean "the database could not be reached", not "the statement was wrong": a connection
 * refused or reset, a backend ended by the server (`pg_terminate_backend`, a shutdown, a restart), a
 * connection that cannot be had from the pool in time. The HTTP filter answers them 503
 * DATABASE_UNAVAILABLE with Retry-After (the pool makes new connections by itself once PostgreSQL
 * answers again); activities let Temporal retry them (they are not DomainErrors).
 *
 * A transaction cut this way is rolled back by PostgreSQL, unless the connection died after COMMIT
 * reached it: then it is complete. Never half-written.
 *
 * knex's "Transaction query already complete": when a transaction's own statement (BEGIN on a pooled
 * connection the server has just ended, COMMIT, SAVEPOINT) fails, knex marks the transaction done and
 * every later statement of MikroORM's callback fails with that message instead of the connection's error.
 * Our code never runs statements on a finished transaction otherwise (MikroORM's transactional() ends
 * it after the callback), so it is taken as the connection lost.
 */

/** PostgreSQL SQLSTATEs of a lost or refused connection (classes 08 and 57P, 53300 too many connections). */
const UNAVAILABLE_SQLSTATES = /^(08\d{3}|08P01|57P0[1-4]|53300)$/;
/** Node's socket errors on the way to the server. */
const SOCKET_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN', 'ENOTFOUND']);
/** node-postgres and knex say it in words only. */
const UNAVAILABLE_MESSAGES = [
  /Connection terminated/i,
  /connection error and is not queryable/i,
  /Timeout acquiring a connection/i,
  /terminating connection due to administrator command/i,
  /the database system is (shutting down|starting up|in recovery mode|not yet accepting connections)/i,
  /server closed the connection unexpectedly/i,
  /connect ECONNREFUSED/i,
  /read ECONNRESET/i,
  /^Transaction query already complete/,
];

/** Why the database was unreachable, in a few words; undefined when `error` is not about reaching it. */
export function databaseUnavailableCause(error: unknown): string | undefined {
  const seen = new Set<unknown>();
  let current: unknown = error;
  while (current && typeof current === 'object' && !seen.has(current)) {
    seen.add(current);
    const e = current as { code?: unknown; message?: unknown; name?: unknown; cause?: unknown; original?: unknown; previous?: unknown };
    const code = typeof e.code === 'string' ? e.code : undefined;
    const message = typeof e.message === 'string' ? e.message : '';
    if (code && UNAVAILABLE_SQLSTATES.test(code)) {
      if (code === '57P01') return 'connection terminated by the server';
      if (code === '57P03') return 'the database is starting up or shutting down';
      if (code === '53300') return 'too many connections';
      return `connection lost (SQLSTATE ${code})`;
    }
    if (code && SOCKET_CODES.has(code)) return code === 'ECONNREFUSED' ? 'connection refused' : `connection failed (${code})`;
    if (e.name === 'KnexTimeoutError') return 'no connection from the pool in time';
    const matched = UNAVAILABLE_MESSAGES.find((re) => re.test(message));
    if (matched) {
      if (/refused/i.test(message)) return 'connection refused';
      if (/terminat|closed/i.test(message)) return 'connection terminated';
      if (/acquiring/i.test(message)) return 'no connection from the pool in time';
      if (/already complete/.test(message)) return "the transaction's connection was lost";
      if (/starting up|shutting down|recovery|not yet/i.test(message)) return 'the database is starting up or shutting down';
      return 'connection failed';
    }
    current = e.cause ?? e.original ?? e.previous;
  }
  return undefined;
}

/** Retry-After (seconds) of a 503 DATABASE_UNAVAILABLE: the pool reconnects at the next request. */
export const DATABASE_RETRY_AFTER_SECONDS = 2;
