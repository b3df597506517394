import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { DomainError } from './domain-error';

const VERSION = 'v1';

/**
 * Channel secrets at rest (Twilio auth tokens, IMAP/SMTP passwords): AES-256-GCM with the 32-byte key
 * from SECRETS_KEY. A sealed value is `v1:<iv>:<tag>:<ciphertext>` (base64 parts); a 12-byte random IV
 * per value, the GCM tag detects a wrong key or a tampered value. Plaintexts never leave through the
 * API or the logs: callers decrypt only right before handing the secret to the provider's client.
 */
export class SecretBox {
  private readonly key: Buffer | null;

  /** `keyBase64`: the validated SECRETS_KEY (see config.ts); undefined when none is configured. */
  constructor(keyBase64: string | undefined) {
    this.key = keyBase64 ? Buffer.from(keyBase64, 'base64') : null;
    if (this.key && this.key.length !== 32) throw new Error('SecretBox: SECRETS_KEY must decode to 32 bytes');
  }

  get configured(): boolean {
    return this.key !== null;
  }

  /** Seals a secret; refuses clearly when no key is configured (`field` names what was being stored). */
  encrypt(plaintext: string, field = 'secret'): string {
    const key = this.requireKey(`${field} cannot be stored`);
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', key, iv);
    const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return [VERSION, iv.toString('base64'), cipher.getAuthTag().toString('base64'), ciphertext.toString('base64')].join(':');
  }

  decrypt(sealed: string, field = 'secret'): string {
    const key = this.requireKey(`${field} cannot be read`);
    const [version, iv, tag, ciphertext] = sealed.split(':');
    if (version !== VERSION || iv === undefined || tag === undefined || ciphertext === undefined) {
      throw new DomainError('UNPROCESSABLE', `${field}: the stored value is not a sealed secret; store it again`);
    }
    try {
      const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64'));
      decipher.setAuthTag(Buffer.from(tag, 'base64'));
      return Buffer.concat([decipher.update(Buffer.from(ciphertext, 'base64')), decipher.final()]).toString('utf8');
    } catch {
      throw new DomainError(
        'UNPROCESSABLE',
        `${field}: the stored secret cannot be decrypted with the configured SECRETS_KEY (was the key changed?); store it again`,
      );
    }
  }

  private requireKey(what: string): Buffer {
    if (!this.key) {
      throw new DomainError(
        'UNPROCESSABLE',
        `${what}: SECRETS_KEY is not configured on the server; set it to 32 random bytes in base64 (openssl rand -base64 32)`,
      );
    }
    return this.key;
  }
}

/** A fresh key in the SECRETS_KEY format. */
export function generateSecretsKey(): string {
  return randomBytes(32).toString('base64');
}
