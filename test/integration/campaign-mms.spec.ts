/**
 * MMS on campaigns: a campaign's media URLs are checked as a reply's are (http(s), the outbound-address
 * guard, HEAD 2xx with a type MMS carries and a Content-Length, MMS_MAX_BYTES together) when the draft
 * is saved and again when it is started; every recipient's message carries them as attachments and
 * reaches Twilio (the local fake, through the official client) with one MediaUrl each. Bad media: 400
 * naming the field, nothing stored, nothing sent. Only SMS inboxes carry media.
 */
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes, randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { startFakeTwilio, type FakeTwilio } from '../support/fake-twilio';
import { eventually, http as api, signUp, startTestStack, type TestStack } from '../support/test-stack';

const PUBLIC_URL = 'https://cx.example.test';
const ACCOUNT_SID = `AC${randomBytes(16).toString('hex')}`;
const AUTH_TOKEN = randomBytes(16).toString('hex');
const FROM_NUMBER = '+15005550006';

/** The media host: each path answers HEAD with its status, type and size (tests change them). */
const MEDIA: Record<string, { status: number; type?: string; size?: number }> = {
  '/sale.png': { status: 200, type: 'image/png', size: 120_000 },
  '/terms.pdf': { status: 200, type: 'application/pdf', size: 40_000 },
  '/big.jpg': { status: 200, type: 'image/jpeg', size: 4_000_000 },
  '/bigger.jpg': { status: 200, type: 'image/jpeg', size: 3_000_000 },
  '/changing.png': { status: 200, type: 'image/png', size: 1000 },
};

interface CampaignView {
  id: string;
  status: string;
  mediaUrls: string[];
  media: { url: string; contentType: string | null; size: number }[];
}
interface ErrorBody {
  message: string;
  details?: { field: string; problem: string }[];
}

let stack: TestStack;
let fake: FakeTwilio;
let db: Client;
let media: http.Server;
let base: string;
let admin: Awaited<ReturnType<typeof signUp>>;
let smsInbox: string;
let numberBase = 3_000_000 + Math.floor(Math.random() * 1_000_000);

const as = <T>(method: string, path: string, body?: unknown) => api<T>(stack, method, path, body, admin.token);

async function makeContacts(n: number): Promise<{ id: string; phone: string }[]> {
  const contacts = Array.from({ length: n }, () => ({ id: randomUUID(), phone: `+1555${String(numberBase++).padStart(7, '0')}` }));
  for (const c of contacts) {
    await db.query(`insert into contacts (id, account_id, name, phone) values ($1, $2, 'Pat', $3)`, [c.id, admin.accountId, c.phone]);
    await db.query(`insert into contact_identities (id, account_id, contact_id, channel_type, address) values (gen_random_uuid(), $1, $2, 'sms', $3)`, [admin.accountId, c.id, c.phone]);
  }
  return contacts;
}

const campaignBody = (marker: string, contactIds: string[], extra: Record<string, unknown> = {}) => ({
  name: `MMS ${marker}`,
  type: 'promotional',
  inboxId: smsInbox,
  audience: { contactIds },
  template: `[${marker}] Hi {{contact.name}}, see the picture.`,
  ...extra,
});
const twilioCalls = (marker: string) => fake.requests.filter((r) => r.method === 'POST' && r.form.Body?.startsWith(`[${marker}]`));

