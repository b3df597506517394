/**
 * The SMS/MMS channel over Twilio, on the real stack (PostgreSQL, Temporal, the API and a worker):
 * webhooks signed with the real signature function, outbound through the official `twilio` client
 * pointed at a local fake of the Twilio REST API (TWILIO_API_BASE_URL), opt-out keywords.
 */
import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import twilio from 'twilio';
import { startFakeTwilio, type FakeTwilio } from '../support/fake-twilio';
import { eventually, http, signUp, startTestStack, type TestStack } from '../support/test-stack';

const PUBLIC_URL = 'https://cx.example.test';
const ACCOUNT_SID = `AC${randomBytes(16).toString('hex')}`;
const AUTH_TOKEN = randomBytes(16).toString('hex');
const FROM_NUMBER = '+15005550006';
const CONFIRMATION = 'You are out. Reply START to come back.';
const HELP_TEXT = 'Acme support: reply STOP to unsubscribe.';
const RESUBSCRIBED = 'Welcome back!';

interface MessageView {
  id: string;
  direction: string;
  senderType: string;
  content: string;
  deliveryStatus: string;
  error: string | null;
  providerMessageId: string | null;
  attachments: { url: string; contentType: string | null }[];
}
interface ConversationWithMessages {
  id: string;
  status: string;
  messages: MessageView[];
}

let stack: TestStack;
let fake: FakeTwilio;
let db: Client;
let admin: Awaited<ReturnType<typeof signUp>>;
let inboxId: string;
let n = 0;

const asAdmin = <T>(method: string, path: string, body?: unknown) => http<T>(stack, method, path, body, admin.token);
const uniqueNumber = () => `+1555${String(Date.now() % 1_000_000).padStart(6, '0')}${++n % 10}`;
const newSid = () => `SM${randomBytes(16).toString('hex')}`;

type Signature = 'valid' | 'bad' | 'none';

/** POSTs form fields as Twilio does: signed over PUBLIC_URL + path (and query) with the inbox's auth token. */
async function twilioPost(path: string, params: Record<string, string>, signature: Signature = 'valid', token = AUTH_TOKEN) {
  const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded' };
  if (signature !== 'none') {
    const signed = twilio.getExpectedTwilioSignature(token, PUBLIC_URL + path, params);
    headers['x-twilio-signature'] = signature === 'valid' ? signed : signed.replace(/^./, (c) => (c === 'A' ? 'B' : 'A'));
  }
  const res = await fetch(stack.baseUrl + path, { method: 'POST', headers, body: new URLSearchParams(params).toString() });
  const text = await res.text();
  return { status: res.status, contentType: res.headers.get('content-type'), text, json: () => JSON.parse(text) as { message: string; details?: { field: string; problem: string }[] } };
}

function inbound(from: string, body: string, extra: Record<string, string> = {}, sid = newSid()) {
  return { MessageSid: sid, SmsSid: sid, AccountSid: ACCOUNT_SID, From: from, To: FROM_NUMBER, Body: body, NumMedia: '0', NumSegments: '1', ...extra };
}

const sendSms = (params: Record<string, string>, signature: Signature = 'valid') => twilioPost(`/webhooks/twilio/sms/${inboxId}`, params, signature);

async function rows<T>(sql: string, params: unknown[]): Promise<T[]> {
  return (await db.query(sql, params)).rows as T[];
}

async function conversationOf(from: string): Promise<ConversationWithMessages> {
  const [row] = await rows<{ id: string }>(
    `select c.id from conversations c join contact_identities i on i.contact_id = c.contact_id and i.channel_type = 'sms'
     where c.inbox_id = $1 and i.address = $2`,
    [inboxId, from],
  );
  if (!row) throw new Error(`no conversation from ${from}`);
  const res = await asAdmin<ConversationWithMessages>('GET', `/api/v1/conversations/${row.id}`);
  expect(res.status).toBe(200);
  return res.body;
}

