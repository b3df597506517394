/**
 * Private notes (POST /api/v1/conversations/:id/notes) on the real stack: an SMS inbox against the
 * fake Twilio REST API and an email inbox against a real SMTP receiver get nothing for a note; members
 * see notes in the conversation and its timeline; a note changes no status, is not signalled to the
 * conversation workflow (no welcome, out-of-office or routing) and never reaches the AI agent's prompt.
 */
import { randomBytes } from 'node:crypto';
import twilio from 'twilio';
import { conversationStateQuery, conversationWorkflowId } from '../../workflows/contracts/conversation.contract';
import { ReceiveInboundMessageUseCase } from '../../src/modules/conversations/use-cases/receive-inbound-message.use-case';
import { startFakeOpenAi, type FakeOpenAi } from '../support/fake-openai';
import { startFakeTwilio, type FakeTwilio } from '../support/fake-twilio';
import { startSmtpReceiver, type SmtpReceiver } from '../support/smtp-receiver';
import { eventually, http, signUp, startTestStack, type TestStack } from '../support/test-stack';

const PUBLIC_URL = 'https://cx.example.test';
const ACCOUNT_SID = `AC${randomBytes(16).toString('hex')}`;
const AUTH_TOKEN = randomBytes(16).toString('hex');
const FROM_NUMBER = '+15005550006';

interface MessageView {
  id: string;
  direction: string;
  senderType: string;
  senderUserId: string | null;
  content: string;
  deliveryStatus: string;
  providerMessageId: string | null;
}
interface ConversationView {
  id: string;
  status: string;
  assigneeId: string | null;
  lastActivityAt: string;
  messages: MessageView[];
}
interface User {
  id: string;
  token: string;
}

let stack: TestStack;
let fake: FakeTwilio;
let smtp: SmtpReceiver;
let openai: FakeOpenAi;
let admin: User;
let agent: User;
let outsider: User;
let n = 0;

const call = <T = unknown>(user: User, method: string, path: string, body?: unknown) => http<T>(stack, method, path, body, user.token);
const get = async (id: string) => (await call<ConversationView>(admin, 'GET', `/api/v1/conversations/${id}`)).body;
const note = (user: User, id: string, content: string, idempotencyKey?: string) =>
  call<{ message: MessageView; duplicate: boolean; details?: { field: string; problem: string }[] }>(user, 'POST', `/api/v1/conversations/${id}/notes`, { content, idempotencyKey });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function newUser(name: string): Promise<User> {
  const email = `notes-${Date.now()}-${++n}-${Math.random().toString(36).slice(2, 7)}@example.com`;
  const created = await http<{ id: string }>(stack, 'POST', '/api/v1/users', { name, email, password: 'correct horse battery' }, admin.token);
  expect(created.status).toBe(201);
  const login = await http<{ token: string }>(stack, 'POST', '/api/v1/auth/login', { email, password: 'correct horse battery' });
  return { id: created.body.id, token: login.body.token };
}

async function newInbox(body: Record<string, unknown>): Promise<string> {
  const inbox = await call<{ id: string }>(admin, 'POST', '/api/v1/inboxes', { name: `Notes ${++n}`, ...body });
  expect(inbox.status).toBe(201);
  expect((await call(admin, 'PUT', `/api/v1/inboxes/${inbox.body.id}/members/${agent.id}`, { role: 'member' })).status).toBe(200);
  return inbox.body.id;
}

/** Waits until the conversation workflow handled `count` inbound messages. */
async function handled(conversationId: string, count = 1): Promise<void> {
  await eventually(
    async () => ((await stack.temporal.workflow.getHandle(conversationWorkflowId(conversationId)).query(conversationStateQuery)).inboundHandled >= count ? true : undefined),
    15_000,
    `conversation ${conversationId} handled ${count} message(s)`,
  );
}

/** Signals the conversation workflow received so far (inbound messages and changes). */
async function signals(conversationId: string): Promise<number> {
  const history = await stack.temporal.workflow.getHandle(conversationWorkflowId(conversationId)).fetchHistory();
  return (history.events ?? []).filter((e) => e.workflowExecutionSignaledEventAttributes).length;
}

