/** RFC 6901 JSON Pointers: "" is the whole document, "/a/0/b" walks objects and arrays; ~1 is "/", ~0 is "~". */

/** Why `pointer` is not a JSON Pointer, or null when it is one. */
export function jsonPointerProblem(pointer: string): string | null {
  if (pointer !== '' && !pointer.startsWith('/')) return 'must be a JSON Pointer: empty or starting with "/" (e.g. /properties/plan)';
  if (/~[^01]|~$/.test(pointer)) return 'has a "~" that is not ~0 or ~1';
  return null;
}

export function resolveJsonPointer(doc: unknown, pointer: string): unknown {
  if (pointer === '') return doc;
  let node: unknown = doc;
  for (const raw of pointer.slice(1).split('/')) {
    const token = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (Array.isArray(node)) {
      if (!/^(0|[1-9]\d*)$/.test(token)) return undefined;
      node = node[Number(token)];
    } else if (node !== null && typeof node === 'object') {
      if (!Object.prototype.hasOwnProperty.call(node, token)) return undefined;
      node = (node as Record<string, unknown>)[token];
    } else {
      return undefined;
    }
    if (node === undefined) return undefined;
  }
  return node;
}

/** A mapped value as an attribute value: strings as they are, numbers and booleans as text; anything else none. */
export function attributeValueOf(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  if (typeof value === 'boolean') return String(value);
  return undefined;
}