async function contactIdOf(from: string): Promise<string> {
  const [row] = await rows<{ contact_id: string }>(`select contact_id from contact_identities where account_id = $1 and channel_type = 'sms' and address = $2`, [
    admin.accountId,
    from,
  ]);
  return row.contact_id;
}

/** The Messages API calls the fake received for one recipient. */
const callsTo = (to: string) => fake.requests.filter((r) => r.method === 'POST' && r.form.To === to);

beforeAll(async () => {
  fake = await startFakeTwilio();
  stack = await startTestStack({ env: { TWILIO_API_BASE_URL: fake.baseUrl, PUBLIC_URL } });
  db = new Client({ connectionString: stack.config.database.url });
  await db.connect();
  admin = await signUp(stack, 'SMS Ltd');
  const inbox = await asAdmin<{ id: string }>('POST', '/api/v1/inboxes', { name: 'Texts', channelType: 'sms', settings: { assignmentMode: 'open' } });
  expect(inbox.status).toBe(201);
  inboxId = inbox.body.id;
  const settings = await asAdmin('PATCH', '/api/v1/account', { settings: { optOut: { enabled: true, confirmationText: CONFIRMATION, helpText: HELP_TEXT } } });
  expect(settings.status).toBe(200);
  const put = await asAdmin('PUT', `/api/v1/inboxes/${inboxId}/sms-channel`, { accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN, fromNumber: FROM_NUMBER });
  expect(put.status).toBe(200);
}, 120_000);

afterAll(async () => {
  await db?.end();
  await stack?.close();
  await fake?.close();
});

describe('SMS settings', () => {
  test('the auth token is write-only and stored encrypted; the view names the webhook URLs', async () => {
    const view = await asAdmin<Record<string, unknown>>('GET', `/api/v1/inboxes/${inboxId}/sms-channel`);
    expect(view.status).toBe(200);
    expect(view.body).toEqual({
      inboxId,
      accountSid: ACCOUNT_SID,
      authTokenSet: true,
      fromNumber: FROM_NUMBER,
      messagingServiceSid: null,
      inboundWebhookUrl: `${PUBLIC_URL}/webhooks/twilio/sms/${inboxId}`,
      statusCallbackUrl: `${PUBLIC_URL}/webhooks/twilio/sms/${inboxId}/status`,
      updatedAt: expect.any(String),
    });
    expect(JSON.stringify(view.body)).not.toContain(AUTH_TOKEN);
    const [stored] = await rows<{ auth_token_sealed: string }>('select auth_token_sealed from sms_channels where inbox_id = $1', [inboxId]);
    expect(stored.auth_token_sealed).toMatch(/^v1:/);
    expect(stored.auth_token_sealed).not.toContain(AUTH_TOKEN);
  });

  test('bad settings answer 400/422 naming the field, and nothing is written', async () => {
    const sms = await asAdmin<{ id: string }>('POST', '/api/v1/inboxes', { name: 'Fresh texts', channelType: 'sms' });
    const api = await asAdmin<{ id: string }>('POST', '/api/v1/inboxes', { name: 'Not texts', channelType: 'api' });
    const cases: Array<[string, unknown, number, string]> = [
      [sms.body.id, { accountSid: ACCOUNT_SID, fromNumber: FROM_NUMBER }, 400, 'authToken'],
      [sms.body.id, { accountSid: 'AC123', authToken: AUTH_TOKEN, fromNumber: FROM_NUMBER }, 400, 'accountSid'],
      [sms.body.id, { accountSid: ACCOUNT_SID, authToken: 'short', fromNumber: FROM_NUMBER }, 400, 'authToken'],
      [sms.body.id, { accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN, fromNumber: '0151 1234' }, 400, 'fromNumber'],
      [sms.body.id, { accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN }, 400, 'fromNumber'],
      [sms.body.id, { accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN, messagingServiceSid: 'MG1' }, 400, 'messagingServiceSid'],
      [api.body.id, { accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN, fromNumber: FROM_NUMBER }, 422, 'inboxId'],
    ];
    for (const [id, body, status, field] of cases) {
      const res = await asAdmin<{ details: { field: string }[] }>('PUT', `/api/v1/inboxes/${id}/sms-channel`, body);
      expect([res.status, res.body.details?.[0]?.field]).toEqual([status, field]);
    }
    expect(await rows('select 1 from sms_channels where inbox_id in ($1, $2)', [sms.body.id, api.body.id])).toHaveLength(0);
    expect((await asAdmin('GET', `/api/v1/inboxes/${sms.body.id}/sms-channel`)).status).toBe(404);

    // an update may leave the stored token in place
    const set = await asAdmin('PUT', `/api/v1/inboxes/${sms.body.id}/sms-channel`, { accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN, messagingServiceSid: `MG${'a'.repeat(32)}` });
    expect(set.status).toBe(200);
    const before = await rows<{ auth_token_sealed: string }>('select auth_token_sealed from sms_channels where inbox_id = $1', [sms.body.id]);
    const updated = await asAdmin<{ fromNumber: string; messagingServiceSid: string; authTokenSet: boolean }>('PUT', `/api/v1/inboxes/${sms.body.id}/sms-channel`, {
      accountSid: ACCOUNT_SID,
      fromNumber: FROM_NUMBER,
    });
    expect(updated.body).toMatchObject({ fromNumber: FROM_NUMBER, messagingServiceSid: `MG${'a'.repeat(32)}`, authTokenSet: true });
    expect(await rows('select auth_token_sealed from sms_channels where inbox_id = $1', [sms.body.id])).toEqual(before);
  });
});

