import { randomBytes, scrypt as scryptCb, timingSafeEqual } from 'node:crypto';
import { promisify } from 'node:util';
import { DomainError } from '../../common/domain-error';

const scrypt = promisify(scryptCb) as (password: string, salt: Buffer, keylen: number, options: object) => Promise<Buffer>;

/** scrypt (memory-hard KDF), N=2^15, r=8, p=1: roughly 50-100 ms per hash on these machines. */
const N = 1 << 15;
const R = 8;
const P = 1;
const KEYLEN = 32;
const MAXMEM = 64 * 1024 * 1024;

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await scrypt(password, salt, KEYLEN, { N, r: R, p: P, maxmem: MAXMEM });
  return `scrypt$${N}$${R}$${P}$${salt.toString('base64url')}$${key.toString('base64url')}`;
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [scheme, n, r, p, salt, hash] = stored.split('$');
  if (scheme !== 'scrypt' || !hash) return false;
  const expected = Buffer.from(hash, 'base64url');
  const key = await scrypt(password, Buffer.from(salt, 'base64url'), expected.length, {
    N: Number(n),
    r: Number(r),
    p: Number(p),
    maxmem: MAXMEM,
  });
  return key.length === expected.length && timingSafeEqual(key, expected);
}

/** A hash to compare against when the user does not exist, so timing does not reveal it. */
export const DUMMY_HASH = `scrypt$${N}$${R}$${P}$${Buffer.alloc(16).toString('base64url')}$${Buffer.alloc(KEYLEN).toString('base64url')}`;

/**
 * The most common passwords of ten characters or more (shorter ones already fail the length rule),
 * after breach-corpus frequency lists; compared case-insensitively. A short list on purpose: it
 * stops the first guesses of every spray, not a determined offline attack (scrypt does that).
 */
const COMMON_PASSWORDS = new Set([
  '1234567890', '0123456789', '0987654321', '9876543210', '12345678910', '123456789012', '1234567890123', '1234567891',
  '1122334455', '1234512345', '1234554321', '1231231234', '123123123123', '123456123456', '1472583690', '7894561230',
  '1q2w3e4r5t', '1q2w3e4r5t6y', '1qaz2wsx3edc', '1qazxsw23edc', 'zaq12wsxcde3', 'q1w2e3r4t5', 'q1w2e3r4t5y6', '1qaz2wsx3e',
  'qwertyuiop', 'qwertyuiop1', 'qwertyuiop123', 'qwerty1234', 'qwerty12345', 'qwerty123456', '1234qwerty', '12345qwert',
  '12345qwerty', '123qweasdzxc', 'qweasdzxc123', 'qazwsxedc123', 'qazwsxedcrfv', 'asdfghjkl1', 'asdfghjkl123', 'asdfghjkl;',
  'zxcvbnm123', 'zxcvbnm1234', 'abcdefghij', 'abcdefghijk', 'abcdefghijkl', 'abc1234567', 'abcd123456', 'abcde12345',
  'a1234567890', '1234567890a', '123456789a', 'aa123456789', 'password12', 'password123', 'password1234', 'password12345',
  'password123456', 'password01', 'password1!', 'password!!', 'passw0rd123', 'p@ssw0rd123', 'p@ssword123', 'passwordpassword',
  'mypassword', 'mypassword1', 'mypassword123', 'thisisapassword', 'iloveyou12', 'iloveyou123', 'iloveyou1234', 'welcome123',
  'welcome1234', 'welcome2024', 'welcome2025', 'letmein123', 'letmein1234', 'changeme123', 'changeme1234', 'administrator',
  'administrator1', 'admin12345', 'admin123456', 'trustno1234', 'football123', 'baseball123', 'basketball', 'basketball1',
  'sunshine123', 'princess123', 'superman123', 'starwars123', 'dragon12345', 'monkey12345', 'computer123', 'internet123',
  'whatever123', 'secret1234', 'hello12345', 'hello123456', 'helloworld', 'helloworld1', 'helloworld123', 'liverpool1',
  'summer2024', 'summer2025', 'winter2024', 'spring2025', 'minecraft123', 'pokemon123',
]);

/**
 * Why a new password is refused, or null. On top of the length the DTOs check (10-200): nothing only
 * whitespace or padded with it (a copy-paste slip that cannot be typed back), not one character
 * repeated, not the user's e-mail address nor the part before its @, none of the most common passwords.
 */
export function passwordProblem(password: string, email: string): string | null {
  const trimmed = password.trim();
  if (trimmed === '') return 'must not be only whitespace';
  if (trimmed !== password) return 'must not begin or end with whitespace';
  if ([...password].length < 10) return 'must be at least 10 characters long';
  if (new Set(password).size === 1) return 'must not be one character repeated';
  const lower = password.toLowerCase();
  const address = email.trim().toLowerCase();
  if (lower === address) return 'must not be your e-mail address';
  if (lower === address.split('@')[0]) return 'must not be the part of your e-mail address before the @';
  if (COMMON_PASSWORDS.has(lower)) return 'is one of the most common passwords';
  return null;
}

/** 400 naming the field (`password`, `admin.password`) and the reason, for sign-up, user creation and password changes. */
export function assertAcceptablePassword(input: { field: string; password: string; email: string }): void {
  const problem = passwordProblem(input.password, input.email);
  if (problem) throw DomainError.invalid(input.field, problem);
}
