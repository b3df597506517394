import { attributeValueOf, jsonPointerProblem, resolveJsonPointer } from '../../src/modules/crm/json-pointer';

describe('JSON Pointer (RFC 6901)', () => {
  const doc = { foo: ['bar', 'baz'], '': 0, 'a/b': 1, 'm~n': 8, nested: { deep: { value: 'x' } }, nil: null };

  test.each([
    ['', doc],
    ['/foo', ['bar', 'baz']],
    ['/foo/0', 'bar'],
    ['/', 0],
    ['/a~1b', 1],
    ['/m~0n', 8],
    ['/nested/deep/value', 'x'],
    ['/nil', null],
  ])('%s resolves', (pointer, expected) => expect(resolveJsonPointer(doc, pointer)).toEqual(expected));

  test.each(['/missing', '/foo/2', '/foo/01', '/foo/-', '/nested/deep/value/more', '/nil/x'])('%s resolves to nothing', (pointer) =>
    expect(resolveJsonPointer(doc, pointer)).toBeUndefined(),
  );

  test('syntax', () => {
    expect(jsonPointerProblem('')).toBeNull();
    expect(jsonPointerProblem('/a/~0/~1')).toBeNull();
    expect(jsonPointerProblem('a')).toMatch(/starting with "\/"/);
    expect(jsonPointerProblem('/a~2')).toMatch(/~0 or ~1/);
    expect(jsonPointerProblem('/a~')).toMatch(/~0 or ~1/);
  });

  test('values become attribute text; objects and arrays do not', () => {
    expect([attributeValueOf('gold'), attributeValueOf(2), attributeValueOf(true), attributeValueOf({}), attributeValueOf([]), attributeValueOf(NaN)]).toEqual(['gold', '2', 'true', undefined, undefined, undefined]);
  });
});