describe('inbound webhook', () => {
  test('a signed SMS is stored once even when Twilio delivers it twice; the answer is empty TwiML', async () => {
    const from = uniqueNumber();
    const params = inbound(from, 'Where is my parcel?');
    const first = await sendSms(params);
    expect([first.status, first.contentType, first.text]).toEqual([200, 'text/xml; charset=utf-8', '<?xml version="1.0" encoding="UTF-8"?><Response/>']);
    const again = await sendSms(params);
    expect(again.status).toBe(200);
    const conversation = await conversationOf(from);
    expect(conversation.status).toBe('new');
    expect(conversation.messages.map((m) => [m.direction, m.senderType, m.content, m.deliveryStatus])).toEqual([['inbound', 'contact', 'Where is my parcel?', 'received']]);
    expect(await rows('select 1 from messages where idempotency_key = $1', [`inbound:${inboxId}:${params.MessageSid}`])).toHaveLength(1);
    const [contact] = await rows<{ phone: string }>('select phone from contacts where id = $1', [await contactIdOf(from)]);
    expect(contact.phone).toBe(from);
    // an ordinary message reaches the conversation workflow
    await eventually(() => stack.temporal.workflow.getHandle(`conversation:${conversation.id}`).describe().then((d) => d.status.name), 15_000, 'workflow');
  });

  test.each([
    ['missing', 'none' as const],
    ['wrong', 'bad' as const],
  ])('a %s signature is 403 and nothing is stored', async (_what, signature) => {
    const from = uniqueNumber();
    const params = inbound(from, 'hello');
    const res = await sendSms(params, signature);
    expect(res.status).toBe(403);
    expect(res.json().details).toEqual([{ field: 'X-Twilio-Signature', problem: signature === 'none' ? 'is missing' : 'does not match' }]);
    expect(await rows('select 1 from contact_identities where address = $1', [from])).toHaveLength(0);
    expect(await rows('select 1 from messages where idempotency_key = $1', [`inbound:${inboxId}:${params.MessageSid}`])).toHaveLength(0);
  });

  test("a signature made with another auth token, or over another URL, is 403", async () => {
    const params = inbound(uniqueNumber(), 'hello');
    expect((await twilioPost(`/webhooks/twilio/sms/${inboxId}`, params, 'valid', 'f'.repeat(32))).status).toBe(403);
    const headers = {
      'content-type': 'application/x-www-form-urlencoded',
      'x-twilio-signature': twilio.getExpectedTwilioSignature(AUTH_TOKEN, `${PUBLIC_URL}/webhooks/twilio/sms/${inboxId}/other`, params),
    };
    const res = await fetch(`${stack.baseUrl}/webhooks/twilio/sms/${inboxId}`, { method: 'POST', headers, body: new URLSearchParams(params).toString() });
    expect(res.status).toBe(403);
  });

  test.each(['MessageSid', 'From', 'To', 'Body'])('a signed body without %s is 400 naming it, nothing stored', async (missing) => {
    const from = uniqueNumber();
    const params: Record<string, string> = inbound(from, 'hello');
    delete params[missing];
    if (missing === 'Body') delete params.NumMedia;
    const res = await sendSms(params);
    expect(res.status).toBe(400);
    expect(res.json().details).toEqual([{ field: missing, problem: missing === 'Body' ? 'is required when the message has no media (NumMedia 0)' : 'is required' }]);
    expect(await rows('select 1 from contact_identities where address = $1', [from])).toHaveLength(0);
  });

  test('MMS media URLs and content types are kept with the message', async () => {
    const from = uniqueNumber();
    const media = {
      NumMedia: '2',
      MediaUrl0: `https://api.twilio.com/2010-04-01/Accounts/${ACCOUNT_SID}/Messages/MM1/Media/ME1`,
      MediaContentType0: 'image/jpeg',
      MediaUrl1: `https://api.twilio.com/2010-04-01/Accounts/${ACCOUNT_SID}/Messages/MM1/Media/ME2`,
      MediaContentType1: 'application/pdf',
    };
    expect((await sendSms(inbound(from, '', media))).status).toBe(200);
    const [message] = (await conversationOf(from)).messages;
    expect(message.content).toBe('');
    expect(message.attachments).toEqual([
      { url: media.MediaUrl0, contentType: 'image/jpeg' },
      { url: media.MediaUrl1, contentType: 'application/pdf' },
    ]);
    const bad = await sendSms(inbound(uniqueNumber(), '', { NumMedia: '1' }));
    expect([bad.status, bad.json().details]).toEqual([400, [{ field: 'MediaUrl0', problem: 'is required' }]]);
  });
});

