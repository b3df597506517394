import { DomainError } from './domain-error';

/**
 * Keyset cursors: the sort time in microseconds since the epoch (exact, unlike a JS Date) and the id.
 * SQL: select cursorKeySql('c.created_at'); compare the column with cursorTimeSql (one binding: the micros).
 */
export const cursorKeySql = (column: string) => `(extract(epoch from ${column}) * 1000000)::bigint::text`;
export const cursorTimeSql = `(timestamptz 'epoch' + ?::bigint * interval '1 microsecond')`;

export function encodeCursor(micros: string, id: string): string {
  return Buffer.from(JSON.stringify([micros, id])).toString('base64url');
}

export function decodeCursor(cursor: string): { createdAt: string; id: string } {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (
      Array.isArray(parsed) &&
      parsed.length === 2 &&
      typeof parsed[0] === 'string' &&
      /^-?\d{1,19}$/.test(parsed[0]) &&
      typeof parsed[1] === 'string' &&
      /^[0-9a-f-]{36}$/i.test(parsed[1])
    ) {
      return { createdAt: parsed[0], id: parsed[1] };
    }
  } catch {
    // fall through
  }
  throw DomainError.invalid('cursor', 'is not a cursor returned by this list');
}
