/**
 * Agents start conversations (POST /api/v1/inboxes/:inboxId/conversations) on the real stack: SMS
 * through the official Twilio client against the fake Twilio REST API, email through a real SMTP
 * receiver, the API channel recorded. The conversation's workflow runs its lifecycle: the customer's
 * answer threads into it, moves it to new and gets no welcome message.
 */
import { randomBytes } from 'node:crypto';
import twilio from 'twilio';
import { conversationStateQuery, conversationWorkflowId } from '../../workflows/contracts/conversation.contract';
import { AssigneeId, ConversationStatus } from '../../workflows/contracts/search-attributes';
import { startFakeTwilio, type FakeTwilio } from '../support/fake-twilio';
import { startSmtpReceiver, type SmtpReceiver } from '../support/smtp-receiver';
import { eventually, http, signUp, startTestStack, type TestStack } from '../support/test-stack';

const PUBLIC_URL = 'https://cx.example.test';
const ACCOUNT_SID = `AC${randomBytes(16).toString('hex')}`;
const AUTH_TOKEN = randomBytes(16).toString('hex');
const FROM_NUMBER = '+15005550006';
const ADDRESS = 'support@start.test';

interface MessageView {
  id: string;
  direction: string;
  senderType: string;
  senderUserId: string | null;
  content: string;
  deliveryStatus: string;
  providerMessageId: string | null;
  subject?: string | null;
}
interface ConversationView {
  id: string;
  inboxId: string;
  contactId: string;
  channelType: string;
  status: string;
  assigneeId: string | null;
}
interface Started {
  conversation: ConversationView;
  message: MessageView;
  contactId: string;
}
interface ErrorBody {
  message: string;
  details?: { field: string; problem: string }[];
}
interface User {
  id: string;
  token: string;
}

let stack: TestStack;
let fake: FakeTwilio;
let smtp: SmtpReceiver;
let admin: User;
let agent: User;
let outsider: User;
let smsInbox: string;
let emailInbox: string;
let apiInbox: string;
let n = 0;

const call = <T = unknown>(user: User, method: string, path: string, body?: unknown) => http<T>(stack, method, path, body, user.token);
const start = <T = Started>(user: User, inboxId: string, body: Record<string, unknown>) => call<T>(user, 'POST', `/api/v1/inboxes/${inboxId}/conversations`, body);
const uniqueNumber = () => `+1555${String(Date.now() % 1_000_000).padStart(6, '0')}${++n % 10}`;
const postsTo = (to: string) => fake.requests.filter((r) => r.method === 'POST' && r.form.To === to);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function newUser(name: string): Promise<User> {
  const email = `start-${Date.now()}-${++n}-${Math.random().toString(36).slice(2, 7)}@example.com`;
  const created = await http<{ id: string }>(stack, 'POST', '/api/v1/users', { name, email, password: 'correct horse battery' }, admin.token);
  expect(created.status).toBe(201);
  const login = await http<{ token: string }>(stack, 'POST', '/api/v1/auth/login', { email, password: 'correct horse battery' });
  return { id: created.body.id, token: login.body.token };
}

async function newInbox(body: Record<string, unknown>): Promise<string> {
  const inbox = await call<{ id: string }>(admin, 'POST', '/api/v1/inboxes', { name: `Start ${++n}`, ...body });
  expect(inbox.status).toBe(201);
  expect((await call(admin, 'PUT', `/api/v1/inboxes/${inbox.body.id}/members/${agent.id}`, { role: 'member' })).status).toBe(200);
  return inbox.body.id;
}

/** A customer's SMS as Twilio posts it, signed. */
async function customerTexts(from: string, body: string): Promise<void> {
  const path = `/webhooks/twilio/sms/${smsInbox}`;
  const params = { MessageSid: `SM${randomBytes(16).toString('hex')}`, AccountSid: ACCOUNT_SID, From: from, To: FROM_NUMBER, Body: body, NumMedia: '0' };
  const res = await fetch(stack.baseUrl + path, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': twilio.getExpectedTwilioSignature(AUTH_TOKEN, PUBLIC_URL + path, params) },
    body: new URLSearchParams(params).toString(),
  });
  expect(res.status).toBe(200);
}

