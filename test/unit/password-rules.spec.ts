import { passwordProblem } from '../../src/modules/auth/password';

const EMAIL = 'Jane.Doe@Example.com';

test.each([
  [' '.repeat(10), 'must not be only whitespace'],
  ['\t\n  \t\n  \t\n', 'must not be only whitespace'],
  [' correct horse battery', 'must not begin or end with whitespace'],
  ['correct horse battery ', 'must not begin or end with whitespace'],
  ['short one', 'must be at least 10 characters long'],
  ['xxxxxxxxxxxxxxxx', 'must not be one character repeated'],
  ['jane.doe@example.com', 'must not be your e-mail address'],
  ['JANE.DOE@EXAMPLE.COM', 'must not be your e-mail address'],
  ['jane.doe12', null],
  ['PASSWORD1234', 'is one of the most common passwords'],
  ['123456789012', 'is one of the most common passwords'],
  ['qwertyuiop', 'is one of the most common passwords'],
  ['1q2w3e4r5t', 'is one of the most common passwords'],
  ['correct horse battery', null],
  ['Tr0ub4dor&3 extra', null],
  ['a a a a a a', null],
])('%j -> %s', (password, problem) => {
  expect(passwordProblem(password, EMAIL)).toBe(problem);
});

test('the part of the e-mail before the @ is refused when it is long enough to pass the length rule', () => {
  expect(passwordProblem('harriet.longname', 'Harriet.Longname@example.com')).toBe('must not be the part of your e-mail address before the @');
});
