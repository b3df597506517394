/**
 * The masked hint kept in the audit log of deleted contacts:
 *  - email: first letter of the local part and of the domain, the top-level domain kept: j***@e***.com
 *  - phone: the country prefix and the last 2 digits kept, every other digit a *: +49*******12
 *  - otherwise the first letter of the name (or identity address) and ***: J***
 */
export function maskedHint(contact: { email: string | null; phone: string | null; name: string | null }, firstAddress: string | null): string {
  if (contact.email && contact.email.includes('@')) return maskEmail(contact.email);
  if (contact.phone && contact.phone.replace(/\D/g, '').length > 0) return maskPhone(contact.phone);
  const text = [contact.name, firstAddress].find((t) => t && t.trim().length > 0);
  return text ? `${firstLetter(text.trim())}***` : '***';
}

const firstLetter = (s: string): string => Array.from(s)[0] ?? '';

export function maskEmail(email: string): string {
  const at = email.lastIndexOf('@');
  const local = email.slice(0, at).trim();
  const domain = email.slice(at + 1).trim();
  const dot = domain.lastIndexOf('.');
  const host = dot > 0 ? domain.slice(0, dot) : domain;
  const tld = dot > 0 ? domain.slice(dot) : '';
  return `${firstLetter(local)}***@${firstLetter(host)}***${tld}`;
}

// ITU-T E.164 country codes with one or two digits; every other code has three.
const ONE_DIGIT_CODES = new Set(['1', '7']);
const TWO_DIGIT_CODES = new Set(
  '20 27 30 31 32 33 34 36 39 40 41 43 44 45 46 47 48 49 51 52 53 54 55 56 57 58 60 61 62 63 64 65 66 81 82 84 86 90 91 92 93 94 95 98'.split(' '),
);

export function countryCodeLength(digits: string): number {
  if (ONE_DIGIT_CODES.has(digits.slice(0, 1))) return 1;
  if (TWO_DIGIT_CODES.has(digits.slice(0, 2))) return 2;
  return 3;
}

export function maskPhone(phone: string): string {
  const digits = phone.replace(/\D/g, '');
  const international = phone.trim().startsWith('+') || phone.trim().startsWith('00');
  const national = phone.trim().startsWith('00') ? digits.slice(2) : digits;
  const prefixLength = international ? Math.min(countryCodeLength(national), Math.max(national.length - 2, 0)) : 0;
  const prefix = national.slice(0, prefixLength);
  const rest = national.slice(prefixLength);
  const kept = rest.slice(-2);
  return `${international ? '+' : ''}${prefix}${'*'.repeat(rest.length - kept.length)}${kept}`;
}
