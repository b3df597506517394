import { DomainError } from '../../common/domain-error';
import { UUID } from '../../common/keyset-cursor';

/**
 * Opaque list cursors: base64url of a JSON array [kind, ...sort key values, id]. The client only
 * passes back what it received; anything else is a 400 naming the `cursor` field. Each value is
 * checked for the type and range of the SQL it is bound to (a priority of 1e300, a date 9999-99-99 or
 * a bigint beyond 2^63 used to reach PostgreSQL and fail there as a 500).
 */
export type CursorValueType = 'timestamp' | 'smallint' | 'int' | 'uuid' | 'bigint';

export function encodeCursor(kind: string, values: (string | number)[]): string {
  return Buffer.from(JSON.stringify([kind, ...values]), 'utf8').toString('base64url');
}

const TIMESTAMP = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d{1,6})?Z$/;
const BIGINT_MAX = 9_223_372_036_854_775_807n;
const INT_RANGE = { smallint: [-32_768, 32_767], int: [-2_147_483_648, 2_147_483_647] } as const;

/** A UTC time as keyText writes it (microseconds), naming a real instant of the years 0001-9999. */
function isTimestamp(v: string): boolean {
  const m = TIMESTAMP.exec(v);
  if (!m) return false;
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number);
  const d = new Date(0);
  d.setUTCFullYear(year, month - 1, day);
  d.setUTCHours(hour, minute, second, 0);
  return (
    year >= 1 &&
    d.getUTCFullYear() === year &&
    d.getUTCMonth() === month - 1 &&
    d.getUTCDate() === day &&
    d.getUTCHours() === hour &&
    d.getUTCMinutes() === minute &&
    d.getUTCSeconds() === second
  );
}

function isValue(type: CursorValueType, v: unknown): boolean {
  switch (type) {
    case 'smallint':
    case 'int':
      return Number.isSafeInteger(v) && (v as number) >= INT_RANGE[type][0] && (v as number) <= INT_RANGE[type][1];
    case 'timestamp':
      return typeof v === 'string' && isTimestamp(v);
    case 'uuid':
      return typeof v === 'string' && UUID.test(v);
    case 'bigint':
      // Row ids: positive.
      return typeof v === 'string' && /^\d{1,19}$/.test(v) && BigInt(v) <= BIGINT_MAX;
  }
}

export function decodeCursor(cursor: string, kind: string, shape: CursorValueType[]): (string | number)[] {
  const invalid = () => DomainError.invalid('cursor', `is not a cursor of this list (sorted by ${kind}); pass back nextCursor unchanged`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw invalid();
  }
  if (!Array.isArray(parsed) || parsed[0] !== kind || parsed.length !== shape.length + 1) throw invalid();
  const values = parsed.slice(1) as unknown[];
  if (!shape.every((type, i) => isValue(type, values[i]))) throw invalid();
  return values as (string | number)[];
}