beforeAll(async () => {
  fake = await startFakeTwilio();
  smtp = await startSmtpReceiver();
  openai = await startFakeOpenAi();
  stack = await startTestStack({
    env: { TWILIO_API_BASE_URL: fake.baseUrl, PUBLIC_URL, OPENAI_API_KEY: 'test-key', OPENAI_BASE_URL: openai.baseUrl, OPENAI_TIMEOUT_MS: '2000' },
  });
  const main = await signUp(stack, 'Notes Ltd');
  admin = { id: main.userId, token: main.token };
  agent = await newUser('Nora Agent');
  outsider = await newUser('Olaf Outsider');
}, 120_000);

afterAll(async () => {
  await stack?.close();
  await fake?.close();
  await smtp?.close();
  await openai?.close();
});

test('SMS inbox: a note reaches no one outside; members see it in the conversation and the timeline; status and workflow untouched', async () => {
  const inboxId = await newInbox({ channelType: 'sms', welcomeMessage: 'Welcome!', settings: { assignmentMode: 'assignment', routing: { humanAgentsEnabled: false } } });
  expect((await call(admin, 'PUT', `/api/v1/inboxes/${inboxId}/sms-channel`, { accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN, fromNumber: FROM_NUMBER })).status).toBe(200);
  const from = `+1555${String(Date.now() % 10_000_000).padStart(7, '0')}`;
  const path = `/webhooks/twilio/sms/${inboxId}`;
  const params = { MessageSid: `SM${randomBytes(16).toString('hex')}`, AccountSid: ACCOUNT_SID, From: from, To: FROM_NUMBER, Body: 'Where is my order?', NumMedia: '0' };
  const res = await fetch(stack.baseUrl + path, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': twilio.getExpectedTwilioSignature(AUTH_TOKEN, PUBLIC_URL + path, params) },
    body: new URLSearchParams(params).toString(),
  });
  expect(res.status).toBe(200);
  const list = await call<{ items: { id: string }[] }>(admin, 'GET', `/api/v1/conversations?inboxId=${inboxId}`);
  const id = list.body.items[0].id;
  await handled(id);
  await eventually(async () => (fake.requests.some((r) => r.method === 'POST' && r.form.To === from && r.form.Body === 'Welcome!') ? true : undefined), 10_000, 'welcome sent');
  const before = await get(id);
  const signalsBefore = await signals(id);
  const sentBefore = fake.requests.filter((r) => r.method === 'POST' && r.form.To === from).length;

  // The agent does not hold the conversation (assignment mode) and still may write a note.
  const written = await note(agent, id, 'VIP customer, handle with care');
  expect(written.status).toBe(201);
  expect(written.body.duplicate).toBe(false);
  expect(written.body.message).toMatchObject({ direction: 'internal', senderType: 'note', senderUserId: agent.id, content: 'VIP customer, handle with care', providerMessageId: null });
  await sleep(1500);
  expect(fake.requests.filter((r) => r.method === 'POST' && r.form.To === from)).toHaveLength(sentBefore);
  expect(fake.requests.some((r) => r.form.Body?.includes('handle with care'))).toBe(false);

  const after = await get(id);
  expect(after).toMatchObject({ status: 'new', assigneeId: null, lastActivityAt: before.lastActivityAt });
  expect(after.messages.at(-1)).toMatchObject({ id: written.body.message.id, direction: 'internal', senderType: 'note' });
  expect(await signals(id)).toBe(signalsBefore);
  const state = await stack.temporal.workflow.getHandle(conversationWorkflowId(id)).query(conversationStateQuery);
  expect(state.inboundHandled).toBe(1);

  const timeline = await call<{ items: { type: string; kind: string; summary: string; messageId?: string; senderType?: string }[] }>(agent, 'GET', `/api/v1/conversations/${id}/timeline`);
  expect(timeline.body.items.find((i) => i.messageId === written.body.message.id)).toMatchObject({
    type: 'message',
    kind: 'internal',
    senderType: 'note',
    summary: 'internal note: VIP customer, handle with care',
  });

  // The agent's reply goes out; the note does not go with it.
  expect((await call(admin, 'POST', `/api/v1/conversations/${id}/self-assign`)).status).toBe(200);
  expect((await call(admin, 'POST', `/api/v1/conversations/${id}/messages`, { content: 'It ships today.' })).status).toBe(201);
  const sent = fake.requests.filter((r) => r.method === 'POST' && r.form.To === from);
  expect(sent.map((r) => r.form.Body)).toEqual(['Welcome!', 'It ships today.']);
}, 60_000);

