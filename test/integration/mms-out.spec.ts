/**
 * MMS out: an agent's SMS reply with media URLs. Each URL is checked (HEAD through the outbound-address
 * guard: 2xx, a type MMS carries, a size) before anything is stored; Twilio gets every URL as a
 * MediaUrl and the message keeps them as attachments. Bad media: 400 naming the field, nothing stored,
 * nothing sent.
 */
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import twilio from 'twilio';
import { checkMmsMedia } from '../../src/modules/channels/sms/mms-media';
import { startFakeTwilio, type FakeTwilio } from '../support/fake-twilio';
import { http as api, signUp, startTestStack, type TestStack } from '../support/test-stack';

const PUBLIC_URL = 'https://cx.example.test';
const ACCOUNT_SID = `AC${randomBytes(16).toString('hex')}`;
const AUTH_TOKEN = randomBytes(16).toString('hex');
const FROM_NUMBER = '+15005550006';

/** The media host: each path answers HEAD with its type and size. */
const MEDIA: Record<string, { status: number; type?: string; size?: number }> = {
  '/receipt.png': { status: 200, type: 'image/png', size: 48_213 },
  '/card.vcf': { status: 200, type: 'text/vcard; charset=utf-8', size: 310 },
  '/big.jpg': { status: 200, type: 'image/jpeg', size: 4_000_000 },
  '/bigger.jpg': { status: 200, type: 'image/jpeg', size: 3_000_000 },
  '/setup.exe': { status: 200, type: 'application/x-msdownload', size: 1000 },
  '/gone.png': { status: 404, type: 'text/html', size: 10 },
};

let stack: TestStack;
let fake: FakeTwilio;
let media: http.Server;
let base: string;
let admin: Awaited<ReturnType<typeof signUp>>;
let inboxId: string;
const heads: string[] = [];

const as = <T>(method: string, path: string, body?: unknown) => api<T>(stack, method, path, body, admin.token);

