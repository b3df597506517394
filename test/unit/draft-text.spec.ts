import { cleanDraft, fitToLength, SMS_MAX_CHARS } from '../../src/modules/ai/draft-text';

describe('cleanDraft', () => {
  test.each([
    ['"Hello there"', 'Hello there'],
    ['  \u201cHello there\u201d  ', 'Hello there'],
    ['\'"Hello"\'', 'Hello'],
    ['\u00abBonjour\u00bb', 'Bonjour'],
    ['```\nHello\n```', 'Hello'],
    ['```text\n"Hello"\n```', 'Hello'],
    ['"Sale" starts "today"', '"Sale" starts "today"'],
    ['Say "hi" to {{contact.first_name}}', 'Say "hi" to {{contact.first_name}}'],
    ['""', ''],
    ['"', '"'],
  ])('%j -> %j', (input, expected) => {
    expect(cleanDraft(input)).toBe(expected);
  });
});

describe('fitToLength', () => {
  test('a text that fits is unchanged', () => {
    expect(fitToLength('Short. Text.', 20)).toEqual({ text: 'Short. Text.', shortened: false });
    const exact = 'x'.repeat(SMS_MAX_CHARS);
    expect(fitToLength(exact, SMS_MAX_CHARS)).toEqual({ text: exact, shortened: false });
  });

  test('cuts at the last sentence end that fits', () => {
    expect(fitToLength('One two three. Four five six! Seven eight nine.', 32)).toEqual({ text: 'One two three. Four five six!', shortened: true, cut: 'sentence' });
    expect(fitToLength('He said "Go." Then he left the room quickly.', 20)).toEqual({ text: 'He said "Go."', shortened: true, cut: 'sentence' });
  });

  test('a sentence end too early (under a third of the limit) gives way to a word cut', () => {
    expect(fitToLength('Hi. this is a very long sentence without an end', 30)).toEqual({ text: 'Hi. this is a very long…', shortened: true, cut: 'word' });
  });

  test('does not cut inside a placeholder and ignores dots in placeholders', () => {
    const fitted = fitToLength('Dear {{contact.first_name}} we have news for you today', 36);
    expect(fitted.text).toBe('Dear {{contact.first_name}} we have…');
    expect(fitted.text.length).toBeLessThanOrEqual(36);
    expect(fitToLength('Hello {{contact.first_name}} and more words here', 20).text).toBe('Hello…');
  });

  test('the result never exceeds the limit', () => {
    for (let max = 10; max < 80; max += 7) {
      const out = fitToLength('Lorem ipsum dolor sit amet, consectetur adipiscing elit. Sed do eiusmod tempor incididunt ut labore. Et dolore magna aliqua.', max);
      expect(out.text.length).toBeLessThanOrEqual(max);
    }
  });
});