beforeAll(async () => {
  media = http.createServer((req, res) => {
    const m = MEDIA[req.url ?? ''] ?? { status: 404, type: 'text/plain', size: 0 };
    res.writeHead(m.status, { 'content-type': m.type ?? 'application/octet-stream', 'content-length': String(m.size ?? 0) });
    res.end();
  });
  await new Promise<void>((r) => media.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(media.address() as AddressInfo).port}`;
  fake = await startFakeTwilio();
  stack = await startTestStack({ env: { TWILIO_API_BASE_URL: fake.baseUrl, PUBLIC_URL, MMS_MEDIA_CHECK_TIMEOUT_MS: '2000' } });
  db = new Client({ connectionString: stack.config.database.url });
  await db.connect();
  admin = await signUp(stack, 'MMS Campaigns Ltd');
  smsInbox = (await as<{ id: string }>('POST', '/api/v1/inboxes', { name: 'Promotions', channelType: 'sms' })).body.id;
  expect((await as('PUT', `/api/v1/inboxes/${smsInbox}/sms-channel`, { accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN, fromNumber: FROM_NUMBER })).status).toBe(200);
}, 120_000);

afterAll(async () => {
  await db?.end();
  await stack?.close();
  await fake?.close();
  await new Promise((r) => media?.close(r));
});

test('a campaign with two media: every recipient reaches Twilio with both MediaUrls, and every message keeps them', async () => {
  const contacts = await makeContacts(3);
  const urls = [`${base}/sale.png`, `${base}/terms.pdf`];
  const created = await as<CampaignView>('POST', '/api/v1/campaigns', campaignBody('with-media', contacts.map((c) => c.id), { mediaUrls: urls }));
  expect(created.status).toBe(201);
  expect(created.body.mediaUrls).toEqual(urls);
  expect(created.body.media).toEqual([
    { url: urls[0], contentType: 'image/png', size: 120_000 },
    { url: urls[1], contentType: 'application/pdf', size: 40_000 },
  ]);
  expect((await as('POST', `/api/v1/campaigns/${created.body.id}/start`)).status).toBe(200);
  await eventually(async () => ((await as<{ status: string }>('GET', `/api/v1/campaigns/${created.body.id}/progress`)).body.status === 'completed' ? true : undefined), 60_000, 'campaign completed');

  const calls = twilioCalls('with-media');
  expect(calls.map((c) => c.form.To).sort()).toEqual(contacts.map((c) => c.phone).sort()); // exactly one call per recipient
  for (const call of calls) expect(call.mediaUrls).toEqual(urls);
  const stored = await db.query<{ attachments: unknown; delivery_status: string }>(
    `select m.attachments, m.delivery_status from campaign_recipients r join messages m on m.id = r.message_id where r.campaign_id = $1`,
    [created.body.id],
  );
  expect(stored.rows).toHaveLength(3);
  for (const row of stored.rows) {
    expect(row.delivery_status).toBe('sent');
    expect(row.attachments).toEqual(created.body.media);
  }
});

test('a campaign without media sends plain SMS (no MediaUrl)', async () => {
  const [contact] = await makeContacts(1);
  const created = await as<CampaignView>('POST', '/api/v1/campaigns', campaignBody('no-media', [contact.id]));
  expect([created.status, created.body.mediaUrls]).toEqual([201, []]);
  expect((await as('POST', `/api/v1/campaigns/${created.body.id}/start`)).status).toBe(200);
  await eventually(async () => (twilioCalls('no-media').length === 1 ? true : undefined), 60_000, 'the SMS sent');
  expect(twilioCalls('no-media')[0].mediaUrls).toEqual([]);
});

test.each([
  ['too large together', ['/big.jpg', '/bigger.jpg'], 'mediaUrls', /7000000 bytes/],
  ['unreachable (connection refused)', ['http://127.0.0.1:1/sale.png'], 'mediaUrls[0]', /could not be checked: connection failed/],
  ['a 404', ['/sale.png', '/gone.png'], 'mediaUrls[1]', /HTTP 404/],
  ['a cloud metadata address (refused even where private targets are allowed)', ['http://169.254.169.254/latest/meta-data'], 'mediaUrls[0]', /metadata/],
  ['not a web URL', ['ftp://example.com/a.png'], 'mediaUrls[0]', /must be an http or https URL/],
])('%s: 400 naming the field on create and on edit; nothing stored', async (_what, paths, field, problem) => {
  const [contact] = await makeContacts(1);
  const urls = paths.map((p) => (p.startsWith('/') ? base + p : p));
  const before = Number((await db.query(`select count(*) as n from campaigns where account_id = $1`, [admin.accountId])).rows[0].n);
  const res = await as<ErrorBody>('POST', '/api/v1/campaigns', campaignBody('bad', [contact.id], { mediaUrls: urls }));
  expect(res.status).toBe(400);
  expect(res.body.details).toEqual([{ field, problem: expect.stringMatching(problem) }]);
  expect(Number((await db.query(`select count(*) as n from campaigns where account_id = $1`, [admin.accountId])).rows[0].n)).toBe(before);

  const draft = await as<CampaignView>('POST', '/api/v1/campaigns', campaignBody('bad-edit', [contact.id], { mediaUrls: [`${base}/sale.png`] }));
  expect(draft.status).toBe(201);
  const edit = await as<ErrorBody>('PATCH', `/api/v1/campaigns/${draft.body.id}`, { mediaUrls: urls });
  expect(edit.status).toBe(400);
  expect(edit.body.details).toEqual([{ field, problem: expect.stringMatching(problem) }]);
  expect((await as<CampaignView>('GET', `/api/v1/campaigns/${draft.body.id}`)).body.mediaUrls).toEqual([`${base}/sale.png`]);
});

test('more than 10 media, or not strings: 400 naming mediaUrls before any request', async () => {
  const [contact] = await makeContacts(1);
  const many = await as<ErrorBody>('POST', '/api/v1/campaigns', campaignBody('many', [contact.id], { mediaUrls: Array.from({ length: 11 }, () => `${base}/sale.png`) }));
  expect([many.status, many.body.details?.[0]?.field]).toEqual([400, 'mediaUrls']);
  const notStrings = await as<ErrorBody>('POST', '/api/v1/campaigns', campaignBody('nums', [contact.id], { mediaUrls: [42] }));
  expect([notStrings.status, notStrings.body.details?.[0]?.field]).toEqual([400, 'mediaUrls']);
});

test('only SMS campaigns carry media: an email or API inbox with media is a 400 naming mediaUrls', async () => {
  const [contact] = await makeContacts(1);
  for (const channelType of ['email', 'api'] as const) {
    const inbox = await as<{ id: string }>('POST', '/api/v1/inboxes', { name: `No MMS ${channelType}`, channelType });
    expect(inbox.status).toBe(201);
    const res = await as<ErrorBody>('POST', '/api/v1/campaigns', campaignBody('wrong-channel', [contact.id], { inboxId: inbox.body.id, mediaUrls: [`${base}/sale.png`] }));
    expect(res.status).toBe(400);
    expect(res.body.details).toEqual([{ field: 'mediaUrls', problem: `only SMS campaigns carry media (MMS); this inbox is ${channelType}` }]);
  }
  // An API campaign without media is still fine; adding media on edit is refused the same way.
  const apiInbox = await as<{ id: string }>('POST', '/api/v1/inboxes', { name: 'API plain', channelType: 'api' });
  const plain = await as<CampaignView>('POST', '/api/v1/campaigns', campaignBody('api-plain', [contact.id], { inboxId: apiInbox.body.id }));
  expect(plain.status).toBe(201);
  const edit = await as<ErrorBody>('PATCH', `/api/v1/campaigns/${plain.body.id}`, { mediaUrls: [`${base}/sale.png`] });
  expect([edit.status, edit.body.details?.[0]?.field]).toEqual([400, 'mediaUrls']);
});

test('the media are checked again at start: a URL that broke since the draft was saved is a 400 and the campaign stays a draft', async () => {
  const [contact] = await makeContacts(1);
  const created = await as<CampaignView>('POST', '/api/v1/campaigns', campaignBody('recheck', [contact.id], { mediaUrls: [`${base}/changing.png`] }));
  expect(created.status).toBe(201);
  MEDIA['/changing.png'] = { status: 200, type: 'image/png', size: 6_000_000 };
  try {
    const start = await as<ErrorBody>('POST', `/api/v1/campaigns/${created.body.id}/start`);
    expect(start.status).toBe(400);
    expect(start.body.details).toEqual([{ field: 'mediaUrls', problem: expect.stringMatching(/6000000 bytes/) }]);
    expect((await as<CampaignView>('GET', `/api/v1/campaigns/${created.body.id}`)).body.status).toBe('draft');
  } finally {
    MEDIA['/changing.png'] = { status: 200, type: 'image/png', size: 2000 };
  }
  // Fixed: the start goes through, with the size found now.
  const start = await as<CampaignView>('POST', `/api/v1/campaigns/${created.body.id}/start`);
  expect(start.status).toBe(200);
  expect(start.body.media).toEqual([{ url: `${base}/changing.png`, contentType: 'image/png', size: 2000 }]);
  await eventually(async () => (twilioCalls('recheck').length === 1 ? true : undefined), 60_000, 'the MMS sent');
  expect(twilioCalls('recheck')[0].mediaUrls).toEqual([`${base}/changing.png`]);
  expect(twilioCalls('recheck')).toHaveLength(1);
});
