import { parseSmsKeyword } from '../../src/modules/channels/sms/sms-keywords';

test.each([
  ['STOP', 'opt_out'],
  ['stop', 'opt_out'],
  [' Stop ', 'opt_out'],
  ['\tEND\n', 'opt_out'],
  ['cancel', 'opt_out'],
  ['UnSubscribe', 'opt_out'],
  ['quit', 'opt_out'],
  ['STOPALL', 'opt_out'],
  ['revoke', 'opt_out'],
  ['optout', 'opt_out'],
  ['START', 'opt_in'],
  ['unstop', 'opt_in'],
  ['Yes', 'opt_in'],
  ['HELP', 'help'],
  [' info ', 'help'],
])('%j is the keyword %s', (text, keyword) => {
  expect(parseSmsKeyword(text)).toBe(keyword);
});

test.each(['stop it please', 'STOP.', 'please stop', 'S T O P', 'stopp', 'opt out', 'help me', '', '   ', null, undefined])(
  '%j is an ordinary message',
  (text) => {
    expect(parseSmsKeyword(text)).toBeNull();
  },
);
