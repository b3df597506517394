import { createHmac, randomBytes } from 'node:crypto';

/** Standard Webhooks secrets: `whsec_` + base64 of the key bytes. */
export const SECRET_PREFIX = 'whsec_';
/** Bytes of a secret the product generates (the specification allows 24 to 64). */
export const SECRET_BYTES = 32;

export function generateWebhookSecret(bytes = SECRET_BYTES): string {
  if (bytes < 24 || bytes > 64) throw new Error('a webhook secret has 24 to 64 bytes');
  return SECRET_PREFIX + randomBytes(bytes).toString('base64');
}

/** The key bytes of a `whsec_` secret (the base64 after the prefix). */
export function secretKey(secret: string): Buffer {
  if (!secret.startsWith(SECRET_PREFIX)) throw new Error('a webhook secret starts with whsec_');
  return Buffer.from(secret.slice(SECRET_PREFIX.length), 'base64');
}

/** `v1,<base64 HMAC-SHA256 of "id.timestamp.body">`, exactly as the Standard Webhooks specification signs. */
export function signWebhook(secret: string, id: string, timestampSeconds: number, body: string): string {
  const mac = createHmac('sha256', secretKey(secret)).update(`${id}.${timestampSeconds}.${body}`).digest('base64');
  return `v1,${mac}`;
}

/**
 * The three headers of one attempt. During a rotation's overlap every secret signs: the
 * webhook-signature header carries one `v1,` entry per secret, separated by a space.
 */
export function webhookHeaders(secrets: string[], id: string, timestampSeconds: number, body: string): Record<string, string> {
  return {
    'webhook-id': id,
    'webhook-timestamp': String(timestampSeconds),
    'webhook-signature': secrets.map((s) => signWebhook(s, id, timestampSeconds, body)).join(' '),
  };
}