const conversationCount = async (inboxId: string) => (await call<{ items: unknown[] }>(admin, 'GET', `/api/v1/conversations?inboxId=${inboxId}&limit=100`)).body.items.length;

beforeAll(async () => {
  fake = await startFakeTwilio();
  smtp = await startSmtpReceiver();
  stack = await startTestStack({ env: { TWILIO_API_BASE_URL: fake.baseUrl, PUBLIC_URL, PRESENCE_HEARTBEAT_TIMEOUT_SECONDS: '3600' } });
  const main = await signUp(stack, 'Start Ltd');
  admin = { id: main.userId, token: main.token };
  agent = await newUser('Sam Starter');
  outsider = await newUser('Olga Outsider');

  smsInbox = await newInbox({ channelType: 'sms', welcomeMessage: 'Welcome to Start Ltd!', settings: { assignmentMode: 'assignment' } });
  expect((await call(admin, 'PUT', `/api/v1/inboxes/${smsInbox}/sms-channel`, { accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN, fromNumber: FROM_NUMBER })).status).toBe(200);

  emailInbox = await newInbox({ channelType: 'email', settings: { assignmentMode: 'open' } });
  const put = await call(admin, 'PUT', `/api/v1/inboxes/${emailInbox}/email-channel`, {
    address: ADDRESS,
    displayName: 'Start Support',
    imapHost: '127.0.0.1',
    imapPort: 1,
    imapSecure: false,
    imapUser: 'support',
    imapPassword: 'unused',
    smtpHost: smtp.host,
    smtpPort: smtp.port,
    smtpSecure: false,
    smtpUser: smtp.user,
    smtpPassword: smtp.password,
    enabled: false,
  });
  expect(put.status).toBe(200);

  apiInbox = await newInbox({ channelType: 'api', settings: { assignmentMode: 'assignment', routing: { humanAgentsEnabled: false } } });
}, 120_000);

afterAll(async () => {
  await stack?.close();
  await fake?.close();
  await smtp?.close();
});

