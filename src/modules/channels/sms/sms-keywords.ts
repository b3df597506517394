/**
 * SMS keywords, matched on the whole message: trimmed, case-insensitive, nothing else in it
 * ("STOP", " stop ", "Stop" match; "stop it please" and "STOP." are ordinary messages).
 *  - opt_out: STOP, END, CANCEL, UNSUBSCRIBE, QUIT, and the carrier/Twilio extras STOPALL, REVOKE, OPTOUT
 *  - opt_in:  START, UNSTOP, YES
 *  - help:    HELP, INFO
 */
export type SmsKeyword = 'opt_out' | 'opt_in' | 'help';

const KEYWORDS: Record<string, SmsKeyword> = {
  STOP: 'opt_out',
  END: 'opt_out',
  CANCEL: 'opt_out',
  UNSUBSCRIBE: 'opt_out',
  QUIT: 'opt_out',
  STOPALL: 'opt_out',
  REVOKE: 'opt_out',
  OPTOUT: 'opt_out',
  START: 'opt_in',
  UNSTOP: 'opt_in',
  YES: 'opt_in',
  HELP: 'help',
  INFO: 'help',
};

export function parseSmsKeyword(text: string | null | undefined): SmsKeyword | null {
  if (!text) return null;
  return KEYWORDS[text.trim().toUpperCase()] ?? null;
}
