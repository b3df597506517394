/**
 * The agent's console in a real Chromium against the real stack (PostgreSQL, Temporal, API, worker):
 * a customer's SMS arrives through the signed Twilio webhook and appears in the agent's list without
 * a reload; the agent opens it, expands the saved reply `/thanks` (variables rendered), sends it
 * (the fake Twilio gets the rendered text), resolves it; the assignee filters change the list; the
 * presence switch goes offline and online through the API.
 */
import { randomBytes } from 'node:crypto';
import * as nodeHttp from 'node:http';
import type { AddressInfo } from 'node:net';
import twilio from 'twilio';
import { PHONE, loginAs, newContext, screenshot, useBrowser, visible } from '../support/browser';
import { startFakeTwilio, type FakeTwilio } from '../support/fake-twilio';
import { eventually, http, signUp, startTestStack, type TestStack } from '../support/test-stack';

useBrowser();

const PUBLIC_URL = 'https://cx.example.test';
const ACCOUNT_SID = `AC${randomBytes(16).toString('hex')}`;
const AUTH_TOKEN = randomBytes(16).toString('hex');
const FROM_NUMBER = '+15005550006';
const CUSTOMER = '+15557654321';
const PASSWORD = 'correct horse battery';

let stack: TestStack;
let fake: FakeTwilio;
let admin: Awaited<ReturnType<typeof signUp>>;
let inboxId: string;
let agent: { id: string; email: string };

const asAdmin = <T>(method: string, path: string, body?: unknown) => http<T>(stack, method, path, body, admin.token);

async function customerSends(body: string): Promise<void> {
  const path = `/webhooks/twilio/sms/${inboxId}`;
  const sid = `SM${randomBytes(16).toString('hex')}`;
  const params = { MessageSid: sid, SmsSid: sid, AccountSid: ACCOUNT_SID, From: CUSTOMER, To: FROM_NUMBER, Body: body, NumMedia: '0', NumSegments: '1' };
  const res = await fetch(stack.baseUrl + path, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': twilio.getExpectedTwilioSignature(AUTH_TOKEN, PUBLIC_URL + path, params) },
    body: new URLSearchParams(params).toString(),
  });
  expect(res.status).toBeLessThan(300);
}

beforeAll(async () => {
  fake = await startFakeTwilio();
  stack = await startTestStack({ env: { TWILIO_API_BASE_URL: fake.baseUrl, PUBLIC_URL } });
  admin = await signUp(stack, 'Agent Desk Ltd');
  const inbox = await asAdmin<{ id: string }>('POST', '/api/v1/inboxes', { name: 'Texts', channelType: 'sms', settings: { assignmentMode: 'open' } });
  expect(inbox.status).toBe(201);
  inboxId = inbox.body.id;
  expect((await asAdmin('PUT', `/api/v1/inboxes/${inboxId}/sms-channel`, { accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN, fromNumber: FROM_NUMBER })).status).toBe(200);
  const email = `agent-${Date.now()}@example.com`;
  const user = await asAdmin<{ id: string }>('POST', '/api/v1/users', { name: 'Alex Agent', email, password: PASSWORD });
  expect(user.status).toBe(201);
  agent = { id: user.body.id, email };
  expect((await asAdmin('PUT', `/api/v1/inboxes/${inboxId}/members/${agent.id}`, { role: 'member' })).status).toBeLessThan(300);
  const reply = await asAdmin('POST', '/api/v1/saved-replies', { scope: 'inbox', inboxId, shortcut: 'thanks', content: 'Thanks {{contact.first_name}}, we are on it!' });
  expect(reply.status).toBe(201);
}, 120_000);

/** Polls until `read` returns `expected` (jest has no expect.poll). */
async function until<T>(read: () => Promise<T>, expected: T, what: string): Promise<void> {
  await eventually(async () => ((await read()) === expected ? true : undefined), 10_000, what);
}

afterAll(async () => {
  await stack?.close();
  await fake?.close();
});

