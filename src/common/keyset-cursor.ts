import { DomainError } from './domain-error';

/**
 * Keyset cursors: the sort time in microseconds since the epoch (exact, unlike a JS Date) and the id.
 * SQL: select cursorKeySql('c.created_at'); compare the column with cursorTimeSql (one binding: the micros).
 */
export const cursorKeySql = (column: string) => `(extract(epoch from ${column}) * 1000000)::bigint::text`;
export const cursorTimeSql = `(timestamptz 'epoch' + ?::bigint * interval '1 microsecond')`;

/**
 * The times a cursor may carry: 0001-01-01 to 9999-12-31 UTC in microseconds. Everything stored lies
 * in between; beyond it PostgreSQL's bigint, interval or timestamp arithmetic in cursorTimeSql fails
 * (a 500) instead of finding nothing.
 */
const MIN_MICROS = -62_135_596_800_000_000n;
const MAX_MICROS = 253_402_300_799_999_999n;

export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function encodeCursor(micros: string, id: string): string {
  return Buffer.from(JSON.stringify([micros, id])).toString('base64url');
}

/**
 * Reads a cursor back. A client may send anything, so every part is checked for its type and the
 * range the SQL can take: a well-formed but foreign value is the same 400 as garbage.
 */
export function decodeCursor(cursor: string): { createdAt: string; id: string } {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (
      Array.isArray(parsed) &&
      parsed.length === 2 &&
      typeof parsed[0] === 'string' &&
      /^-?\d{1,19}$/.test(parsed[0]) &&
      BigInt(parsed[0]) >= MIN_MICROS &&
      BigInt(parsed[0]) <= MAX_MICROS &&
      typeof parsed[1] === 'string' &&
      UUID.test(parsed[1])
    ) {
      return { createdAt: parsed[0], id: parsed[1] };
    }
  } catch {
    // fall through
  }
  throw DomainError.invalid('cursor', 'is not a cursor returned by this list');
}
