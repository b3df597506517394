import { Webhook } from 'standardwebhooks';
import { generateWebhookSecret, signWebhook, webhookHeaders } from '../../src/modules/webhooks/webhook-signature';
import { judgeAttempt, MAX_ATTEMPTS, nextDelayMs, parseRetryAfter, RETRY_DELAYS_MS } from '../../src/modules/webhooks/webhook-schedule';

describe('Standard Webhooks signing', () => {
  test("the specification's test vector", () => {
    expect(signWebhook('whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', 'msg_p5jXN8AQM9LWM0D4loKWxJek', 1614265330, '{"test": 2432232314}')).toBe(
      'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=',
    );
  });

  test('generated secrets are whsec_ + base64 of 24-64 bytes and verify with the official library', () => {
    const secret = generateWebhookSecret();
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]+=*$/);
    expect(Buffer.from(secret.slice(6), 'base64').length).toBe(32);
    expect(() => generateWebhookSecret(23)).toThrow();
    const body = JSON.stringify({ type: 'x', timestamp: new Date().toISOString(), data: {} });
    const headers = webhookHeaders([secret], 'msg_1', Math.floor(Date.now() / 1000), body);
    expect(new Webhook(secret).verify(body, headers)).toEqual(JSON.parse(body));
    expect(() => new Webhook(secret).verify(body.replace('"x"', '"y"'), headers)).toThrow();
  });

  test('during a rotation both secrets sign, space separated, and each verifies alone', () => {
    const [oldS, newS] = [generateWebhookSecret(), generateWebhookSecret(48)];
    const body = '{"a":1}';
    const headers = webhookHeaders([newS, oldS], 'msg_2', Math.floor(Date.now() / 1000), body);
    expect(headers['webhook-signature'].split(' ')).toHaveLength(2);
    expect(headers['webhook-signature']).toMatch(/^v1,\S+ v1,\S+$/);
    expect(new Webhook(oldS).verify(body, headers)).toEqual({ a: 1 });
    expect(new Webhook(newS).verify(body, headers)).toEqual({ a: 1 });
    expect(() => new Webhook(generateWebhookSecret()).verify(body, headers)).toThrow();
  });
});

describe('retry schedule', () => {
  test('the specification schedule, scaled, with at most ±20 % jitter', () => {
    expect(RETRY_DELAYS_MS).toEqual([5e3, 3e5, 18e5, 72e5, 18e6, 36e6, 504e5, 72e6, 864e5]);
    expect(MAX_ATTEMPTS).toBe(10);
    expect(nextDelayMs(1, 1, () => 0.5)).toBe(5000);
    expect(nextDelayMs(2, 0.001, () => 0.5)).toBe(300);
    expect(nextDelayMs(1, 1, () => 0)).toBe(4000);
    expect(nextDelayMs(1, 1, () => 1)).toBe(6000);
    expect(nextDelayMs(9, 1, () => 0.5)).toBe(86_400_000);
    expect(nextDelayMs(10, 1)).toBeNull();
  });

  test('answers: 2xx success, 3xx failure, 410 gone, Retry-After on 429/503 only', () => {
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(judgeAttempt(204, null, now)).toEqual({ kind: 'success' });
    expect(judgeAttempt(302, null, now)).toMatchObject({ kind: 'retry', error: expect.stringContaining('3xx') });
    expect(judgeAttempt(410, null, now)).toEqual({ kind: 'gone' });
    expect(judgeAttempt(429, '7', now)).toMatchObject({ kind: 'retry', retryAfterMs: 7000 });
    expect(judgeAttempt(503, 'Thu, 01 Jan 2026 00:00:30 GMT', now)).toMatchObject({ kind: 'retry', retryAfterMs: 30000 });
    expect(judgeAttempt(500, '7', now)).toMatchObject({ kind: 'retry', retryAfterMs: null });
    expect(judgeAttempt(null, null, now, 'timed out after 15000 ms')).toMatchObject({ kind: 'retry', error: 'timed out after 15000 ms' });
    expect(parseRetryAfter('nonsense', now)).toBeNull();
    expect(parseRetryAfter('999999', now)).toBe(86_400_000);
  });
});