test('a customer SMS appears live; the agent expands /thanks, replies (Twilio gets the rendered text), resolves; filters change the list', async () => {
  const context = await newContext(stack);
  const page = await context.newPage();
  await loginAs(page, stack, agent.email, PASSWORD);
  await visible(page.getByText('No conversations yet'));

  // The customer writes while the agent looks at the list: it appears without a reload.
  await customerSends('Hello, where is my parcel?');
  const conversation = await eventually(async () => {
    const list = await asAdmin<{ items: { id: string; contactId: string }[] }>('GET', `/api/v1/conversations?inboxId=${inboxId}`);
    return list.body.items[0];
  });
  expect((await asAdmin('PATCH', `/api/v1/contacts/${conversation.contactId}`, { name: 'Jane Doe' })).status).toBe(200);
  const row = page.getByRole('navigation', { name: 'Conversation list' }).getByRole('link', { name: /Jane Doe|Unknown contact/ });
  await visible(row);

  const filters = page.getByRole('form', { name: 'Filters' });
  // Filters: unassigned shows it, "Mine" does not.
  await filters.getByText('Unassigned', { exact: true }).click();
  await page.waitForURL(/assignee=unassigned/);
  await visible(page.getByRole('link', { name: /^Jane Doe, New, unread/ }));
  await screenshot(page, 'list-desktop');
  await filters.getByText('Mine', { exact: true }).click();
  await page.waitForURL(/assignee=me/);
  await visible(page.getByText('No conversation matches'));
  // The admin gives it to the agent: now it is "Mine" (without a reload).
  expect((await asAdmin('PUT', `/api/v1/conversations/${conversation.id}/assignee`, { assigneeId: agent.id })).status).toBe(200);
  await visible(page.getByRole('link', { name: /^Jane Doe/ }));
  await filters.getByText('All', { exact: true }).click();

  // Open it: the thread shows the customer's message, the contact panel the contact.
  await page.getByRole('link', { name: /^Jane Doe/ }).click();
  await page.waitForURL(new RegExp(`/conversations/${conversation.id}`));
  await visible(page.getByRole('listitem').filter({ hasText: 'Hello, where is my parcel?' }));
  await visible(page.getByRole('complementary', { name: 'Contact' }).getByText(CUSTOMER));
  expect(await page.getByRole('link', { name: 'Timeline' }).getAttribute('href')).toBe(`/conversations/${conversation.id}/timeline`);

  // `/thanks` + Tab expands the saved reply with the contact's first name.
  const box = page.getByRole('textbox', { name: 'Reply', exact: true });
  await box.click();
  await box.pressSequentially('/than');
  await visible(page.getByRole('listbox', { name: 'Saved replies' }).getByRole('option', { name: /\/thanks/ }));
  await box.press('Tab');
  await until(() => box.inputValue(), 'Thanks Jane, we are on it!', '() => box.inputValue()');
  await screenshot(page, 'conversation-desktop');
  await page.getByRole('button', { name: 'Send reply' }).click();
  await until(() => box.inputValue(), '', '() => box.inputValue()');
  await eventually(async () => (fake.requests.find((r) => r.method === 'POST' && r.form.To === CUSTOMER && r.form.Body === 'Thanks Jane, we are on it!') ? true : undefined), 20_000, 'the reply at Twilio');
  await visible(page.getByRole('listitem').filter({ hasText: 'Thanks Jane, we are on it!' }));

  // A private note stays in the console.
  await page.getByText('Private note', { exact: true }).click();
  await page.getByRole('textbox', { name: 'Private note', exact: true }).fill('Parcel is with DHL.');
  await page.getByRole('button', { name: 'Add note' }).click();
  await visible(page.getByRole('listitem').filter({ hasText: 'Parcel is with DHL.' }));
  expect(fake.requests.some((r) => r.form.Body === 'Parcel is with DHL.')).toBe(false);

  await page.getByRole('button', { name: 'Resolve' }).click();
  await visible(page.getByLabel('Status: Resolved'));
  await visible(page.getByRole('button', { name: 'Reopen' }));
  const after = await asAdmin<{ status: string }>('GET', `/api/v1/conversations/${conversation.id}`);
  expect(after.body.status).toBe('resolved');
  await visible(page.getByRole('link', { name: /^Jane Doe, Resolved/ }));
  await screenshot(page, 'conversation-resolved-desktop');

  // At a phone width: the list, then the conversation on its own.
  const phone = await newContext(stack, { viewport: PHONE });
  const small = await phone.newPage();
  await loginAs(small, stack, agent.email, PASSWORD);
  await visible(small.getByRole('link', { name: /^Jane Doe/ }));
  await screenshot(small, 'list-phone');
  await small.getByRole('link', { name: /^Jane Doe/ }).click();
  await visible(small.getByRole('button', { name: 'Reopen' }));
  await screenshot(small, 'conversation-phone');
  await phone.close();
  await context.close();
}, 120_000);

test('the presence switch takes the agent offline and online again through the API', async () => {
  const context = await newContext(stack);
  const page = await context.newPage();
  await loginAs(page, stack, agent.email, PASSWORD);
  const online = page.getByRole('switch', { name: 'Online' });
  await until(() => online.isChecked(), true, '() => online.isChecked()');
  // As routing sees it (the inbox's agents, seen by the admin).
  const presence = async () => (await asAdmin<{ agents: { userId: string; online: boolean }[] }>('GET', `/api/v1/inboxes/${inboxId}/agents`)).body.agents.find((a) => a.userId === agent.id)?.online;
  await online.click({ force: true });
  await until(() => online.isChecked(), false, '() => online.isChecked()');
  await until(presence, false, 'presence');
  await visible(page.getByText('Offline', { exact: true }));
  await online.click({ force: true });
  await until(presence, true, 'presence');
  await context.close();
});