describe('SMS inbox', () => {
  test('a new number: a contact, an open conversation assigned to the agent, the text sent through Twilio, the workflow running; the answer threads in without a welcome', async () => {
    const number = uniqueNumber();
    const spaced = `${number.slice(0, 2)} ${number.slice(2, 5)} ${number.slice(5)}`;
    const res = await start(agent, smsInbox, { phone: spaced, content: 'Hi, your repair is done.' });
    expect(res.status).toBe(201);
    const { conversation, message, contactId } = res.body;
    expect(conversation).toMatchObject({ inboxId: smsInbox, contactId, channelType: 'sms', status: 'open', assigneeId: agent.id });
    expect(message).toMatchObject({ direction: 'outbound', senderType: 'agent', senderUserId: agent.id, content: 'Hi, your repair is done.', deliveryStatus: 'sent' });
    const calls = postsTo(number);
    expect(calls).toHaveLength(1);
    expect(calls[0].form).toMatchObject({ From: FROM_NUMBER, Body: 'Hi, your repair is done.' });
    expect(message.providerMessageId).toBe(calls[0].sid);
    const contact = await call<{ phone: string | null }>(admin, 'GET', `/api/v1/contacts/${contactId}`);
    expect(contact.body.phone).toBe(number);

    // The workflow runs the conversation's lifecycle and shows it in its search attributes.
    const handle = stack.temporal.workflow.getHandle(conversationWorkflowId(conversation.id));
    await eventually(async () => {
      const attrs = (await handle.describe()).typedSearchAttributes;
      return attrs.get(ConversationStatus) === 'open' && attrs.get(AssigneeId) === agent.id ? true : undefined;
    }, 15_000, 'search attributes');
    const timeline = await call<{ items: { type: string; kind: string; summary: string }[] }>(agent, 'GET', `/api/v1/conversations/${conversation.id}/timeline`);
    expect(timeline.body.items.filter((i) => i.type === 'decision').map((i) => i.summary)).toEqual([
      'started by Sam Starter through the sms channel (open)',
      'assigned to Sam Starter: they started the conversation (assignment mode)',
    ]);

    // The customer answers: same conversation, back to new, still the agent's (online), no welcome message.
    await customerTexts(number, 'Great, I will pick it up tomorrow');
    await eventually(async () => ((await handle.query(conversationStateQuery)).inboundHandled === 1 ? true : undefined), 15_000, 'answer handled');
    const after = await call<ConversationView & { messages: MessageView[] }>(admin, 'GET', `/api/v1/conversations/${conversation.id}`);
    expect(after.body).toMatchObject({ status: 'new', assigneeId: agent.id });
    expect(after.body.messages.map((m) => [m.direction, m.senderType])).toEqual([
      ['outbound', 'agent'],
      ['inbound', 'contact'],
    ]);
    await sleep(500);
    expect(postsTo(number)).toHaveLength(1);

    // A second start while that conversation is active: 409 naming it, nothing sent.
    const again = await start<ErrorBody>(agent, smsInbox, { phone: number, content: 'Hello again' });
    expect(again.status).toBe(409);
    expect(again.body.details).toEqual([{ field: 'phone', problem: `has the active conversation ${conversation.id}` }]);
    expect(postsTo(number)).toHaveLength(1);
  }, 60_000);

  test('refused: an opted-out contact (409 naming it), fields that do not fit the channel (400 naming them), a contact without a number (422); nothing is stored or sent', async () => {
    const number = uniqueNumber();
    const first = await start(agent, smsInbox, { phone: number, content: 'Your parcel is here.' });
    expect(first.status).toBe(201);
    expect((await call(agent, 'POST', `/api/v1/conversations/${first.body.conversation.id}/resolve`)).status).toBe(200);
    const contactId = first.body.contactId;
    expect((await call(admin, 'PUT', `/api/v1/contacts/${contactId}/opt-outs/sms`)).status).toBeLessThan(300);
    const before = await conversationCount(smsInbox);

    const byId = await start<ErrorBody>(agent, smsInbox, { contactId, content: 'Sale today!' });
    expect(byId.status).toBe(409);
    expect(byId.body.details).toEqual([{ field: 'contactId', problem: 'the contact opted out of sms' }]);
    expect(byId.body.message).toContain('opted out of sms');
    const byPhone = await start<ErrorBody>(agent, smsInbox, { phone: number, content: 'Sale today!' });
    expect(byPhone.status).toBe(409);
    expect(byPhone.body.details).toEqual([{ field: 'phone', problem: 'the contact opted out of sms' }]);

    const apiContact = await call<{ contactId: string }>(admin, 'POST', `/api/v1/inboxes/${apiInbox}/inbound-messages`, { contact: { sourceId: `no-phone-${Date.now()}` }, content: 'hi' });
    const cases: Array<[Record<string, unknown>, number, string]> = [
      [{ email: 'someone@example.com', content: 'x' }, 400, 'email'],
      [{ phone: number, subject: 'Hello', content: 'x' }, 400, 'subject'],
      [{ content: 'x' }, 400, 'contactId'],
      [{ phone: 'call me', content: 'x' }, 400, 'phone'],
      [{ phone: '0151 2345678', content: 'x' }, 400, 'phone'],
      [{ phone: uniqueNumber(), content: '   ' }, 400, 'content'],
      [{ phone: uniqueNumber(), email: 'a@b.test', content: 'x' }, 400, 'email'],
      [{ contactId: 'not-a-uuid', content: 'x' }, 400, 'contactId'],
      [{ contactId: apiContact.body.contactId, content: 'x' }, 422, 'contactId'],
    ];
    for (const [body, status, field] of cases) {
      const res = await start<ErrorBody>(agent, smsInbox, body);
      if (res.status !== status) throw new Error(`${JSON.stringify(body)}: expected ${status}, got ${res.status} ${JSON.stringify(res.body)}`);
      expect(res.body.details?.map((d) => d.field)).toContain(field);
    }
    expect(await conversationCount(smsInbox)).toBe(before);
    expect(postsTo(number)).toHaveLength(1);

    // Not a member of the inbox: 403; the customer is not written to.
    const stranger = uniqueNumber();
    expect((await start(outsider, smsInbox, { phone: stranger, content: 'hi' })).status).toBe(403);
    expect(postsTo(stranger)).toHaveLength(0);
  }, 60_000);
});