beforeAll(async () => {
  media = http.createServer((req, res) => {
    heads.push(`${req.method} ${req.url}`);
    const m = MEDIA[req.url ?? ''] ?? { status: 404, type: 'text/plain', size: 0 };
    res.writeHead(m.status, { 'content-type': m.type ?? 'application/octet-stream', 'content-length': String(m.size ?? 0) });
    res.end();
  });
  await new Promise<void>((r) => media.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(media.address() as AddressInfo).port}`;
  fake = await startFakeTwilio();
  stack = await startTestStack({ env: { TWILIO_API_BASE_URL: fake.baseUrl, PUBLIC_URL } });
  admin = await signUp(stack, 'MMS Ltd');
  const inbox = await as<{ id: string }>('POST', '/api/v1/inboxes', { name: 'Texts', channelType: 'sms', settings: { assignmentMode: 'open' } });
  inboxId = inbox.body.id;
  expect((await as('PUT', `/api/v1/inboxes/${inboxId}/sms-channel`, { accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN, fromNumber: FROM_NUMBER })).status).toBe(200);
}, 120_000);

afterAll(async () => {
  await stack?.close();
  await fake?.close();
  await new Promise((r) => media?.close(r));
});

let n = 0;
async function conversationFrom(): Promise<{ conversationId: string; from: string }> {
  const from = `+1555${String(Date.now() % 1_000_000).padStart(6, '0')}${++n % 10}`;
  const path = `/webhooks/twilio/sms/${inboxId}`;
  const sid = `SM${randomBytes(16).toString('hex')}`;
  const params = { MessageSid: sid, SmsSid: sid, AccountSid: ACCOUNT_SID, From: from, To: FROM_NUMBER, Body: 'Hi', NumMedia: '0', NumSegments: '1' };
  const res = await fetch(stack.baseUrl + path, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': twilio.getExpectedTwilioSignature(AUTH_TOKEN, PUBLIC_URL + path, params) },
    body: new URLSearchParams(params).toString(),
  });
  expect(res.status).toBe(200);
  const list = await as<{ items: { id: string }[] }>('GET', `/api/v1/conversations?limit=1`);
  return { conversationId: list.body.items[0].id, from };
}

const reply = (conversationId: string, body: Record<string, unknown>) =>
  as<{ message: { id: string; attachments: { url: string; contentType: string | null; size?: number }[] }; message_?: never } & { message?: string; details?: { field: string; problem: string }[] }>(
    'POST',
    `/api/v1/conversations/${conversationId}/messages`,
    body,
  );

test('a reply with two media: Twilio gets both as MediaUrl, the message keeps them with type and size', async () => {
  const { conversationId, from } = await conversationFrom();
  const res = await reply(conversationId, { content: 'Your receipt and our card', mediaUrls: [`${base}/receipt.png`, `${base}/card.vcf`] });
  expect(res.status).toBe(201);
  const calls = fake.requests.filter((r) => r.method === 'POST' && r.form.To === from);
  expect(calls).toHaveLength(1);
  expect(calls[0].mediaUrls).toEqual([`${base}/receipt.png`, `${base}/card.vcf`]);
  expect(calls[0].form.Body).toBe('Your receipt and our card');
  expect(res.body.message.attachments).toEqual([
    { url: `${base}/receipt.png`, contentType: 'image/png', size: 48_213 },
    { url: `${base}/card.vcf`, contentType: 'text/vcard', size: 310 },
  ]);
  expect(heads).toEqual(expect.arrayContaining(['HEAD /receipt.png', 'HEAD /card.vcf']));
});

test.each([
  ['a 404', ['/gone.png'], 'mediaUrls[0]', /HTTP 404/],
  ['a type MMS does not carry', ['/receipt.png', '/setup.exe'], 'mediaUrls[1]', /application\/x-msdownload/],
  ['more than 5 MB together', ['/big.jpg', '/bigger.jpg'], 'mediaUrls', /7000000 bytes/],
])('%s: 400 naming the field; nothing stored, nothing sent', async (_what, paths, field, problem) => {
  const { conversationId, from } = await conversationFrom();
  const before = (await as<{ messages: unknown[] }>('GET', `/api/v1/conversations/${conversationId}`)).body.messages.length;
  const res = await reply(conversationId, { content: 'With media', mediaUrls: paths.map((p) => base + p) });
  expect(res.status).toBe(400);
  expect(res.body.details).toEqual([{ field, problem: expect.stringMatching(problem) }]);
  expect((await as<{ messages: unknown[] }>('GET', `/api/v1/conversations/${conversationId}`)).body.messages.length).toBe(before);
  expect(fake.requests.filter((r) => r.method === 'POST' && r.form.To === from)).toHaveLength(0);
});

test('not a web URL, too many, or an email conversation: 400 before any request', async () => {
  const { conversationId } = await conversationFrom();
  const ftp = await reply(conversationId, { content: 'x', mediaUrls: ['ftp://example.com/a.png'] });
  expect([ftp.status, ftp.body.details?.[0]]).toEqual([400, { field: 'mediaUrls[0]', problem: 'must be an http or https URL' }]);
  const many = await reply(conversationId, { content: 'x', mediaUrls: Array.from({ length: 11 }, () => `${base}/receipt.png`) });
  expect([many.status, many.body.details?.[0].field]).toEqual([400, 'mediaUrls']);

  const mail = await as<{ id: string }>('POST', '/api/v1/inboxes', { name: 'Mail', channelType: 'api' });
  const started = await as<{ conversationId: string }>('POST', `/api/v1/inboxes/${mail.body.id}/inbound-messages`, { contact: { sourceId: `mms-${Date.now()}` }, content: 'hello' });
  const other = await reply(started.body.conversationId, { content: 'x', mediaUrls: [`${base}/receipt.png`] });
  expect([other.status, other.body.details?.[0].field]).toEqual([400, 'mediaUrls']);
  expect(other.body.details?.[0].problem).toMatch(/only SMS conversations/);
});

test('the outbound-address guard: a media URL on a loopback address is refused unless private targets are allowed', async () => {
  const limits = { maxBytes: 5 * 1024 * 1024, checkTimeoutMs: 2000 };
  await expect(checkMmsMedia([`${base}/receipt.png`], { allowPrivateTargets: false }, limits)).rejects.toMatchObject({
    details: [{ field: 'mediaUrls[0]', problem: expect.stringMatching(/loopback/) }],
  });
  await expect(checkMmsMedia(['http://169.254.169.254/latest/meta-data'], { allowPrivateTargets: true }, limits)).rejects.toMatchObject({
    details: [{ field: 'mediaUrls[0]', problem: expect.stringMatching(/metadata/) }],
  });
  await expect(checkMmsMedia([`${base}/receipt.png`], { allowPrivateTargets: true }, limits)).resolves.toEqual([{ url: `${base}/receipt.png`, contentType: 'image/png', size: 48_213 }]);
});