describe('outbound', () => {
  async function startConversation(): Promise<{ from: string; conversationId: string }> {
    const from = uniqueNumber();
    expect((await sendSms(inbound(from, 'Hi there'))).status).toBe(200);
    return { from, conversationId: (await conversationOf(from)).id };
  }
  const reply = (conversationId: string, content: string, idempotencyKey?: string) =>
    asAdmin<{ message: MessageView; duplicate: boolean }>('POST', `/api/v1/conversations/${conversationId}/messages`, {
      content,
      ...(idempotencyKey ? { idempotencyKey } : {}),
    });

  test('an agent reply is a real Twilio Messages POST; the SID is kept; status callbacks move the status forward only', async () => {
    const { from, conversationId } = await startConversation();
    const res = await reply(conversationId, 'Your parcel left today.');
    expect(res.status).toBe(201);
    const [call] = callsTo(from);
    expect(callsTo(from)).toHaveLength(1);
    expect(call.path).toBe(`/2010-04-01/Accounts/${ACCOUNT_SID}/Messages.json`);
    expect(call.headers.authorization).toBe(`Basic ${Buffer.from(`${ACCOUNT_SID}:${AUTH_TOKEN}`).toString('base64')}`);
    expect(call.headers['content-type']).toContain('application/x-www-form-urlencoded');
    expect(call.form).toEqual({
      To: from,
      From: FROM_NUMBER,
      Body: 'Your parcel left today.',
      StatusCallback: `${PUBLIC_URL}/webhooks/twilio/sms/${inboxId}/status?messageId=${res.body.message.id}`,
    });
    const sid = fake.sids[fake.sids.length - 1];
    expect(res.body.message).toMatchObject({ deliveryStatus: 'sent', providerMessageId: sid, error: null });

    const callback = call.form.StatusCallback.slice(PUBLIC_URL.length);
    const status = (s: string, extra: Record<string, string> = {}, signature: Signature = 'valid') =>
      twilioPost(callback, { MessageSid: sid, MessageStatus: s, AccountSid: ACCOUNT_SID, To: from, From: FROM_NUMBER, ...extra }, signature);
    const current = async () => (await conversationOf(from)).messages.find((m) => m.id === res.body.message.id)!;

    expect((await status('delivered', {}, 'none')).status).toBe(403);
    expect((await current()).deliveryStatus).toBe('sent');
    const bad = await status('exploded');
    expect([bad.status, bad.json().details?.[0].field]).toEqual([400, 'MessageStatus']);
    const ok = await status('delivered');
    expect([ok.status, ok.text]).toEqual([200, '<?xml version="1.0" encoding="UTF-8"?><Response/>']);
    expect((await current()).deliveryStatus).toBe('delivered');
    expect((await status('sent')).status).toBe(200); // late and out of order
    expect((await current()).deliveryStatus).toBe('delivered');
    const unknown = await twilioPost(`/webhooks/twilio/sms/${inboxId}/status`, { MessageSid: newSid(), MessageStatus: 'delivered' });
    expect([unknown.status, unknown.json().details?.[0].field]).toEqual([404, 'MessageSid']);
  });

  test('a failure callback (found by SID alone) marks the message failed with the reason', async () => {
    const { conversationId, from } = await startConversation();
    const res = await reply(conversationId, 'Are you there?');
    const sid = res.body.message.providerMessageId!;
    const cb = await twilioPost(`/webhooks/twilio/sms/${inboxId}/status`, { MessageSid: sid, MessageStatus: 'undelivered', ErrorCode: '30003' });
    expect(cb.status).toBe(200);
    const message = (await conversationOf(from)).messages.find((m) => m.id === res.body.message.id)!;
    expect([message.deliveryStatus, message.error]).toEqual(['failed', 'Twilio error 30003: Unreachable destination handset']);
  });

  test("Twilio's 21211 (invalid number) fails the message with Twilio's reason, visible in the conversation", async () => {
    const { conversationId, from } = await startConversation();
    fake.answerNext({ status: 400, code: 21211, message: `The 'To' number ${from} is not a valid phone number.` });
    const res = await reply(conversationId, 'Hello?');
    expect(res.status).toBe(201);
    expect(res.body.message).toMatchObject({ deliveryStatus: 'failed', providerMessageId: null });
    const expected = `Twilio error 21211: The 'To' number ${from} is not a valid phone number.`;
    expect(res.body.message.error).toBe(expected);
    const message = (await conversationOf(from)).messages.find((m) => m.id === res.body.message.id)!;
    expect([message.deliveryStatus, message.error]).toEqual(['failed', expected]);
    expect(callsTo(from)).toHaveLength(1);
  });

  test('a 500 from Twilio keeps the reply queued; the retry sends it once, a further retry sends nothing', async () => {
    const { conversationId, from } = await startConversation();
    fake.answerNext({ status: 500, code: 20500, message: 'Internal Server Error' });
    const first = await reply(conversationId, 'Retry me', 'retry-1');
    expect(first.status).toBe(503);
    expect(callsTo(from)).toHaveLength(1);
    const [queued] = await rows<{ delivery_status: string }>(`select delivery_status from messages where idempotency_key like $1`, ['%:retry-1']);
    expect(queued.delivery_status).toBe('queued');

    const second = await reply(conversationId, 'Retry me', 'retry-1');
    expect(second.status).toBe(201);
    expect(second.body).toMatchObject({ duplicate: true, message: { deliveryStatus: 'sent', providerMessageId: fake.sids[fake.sids.length - 1] } });
    expect(callsTo(from)).toHaveLength(2);
    const third = await reply(conversationId, 'Retry me', 'retry-1');
    expect(third.body.duplicate).toBe(true);
    expect(callsTo(from)).toHaveLength(2);
    expect((await conversationOf(from)).messages.filter((m) => m.content === 'Retry me')).toHaveLength(1);
  });
});

