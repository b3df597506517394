import { randomBytes } from 'node:crypto';
import { DomainError } from '../../src/common/domain-error';
import { generateSecretsKey, SecretBox } from '../../src/common/secret-box';
import { ConfigError, loadConfig } from '../../src/config/config';

const key = generateSecretsKey();

test('a sealed secret opens with the same key and shows nothing of the plaintext', () => {
  const box = new SecretBox(key);
  const sealed = box.encrypt('0123456789abcdef0123456789abcdef');
  expect(sealed).toMatch(/^v1:[A-Za-z0-9+/=]+:[A-Za-z0-9+/=]+:[A-Za-z0-9+/=]+$/);
  expect(sealed).not.toContain('0123456789abcdef');
  expect(box.encrypt('same')).not.toBe(box.encrypt('same')); // random IV per value
  expect(box.decrypt(sealed)).toBe('0123456789abcdef0123456789abcdef');
});

test('another key or a tampered value is refused clearly', () => {
  const sealed = new SecretBox(key).encrypt('secret', 'authToken');
  expect(() => new SecretBox(generateSecretsKey()).decrypt(sealed, 'authToken')).toThrow(/authToken: the stored secret cannot be decrypted with the configured SECRETS_KEY/);
  const parts = sealed.split(':');
  const flipped = Buffer.from(parts[3], 'base64');
  flipped[0] ^= 1;
  expect(() => new SecretBox(key).decrypt([...parts.slice(0, 3), flipped.toString('base64')].join(':'))).toThrow(DomainError);
});

test('without SECRETS_KEY storing a secret is refused, naming the variable', () => {
  const box = new SecretBox(undefined);
  expect(box.configured).toBe(false);
  expect(() => box.encrypt('x', 'authToken')).toThrow('authToken cannot be stored: SECRETS_KEY is not configured on the server');
});

test('SECRETS_KEY must be 32 bytes of base64; the key itself never reaches the message', () => {
  expect(loadConfig({ SECRETS_KEY: key }).secretsKey).toBe(key);
  expect(loadConfig({}).secretsKey).toBeUndefined();
  const short = randomBytes(16).toString('base64');
  for (const bad of [short, 'not base64 at all!', randomBytes(33).toString('base64')]) {
    let error: unknown;
    try {
      loadConfig({ SECRETS_KEY: bad });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).variable).toBe('SECRETS_KEY');
    expect((error as Error).message).toContain('SECRETS_KEY must be 32 random bytes in base64');
    expect((error as Error).message).not.toContain(bad);
  }
});