describe('email inbox', () => {
  test('a new address: the mail goes out through SMTP with the subject, its Message-ID is kept for threading; open mode assigns nobody; a reply answers "Re:"', async () => {
    const mailsBefore = smtp.mails.length;
    const res = await start(agent, emailInbox, { email: 'New.Person@Customer.test', subject: 'Your order 4711', content: 'Your order is ready.' });
    expect(res.status).toBe(201);
    expect(res.body.conversation).toMatchObject({ channelType: 'email', status: 'open', assigneeId: null });
    expect(res.body.message).toMatchObject({ deliveryStatus: 'sent', subject: 'Your order 4711' });
    await eventually(async () => (smtp.mails.length === mailsBefore + 1 ? true : undefined), 10_000, 'mail');
    const mail = smtp.mails.at(-1)!;
    expect(mail.to).toEqual(['new.person@customer.test']);
    expect(mail.from).toBe(ADDRESS);
    expect(mail.parsed.subject).toBe('Your order 4711');
    expect(mail.parsed.text?.trim()).toBe('Your order is ready.');
    expect(mail.parsed.messageId).toBe(res.body.message.providerMessageId);
    expect(mail.header('auto-submitted')).toBeUndefined();

    const reply = await call(agent, 'POST', `/api/v1/conversations/${res.body.conversation.id}/messages`, { content: 'Opening hours: 9-17.' });
    expect(reply.status).toBe(201);
    await eventually(async () => (smtp.mails.length === mailsBefore + 2 ? true : undefined), 10_000, 'second mail');
    const second = smtp.mails.at(-1)!;
    expect(second.parsed.subject).toBe('Re: Your order 4711');
    expect(second.parsed.inReplyTo).toBe(res.body.message.providerMessageId);

    // Email threads by headers: starting again with the same address is a new conversation with the same contact.
    const again = await start(agent, emailInbox, { email: 'new.person@customer.test', content: 'One more thing.' });
    expect(again.status).toBe(201);
    expect(again.body.contactId).toBe(res.body.contactId);
    expect(again.body.conversation.id).not.toBe(res.body.conversation.id);

    const phone = await start<ErrorBody>(agent, emailInbox, { phone: uniqueNumber(), content: 'x' });
    expect(phone.status).toBe(400);
    expect(phone.body.details).toEqual([expect.objectContaining({ field: 'phone' })]);
  }, 60_000);
});

describe('API inbox', () => {
  test('an existing contact: the message is recorded (sent), the conversation open and assigned; an active conversation is a 409', async () => {
    const source = `api-start-${Date.now()}`;
    const first = await call<{ conversationId: string; contactId: string }>(admin, 'POST', `/api/v1/inboxes/${apiInbox}/inbound-messages`, { contact: { sourceId: source }, content: 'hello' });
    const busy = await start<ErrorBody>(agent, apiInbox, { contactId: first.body.contactId, content: 'Following up' });
    expect(busy.status).toBe(409);
    expect(busy.body.details).toEqual([{ field: 'contactId', problem: `has the active conversation ${first.body.conversationId}` }]);
    expect((await call(admin, 'POST', `/api/v1/conversations/${first.body.conversationId}/resolve`)).status).toBe(200);

    const res = await start(agent, apiInbox, { contactId: first.body.contactId, content: 'Following up on your question' });
    expect(res.status).toBe(201);
    expect(res.body.conversation).toMatchObject({ status: 'open', assigneeId: agent.id, contactId: first.body.contactId });
    expect(res.body.message).toMatchObject({ direction: 'outbound', senderType: 'agent', deliveryStatus: 'sent', providerMessageId: null });
    const state = await eventually(
      async () => (await stack.temporal.workflow.getHandle(conversationWorkflowId(res.body.conversation.id)).describe()).status.name,
      10_000,
      'workflow',
    );
    expect(state).toBe('RUNNING');

    const phone = await start<ErrorBody>(agent, apiInbox, { phone: uniqueNumber(), content: 'x' });
    expect(phone.status).toBe(400);
    expect(phone.body.details).toEqual([expect.objectContaining({ field: 'phone' })]);
    // The customer's next message lands in the started conversation.
    const answer = await call<{ conversationId: string }>(admin, 'POST', `/api/v1/inboxes/${apiInbox}/inbound-messages`, { contact: { sourceId: source }, content: 'thanks' });
    expect(answer.body.conversationId).toBe(res.body.conversation.id);
  }, 60_000);
});