describe('opt-out keywords', () => {
  async function optOuts(from: string): Promise<{ channelType: string; source: string }[]> {
    const res = await asAdmin<{ optOuts: { channelType: string; source: string }[] }>('GET', `/api/v1/contacts/${await contactIdOf(from)}`);
    expect(res.status).toBe(200);
    return res.body.optOuts.map(({ channelType, source }) => ({ channelType, source }));
  }

  test.each(['STOP', 'stop', ' Stop ', 'unsubscribe', 'Quit'])('%j opts the contact out of sms and sends the confirmation once', async (keyword) => {
    const from = uniqueNumber();
    const params = inbound(from, keyword);
    expect((await sendSms(params)).status).toBe(200);
    expect((await sendSms(params)).status).toBe(200); // Twilio retries
    expect(await optOuts(from)).toEqual([{ channelType: 'sms', source: 'keyword' }]);
    expect(callsTo(from).map((c) => c.form.Body)).toEqual([CONFIRMATION]);
    const conversation = await conversationOf(from);
    // stored in the history, not routed: the conversation did not start a workflow
    expect(conversation.status).toBe('resolved');
    expect(conversation.messages.map((m) => [m.direction, m.senderType, m.content, m.deliveryStatus])).toEqual([
      ['inbound', 'contact', keyword, 'received'],
      ['outbound', 'system', CONFIRMATION, 'sent'],
    ]);
    await expect(stack.temporal.workflow.getHandle(`conversation:${conversation.id}`).describe()).rejects.toThrow(/not found/i);
  });

  test('START re-subscribes (with the resubscribe text when configured); HELP answers the help text', async () => {
    const from = uniqueNumber();
    await sendSms(inbound(from, 'STOP'));
    expect(await optOuts(from)).toHaveLength(1);
    await sendSms(inbound(from, 'start'));
    expect(await optOuts(from)).toEqual([]);
    expect(callsTo(from).map((c) => c.form.Body)).toEqual([CONFIRMATION]); // no resubscribe text configured

    expect((await asAdmin('PATCH', '/api/v1/account', { settings: { optOut: { resubscribeText: RESUBSCRIBED } } })).status).toBe(200);
    await sendSms(inbound(from, 'END'));
    await sendSms(inbound(from, 'UNSTOP'));
    expect(await optOuts(from)).toEqual([]);
    await sendSms(inbound(from, 'Help'));
    expect(callsTo(from).map((c) => c.form.Body)).toEqual([CONFIRMATION, CONFIRMATION, RESUBSCRIBED, HELP_TEXT]);
    expect((await asAdmin('PATCH', '/api/v1/account', { settings: { optOut: { resubscribeText: '' } } })).status).toBe(200);
  });

  test('no confirmation while the account setting is off; the opt-out still applies', async () => {
    expect((await asAdmin('PATCH', '/api/v1/account', { settings: { optOut: { enabled: false } } })).status).toBe(200);
    try {
      const from = uniqueNumber();
      await sendSms(inbound(from, 'CANCEL'));
      expect(await optOuts(from)).toEqual([{ channelType: 'sms', source: 'keyword' }]);
      expect(callsTo(from)).toEqual([]);
    } finally {
      expect((await asAdmin('PATCH', '/api/v1/account', { settings: { optOut: { enabled: true } } })).status).toBe(200);
    }
  });

  test('"stop it please" is an ordinary message; the opt-out can be changed by hand', async () => {
    const from = uniqueNumber();
    await sendSms(inbound(from, 'stop it please'));
    expect(await optOuts(from)).toEqual([]);
    expect(callsTo(from)).toEqual([]);
    const conversation = await conversationOf(from);
    expect(conversation.status).toBe('new');
    await eventually(() => stack.temporal.workflow.getHandle(`conversation:${conversation.id}`).describe().then((d) => d.status.name), 15_000, 'workflow');

    const contactId = await contactIdOf(from);
    expect((await asAdmin('PUT', `/api/v1/contacts/${contactId}/opt-outs/sms`)).status).toBe(204);
    expect(await optOuts(from)).toEqual([{ channelType: 'sms', source: `manual:${admin.userId}` }]);
  });
});