test('email inbox: a note sends no mail; the next reply carries no trace of it', async () => {
  const inboxId = await newInbox({ channelType: 'email', settings: { assignmentMode: 'open', routing: { humanAgentsEnabled: false } } });
  const put = await call(admin, 'PUT', `/api/v1/inboxes/${inboxId}/email-channel`, {
    address: 'support@notes.test',
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
  // As the mailbox session stores a mail (the IMAP side is covered by email-channel.spec.ts).
  const { conversationId: id } = await stack.api.get(ReceiveInboundMessageUseCase).execute({
    inboxId,
    expectChannel: 'email',
    contact: { sourceId: 'carla@customer.test', name: 'Carla', email: 'carla@customer.test' },
    content: 'My parcel is late.',
  });
  await handled(id);
  const mailsBefore = smtp.mails.length;

  expect((await note(agent, id, 'Checked with the courier: lost in transit')).status).toBe(201);
  await sleep(1500);
  expect(smtp.mails).toHaveLength(mailsBefore);
  expect((await get(id)).status).toBe('new');

  expect((await call(agent, 'POST', `/api/v1/conversations/${id}/messages`, { content: 'We are sending a new one.' })).status).toBe(201);
  await eventually(async () => (smtp.mails.length === mailsBefore + 1 ? true : undefined), 10_000, 'reply mail');
  const mail = smtp.mails.at(-1)!;
  expect(mail.to).toEqual(['carla@customer.test']);
  expect(mail.parsed.text?.trim()).toBe('We are sending a new one.');
  expect(mail.raw.toString('utf8')).not.toContain('courier');
}, 60_000);

test('the AI agent never sees notes; validation, idempotency and access', async () => {
  const prompts: string[] = [];
  openai.respondWith((body) => {
    prompts.push(body.messages.map((m) => m.content).join('\n'));
    return { content: 'We are open 9-17.' };
  });
  const inboxId = await newInbox({ channelType: 'api', settings: { routing: { aiAgentEnabled: true } } });
  const first = await call<{ conversationId: string }>(admin, 'POST', `/api/v1/inboxes/${inboxId}/inbound-messages`, { contact: { sourceId: 'ai-notes' }, content: 'opening hours?' });
  const id = first.body.conversationId;
  await handled(id);
  expect((await note(agent, id, 'SECRET-NOTE: do not promise a refund')).status).toBe(201);
  await call(admin, 'POST', `/api/v1/inboxes/${inboxId}/inbound-messages`, { contact: { sourceId: 'ai-notes' }, content: 'and on Sunday?' });
  await handled(id, 2);
  expect(prompts).toHaveLength(2);
  expect(prompts[1]).toContain('and on Sunday?');
  expect(prompts[1]).not.toContain('SECRET-NOTE');

  // validation
  for (const [body, field] of [[{ content: '' }, 'content'], [{ content: '   ' }, 'content'], [{}, 'content'], [{ content: 'x', private: true }, 'private']] as const) {
    const bad = await call<{ details: { field: string }[] }>(agent, 'POST', `/api/v1/conversations/${id}/notes`, body);
    expect(bad.status).toBe(400);
    expect(bad.body.details.map((d) => d.field)).toContain(field);
  }
  // idempotency
  const once = await note(agent, id, 'only once', 'key-1');
  const again = await note(agent, id, 'only once', 'key-1');
  expect(again.body).toMatchObject({ duplicate: true, message: { id: once.body.message.id } });
  expect((await get(id)).messages.filter((m) => m.content === 'only once')).toHaveLength(1);
  // access: not a member of the inbox
  const denied = await note(outsider, id, 'let me in');
  expect(denied.status).toBe(403);
  expect((await get(id)).messages.some((m) => m.content === 'let me in')).toBe(false);
}, 60_000);
