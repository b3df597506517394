import { jsonLimitProblem, MAX_JSON_DEPTH, MAX_JSON_OBJECT_KEYS, MAX_JSON_VALUES } from '../../src/common/json-limits';

const nested = (depth: number) => '['.repeat(depth) + ']'.repeat(depth);
const bytes = (s: string) => Buffer.from(s, 'utf8');

describe('jsonLimitProblem', () => {
  test('depth: the body is level 1; MAX_JSON_DEPTH passes, one more does not', () => {
    expect(jsonLimitProblem(bytes(nested(MAX_JSON_DEPTH)))).toBeNull();
    expect(jsonLimitProblem(bytes(nested(MAX_JSON_DEPTH + 1)))).toBe(`JSON nested deeper than ${MAX_JSON_DEPTH} levels`);
    expect(jsonLimitProblem(bytes(`{"a":${nested(MAX_JSON_DEPTH)}}`))).toBe(`JSON nested deeper than ${MAX_JSON_DEPTH} levels`);
  });

  test('brackets, braces and commas inside strings do not count, escaped quotes included', () => {
    expect(jsonLimitProblem(bytes(JSON.stringify({ a: '['.repeat(1000), b: '{,'.repeat(40_000) })))).toBeNull();
    expect(jsonLimitProblem(bytes(`{"a":"\\"${'['.repeat(100)}\\\\"}`))).toBeNull();
    // after an escaped backslash the string ends: the brackets that follow count
    expect(jsonLimitProblem(bytes(`{"a":"\\\\",  "b":${nested(MAX_JSON_DEPTH)}}`))).toBe(`JSON nested deeper than ${MAX_JSON_DEPTH} levels`);
  });

  test('multi-byte UTF-8 and decoded strings are scanned alike', () => {
    const text = JSON.stringify({ name: 'Zoë 🚀 [', deep: JSON.parse(nested(MAX_JSON_DEPTH)) });
    expect(jsonLimitProblem(bytes(text))).toBe(`JSON nested deeper than ${MAX_JSON_DEPTH} levels`);
    expect(jsonLimitProblem(text)).toBe(`JSON nested deeper than ${MAX_JSON_DEPTH} levels`);
    expect(jsonLimitProblem(JSON.stringify({ name: 'Zoë 🚀 [' }))).toBeNull();
  });

  test('values in the whole body and members per object', () => {
    const list = (n: number) => `[${Array.from({ length: n }, () => '0').join(',')}]`;
    expect(jsonLimitProblem(bytes(list(MAX_JSON_VALUES - 1)))).toBeNull();
    expect(jsonLimitProblem(bytes(list(MAX_JSON_VALUES + 1)))).toBe(`JSON with more than ${MAX_JSON_VALUES} values`);
    const object = (n: number) => `{${Array.from({ length: n }, (_, i) => `"k${i}":[1,2]`).join(',')}}`;
    expect(jsonLimitProblem(bytes(object(MAX_JSON_OBJECT_KEYS)))).toBeNull();
    expect(jsonLimitProblem(bytes(object(MAX_JSON_OBJECT_KEYS + 1)))).toBe(`a JSON object with more than ${MAX_JSON_OBJECT_KEYS} members`);
    // commas of nested arrays are not members of the object around them
    expect(jsonLimitProblem(bytes(`{"a":${list(MAX_JSON_OBJECT_KEYS * 2)}}`))).toBeNull();
  });
});
