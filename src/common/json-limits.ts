/**
 * How much structure a request's JSON may have, checked on the raw bytes before JSON.parse.
 *
 * Structure is cheap to send and expensive to take apart. A 1 MB body of 500,000 nested arrays
 * overflowed the stack in the validation pipe (a 500) after ~0.8 s of blocked event loop per request,
 * so a few in parallel stalled every other request, /health included. Shallow bodies cost too:
 * class-transformer copies every value of a body before validation can refuse it, an object with
 * 60,000 keys took 1.5 s (its cost grows faster than the key count) and 500,000 small arrays 0.7 s.
 * The scan below is one pass over the bytes without recursion or allocation (~1 ms per MB), so such
 * a body is refused before anything recursive (JSON.parse, Nest's proto-key stripping,
 * class-transformer, class-validator, our NUL walk) touches it.
 */

/**
 * The deepest nesting of arrays and objects (the body itself is level 1). Our deepest real document,
 * a routing rule's condition value inside inbox settings, is 8 levels deep; 32 leaves room for
 * integrations' JSON in free-form fields and stays far below any recursion limit.
 */
export const MAX_JSON_DEPTH = 32;

/**
 * Array elements and object members in the whole body. The largest real list, a campaign audience's
 * contactIds, fits about 25,000 UUIDs into the 1 MB body limit; 30,000 keeps that and bounds the
 * validation pipe's work to about 50 ms.
 */
export const MAX_JSON_VALUES = 30_000;

/** Members of one object. Our maps (custom attributes, variable defaults, business-hours dates) hold hundreds at most. */
export const MAX_JSON_OBJECT_KEYS = 1_000;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;

/**
 * What is wrong with the shape of `json`, or null when it is within the limits above. Brackets and
 * commas inside strings do not count. Works on UTF-8 bytes (multi-byte sequences never contain ASCII
 * bytes) and on decoded strings. Malformed JSON is JSON.parse's to refuse.
 */
export function jsonLimitProblem(json: Uint8Array | string): string | null {
  const at: (i: number) => number = typeof json === 'string' ? (i) => json.charCodeAt(i) : (i) => json[i];
  // Per open container (index = depth): is it an object, and how many commas so far.
  const isObject = new Uint8Array(MAX_JSON_DEPTH + 1);
  const commas = new Uint32Array(MAX_JSON_DEPTH + 1);
  let depth = 0;
  let values = 0;
  let inString = false;
  for (let i = 0; i < json.length; i++) {
    const c = at(i);
    if (inString) {
      if (c === BACKSLASH) i++;
      else if (c === QUOTE) inString = false;
    } else if (c === QUOTE) {
      inString = true;
    } else if (c === OPEN_BRACKET || c === OPEN_BRACE) {
      depth++;
      if (depth > MAX_JSON_DEPTH) return `JSON nested deeper than ${MAX_JSON_DEPTH} levels`;
      isObject[depth] = c === OPEN_BRACE ? 1 : 0;
      commas[depth] = 0;
      values++;
    } else if (c === CLOSE_BRACKET || c === CLOSE_BRACE) {
      if (depth > 0) depth--;
    } else if (c === COMMA && depth > 0) {
      values++;
      commas[depth]++;
      if (isObject[depth] && commas[depth] >= MAX_JSON_OBJECT_KEYS) return `a JSON object with more than ${MAX_JSON_OBJECT_KEYS} members`;
    }
    if (values > MAX_JSON_VALUES) return `JSON with more than ${MAX_JSON_VALUES} values`;
  }
  return null;
}
