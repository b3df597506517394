/**
 * A PostgreSQL array literal for a `?::text[]`, `?::uuid[]`, `?::bigint[]` ... parameter: every element
 * quoted (so `null`, `a,b` or `{x}` stay the text they are), a JS null as SQL NULL.
 */
export function pgArrayLiteral(values: readonly (string | null)[]): string {
  return `{${values.map((v) => (v === null ? 'NULL' : `"${v.replace(/["\\]/g, (c) => `\\${c}`)}"`)).join(',')}}`;
}
