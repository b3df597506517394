import { DomainError } from '../../common/domain-error';

/**
 * Opaque list cursors: base64url of a JSON array [kind, ...sort key values, id]. The client only
 * passes back what it received; anything else is a 400 naming the `cursor` field.
 */
export function encodeCursor(kind: string, values: (string | number)[]): string {
  return Buffer.from(JSON.stringify([kind, ...values]), 'utf8').toString('base64url');
}

export function decodeCursor(cursor: string, kind: string, shape: ('timestamp' | 'int' | 'uuid' | 'bigint')[]): (string | number)[] {
  const invalid = () => DomainError.invalid('cursor', `is not a cursor of this list (sorted by ${kind}); pass back nextCursor unchanged`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw invalid();
  }
  if (!Array.isArray(parsed) || parsed[0] !== kind || parsed.length !== shape.length + 1) throw invalid();
  const values = parsed.slice(1) as unknown[];
  shape.forEach((type, i) => {
    const v = values[i];
    const ok =
      type === 'int'
        ? Number.isInteger(v)
        : typeof v === 'string' &&
          (type === 'timestamp'
            ? /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?Z$/.test(v)
            : type === 'uuid'
              ? /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(v)
              : /^\d{1,19}$/.test(v));
    if (!ok) throw invalid();
  });
  return values as (string | number)[];
}