test('the agent starts a conversation (Twilio gets it), moves it to another SMS inbox, marks it as spam', async () => {
  const second = await asAdmin<{ id: string }>('POST', '/api/v1/inboxes', { name: 'Texts Two', channelType: 'sms', settings: { assignmentMode: 'open' } });
  expect(second.status).toBe(201);
  expect((await asAdmin('PUT', `/api/v1/inboxes/${second.body.id}/sms-channel`, { accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN, fromNumber: '+15005550007' })).status).toBe(200);
  expect((await asAdmin('PUT', `/api/v1/inboxes/${second.body.id}/members/${agent.id}`, { role: 'member' })).status).toBeLessThan(300);
  // Moving between inboxes is an account setting (off by default).
  expect((await asAdmin('PATCH', '/api/v1/account', { settings: { allowMoveBetweenInboxes: true } })).status).toBe(200);
  const to = '+15551112233';
  const text = `Your order ships today (${Date.now()})`;

  const context = await newContext(stack);
  const page = await context.newPage();
  await loginAs(page, stack, agent.email, PASSWORD);
  await page.getByRole('link', { name: 'Start a conversation' }).click();
  await page.getByRole('combobox', { name: 'Inbox', exact: true }).click();
  await page.getByRole('option', { name: /^Texts \(SMS\)/ }).click();
  await page.getByLabel('Phone number').fill(to);
  await page.getByRole('textbox', { name: 'Message', exact: true }).fill(text);
  await screenshot(page, 'start-conversation');
  await page.getByRole('button', { name: 'Send and open' }).click();
  await page.waitForURL(/\/conversations\/[0-9a-f-]{36}/);
  const conversationId = page.url().match(/\/conversations\/([0-9a-f-]{36})/)![1];
  await eventually(async () => (fake.requests.some((r) => r.method === 'POST' && r.form.To === to && r.form.Body === text) ? true : undefined), 10_000, 'Twilio got the first message');

  // A reply with a picture (MMS): the URL is checked (HEAD), Twilio gets it as MediaUrl.
  const media = nodeHttp.createServer((req, res) => {
    res.writeHead(200, { 'content-type': 'image/png', 'content-length': '2048' });
    res.end();
  });
  await new Promise<void>((r) => media.listen(0, '127.0.0.1', r));
  try {
    const picture = `http://127.0.0.1:${(media.address() as AddressInfo).port}/label.png`;
    const reply = page.getByRole('textbox', { name: 'Reply', exact: true });
    await visible(page.getByText(text));
    await reply.fill('Here is your shipping label');
    await page.locator('input').and(page.getByLabel('Media (MMS)')).fill(picture);
    await page.keyboard.press('Enter');
    // The draft (text and media) outlives the reply box: a reload brings both back.
    await page.reload();
    await until(() => reply.inputValue(), 'Here is your shipping label', 'the draft after a reload');
    await visible(page.getByText(picture));
    await screenshot(page, 'reply-with-media');
    await page.getByRole('button', { name: 'Send reply' }).click();
    await eventually(async () => (fake.requests.some((r) => r.method === 'POST' && r.form.To === to && r.form.Body === 'Here is your shipping label' && r.mediaUrls.join() === picture) ? true : undefined), 10_000, 'Twilio got the MMS');
    // Sent: the draft is gone.
    await until(() => reply.inputValue(), '', 'the reply box after sending');
    expect(await page.evaluate(() => Object.keys((globalThis as unknown as { sessionStorage: object }).sessionStorage).filter((k) => k.startsWith('cx.draft.')))).toEqual([]);
  } finally {
    // Also when the steps above fail: an open server would keep jest from exiting.
    media.closeAllConnections();
    await new Promise((r) => media.close(r));
  }

  // Moved to the other SMS inbox.
  await page.getByRole('combobox', { name: 'Move to inbox' }).click();
  await page.getByRole('option', { name: 'Texts Two' }).click();
  await until(async () => (await asAdmin<{ inboxId: string }>('GET', `/api/v1/conversations/${conversationId}`)).body.inboxId, second.body.id, 'moved');

  // Spam, after the confirmation.
  await page.getByRole('button', { name: 'Spam', exact: true }).click();
  await page.getByRole('button', { name: 'Mark as spam' }).click();
  await until(async () => (await asAdmin<{ status: string }>('GET', `/api/v1/conversations/${conversationId}`)).body.status, 'spam', 'marked as spam');
  await page.getByRole('dialog', { name: 'Mark as spam?' }).waitFor({ state: 'hidden' });
  await visible(page.getByRole('main').getByText('Spam', { exact: true }).first());
  await screenshot(page, 'conversation-spam');
  await context.close();
}, 120_000);
