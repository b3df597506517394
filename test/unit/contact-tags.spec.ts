import { DomainError } from '../../src/common/domain-error';
import { pgArrayLiteral } from '../../src/common/pg-array';
import { normaliseContactTag, normaliseContactTags } from '../../src/modules/contacts/contact-tags';

const problem = (fn: () => unknown) => {
  try {
    fn();
  } catch (err) {
    if (err instanceof DomainError) return { code: err.code, details: err.details };
    throw err;
  }
  throw new Error('expected a DomainError');
};

describe('contact tags', () => {
  test('normalised like conversation tags: trimmed, lower-cased, inner whitespace collapsed, duplicates dropped', () => {
    expect(normaliseContactTags(['  News  Letter ', 'news letter', 'VIP'])).toEqual(['news letter', 'vip']);
  });

  test('problems name the field and the element', () => {
    expect(problem(() => normaliseContactTags(['ok', ' ']))).toEqual({ code: 'VALIDATION_FAILED', details: [{ field: 'tags[1]', problem: 'must not be empty' }] });
    expect(problem(() => normaliseContactTags(['z'.repeat(51)], 'audience.tags')).details).toEqual([{ field: 'audience.tags[0]', problem: 'must be at most 50 characters' }]);
    expect(problem(() => normaliseContactTags(Array.from({ length: 51 }, (_v, i) => `t${i}`))).details).toEqual([{ field: 'tags', problem: 'at most 50 tags' }]);
    // 51 entries that collapse to 50 distinct tags are fine
    expect(normaliseContactTags([...Array.from({ length: 50 }, (_v, i) => `t${i}`), 'T0'])).toHaveLength(50);
    expect(problem(() => normaliseContactTag('   ')).details).toEqual([{ field: 'tag', problem: 'must not be empty' }]);
  });

  test('text[] literals quote every element', () => {
    expect(pgArrayLiteral([])).toBe('{}');
    expect(pgArrayLiteral(['a', null])).toBe('{"a",NULL}');
    expect(pgArrayLiteral(['null', 'a,b', 'say "hi"', 'back\\slash', '{x}'])).toBe('{"null","a,b","say \\"hi\\"","back\\\\slash","{x}"}');
  });
});
