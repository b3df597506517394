/**
 * The inbox manager screens in a real Chromium against a real API stack: a new manager signs up,
 * creates an SMS inbox, sets business hours (two intervals on Monday, a holiday, a time zone),
 * adds an agent as a member, adds two routing rules and drags the second above the first with the
 * mouse, using only the UI; the API then holds exactly those settings. The API's field errors
 * show next to their fields; screenshots of each screen at desktop and phone width.
 */
import type { Locator, Page } from 'playwright-core';
import { PHONE, newContext, screenshot, sessionToken, useBrowser, visible } from '../support/browser';
import { http, startTestStack, type TestStack } from '../support/test-stack';

useBrowser();
let stack: TestStack;

beforeAll(async () => {
  // SECRETS_KEY lets the API store the Twilio auth token (encrypted), so the webhook URLs show.
  stack = await startTestStack({ worker: false, env: { SECRETS_KEY: Buffer.alloc(32, 7).toString('base64'), PUBLIC_URL: 'https://cx.example.com' } });
}, 60_000);

afterAll(async () => {
  await stack?.close();
});

const PASSWORD = 'correct horse battery';

interface InboxBody {
  id: string;
  name: string;
  channelType: string;
  settings: {
    businessHours: { enabled: boolean; timezone: string; intervals: Record<string, { start: string; end: string }[]>; exceptions: Record<string, unknown[]> };
    routing: { rules: { name: string; match: string; conditions: unknown[]; target: { type: string; id?: string } }[]; capacityPerAgent: number };
  };
}

/** Picks an option of a Mantine Select (a combobox; its listbox carries the same label). */
async function pick(page: Page, scope: Page | Locator, label: string, option: string | RegExp): Promise<void> {
  await scope.getByRole('combobox', { name: label, exact: true }).click();
  await page.getByRole('option', { name: option }).first().click();
}

async function signUpThroughUi(page: Page, company: string): Promise<{ email: string; token: string }> {
  const email = `inbox-manager-${Date.now()}-${Math.random().toString(36).slice(2, 6)}@example.com`;
  await page.goto('/signup');
  await page.getByLabel('Company or team name').fill(company);
  await page.getByLabel('Your name').fill('Mara Manager');
  await page.getByLabel('Email').fill(email);
  await page.getByLabel(/^Password/).fill(PASSWORD);
  await page.getByRole('button', { name: 'Create account' }).click();
  await visible(page.getByRole('navigation', { name: 'Manage' }));
  const token = await sessionToken(page);
  if (!token) throw new Error('no session token after sign-up');
  return { email, token };
}

async function addRule(page: Page, name: string, attribute: string, value: string | null, valueText: string | null, agent: string): Promise<void> {
  await page.getByRole('button', { name: 'New rule' }).first().click();
  const dialog = page.getByRole('dialog', { name: 'New routing rule' });
  await visible(dialog);
  await dialog.getByLabel('Rule name').fill(name);
  await dialog.getByRole('button', { name: 'Add condition' }).click();
  await pick(page, dialog, 'Condition 1 attribute', attribute);
  if (value) await pick(page, dialog, 'Condition 1 value', value);
  if (valueText) await dialog.getByLabel('Condition 1 value').fill(valueText);
  await pick(page, dialog, 'Agent', agent);
  await screenshot(page, `rule-editor-${name.split(' ')[0].toLowerCase()}`);
  await dialog.getByRole('button', { name: 'Add rule' }).click();
  await dialog.waitFor({ state: 'hidden' });
  await visible(page.getByRole('listitem', { name: new RegExp(`: ${name}$`) }));
}

test('a new manager sets up an SMS inbox through the UI; the API holds exactly those settings', async () => {
  const context = await newContext(stack);
  const page = await context.newPage();
  const { token } = await signUpThroughUi(page, 'Inbox Ltd');

  // The agent exists beforehand (created through the API).
  const agent = await http<{ id: string }>(stack, 'POST', '/api/v1/users', { name: 'Anna Agent', email: `anna-${Date.now()}@example.com`, password: PASSWORD }, token);
  expect(agent.status).toBe(201);

  await page.getByRole('navigation', { name: 'Main navigation' }).getByRole('link', { name: 'Inboxes' }).click();
  await visible(page.getByRole('heading', { name: 'No inboxes yet' }));
  await screenshot(page, 'list-empty');

  // Create the SMS inbox: it opens on its channel tab.
  await page.getByRole('button', { name: 'New inbox' }).first().click();
  const dialog = page.getByRole('dialog', { name: 'New inbox' });
  await dialog.getByLabel('Inbox name').fill('Hotline');
  await pick(page, dialog, 'Channel', 'SMS (Twilio)');
  await screenshot(page, 'create');
  await dialog.getByRole('button', { name: 'Create inbox' }).click();
  await visible(page.getByRole('heading', { name: 'Hotline', level: 1 }));
  await visible(page.getByRole('heading', { name: 'Twilio account' }));
  const inboxId = new URL(page.url()).pathname.split('/')[2];

  // Twilio settings: after saving, the two webhook URLs (from PUBLIC_URL) show with copy buttons.
  await page.getByLabel('Account SID').fill('AC' + 'a'.repeat(32));
  await page.getByLabel(/^Auth token/).fill('b'.repeat(32));
  await page.getByLabel(/^Sender number/).fill('+15005550006');
  await page.getByRole('button', { name: 'Save Twilio settings' }).click();
  await visible(page.getByRole('button', { name: 'Copy Incoming message webhook' }));
  expect(await page.getByLabel('Incoming message webhook', { exact: true }).textContent()).toBe(`https://cx.example.com/webhooks/twilio/sms/${inboxId}`);
  expect(await page.getByLabel('Status callback URL', { exact: true }).textContent()).toBe(`https://cx.example.com/webhooks/twilio/sms/${inboxId}/status`);
  await screenshot(page, 'channel-sms');

  // Business hours: two intervals on Monday, a holiday, Berlin time.
  await page.getByRole('tab', { name: 'Business hours' }).click();
  await page.getByLabel('Use business hours').check();
  await page.getByRole('combobox', { name: 'Time zone' }).fill('Berlin');
  await page.getByRole('option', { name: 'Europe/Berlin' }).click();
  await page.getByRole('button', { name: 'Add interval on Monday' }).click();
  await page.getByLabel('Monday interval 1 start').fill('09:00');
  await page.getByLabel('Monday interval 1 end').fill('12:00');
  await page.getByRole('button', { name: 'Add interval on Monday' }).click();
  await page.getByLabel('Monday interval 2 start').fill('13:00');
  await page.getByLabel('Monday interval 2 end').fill('17:30');
  // An interval added and removed again leaves nothing behind.
  await page.getByRole('button', { name: 'Add interval on Tuesday' }).click();
  await page.getByRole('button', { name: 'Remove Tuesday interval 1' }).click();
  await page.getByRole('button', { name: 'Add holiday' }).click();
  await page.getByLabel('Date of special day 1').fill('2026-12-25');
  await page.getByRole('textbox', { name: 'Out-of-office message' }).fill('We are closed; we answer on the next working day.');
  await page.getByRole('button', { name: 'Save business hours' }).click();
  await visible(page.getByText('Business hours saved'));
  await screenshot(page, 'business-hours');

  // The agent becomes a member.
  await page.getByRole('tab', { name: 'Members' }).click();
  await pick(page, page, 'User', /Anna Agent/);
  await page.getByRole('button', { name: 'Add member' }).click();
  await visible(page.getByRole('table', { name: 'Members' }).getByRole('cell', { name: 'Anna Agent' }));
  await screenshot(page, 'members');

  // Two routing rules; the second is dragged above the first with the mouse.
  await page.getByRole('tab', { name: 'Routing rules' }).click();
  await visible(page.getByRole('heading', { name: 'No routing rules' }));
  await addRule(page, 'VIP customers', 'Contact is VIP', 'true', null, 'Anna Agent');
  await addRule(page, 'Refund requests', 'Message text', null, 'refund', 'Anna Agent');
  const list = page.getByRole('list', { name: 'Routing rules in order' });
  await visible(list.getByRole('listitem', { name: 'Rule 2: Refund requests' }));

  const handle = await page.getByRole('button', { name: 'Drag rule Refund requests' }).boundingBox();
  const target = await list.getByRole('listitem', { name: 'Rule 1: VIP customers' }).boundingBox();
  if (!handle || !target) throw new Error('no boxes for the drag');
  await page.mouse.move(handle.x + handle.width / 2, handle.y + handle.height / 2);
  await page.mouse.down();
  await page.mouse.move(handle.x + handle.width / 2, handle.y - 10, { steps: 5 });
  await page.mouse.move(handle.x + handle.width / 2, target.y + 4, { steps: 10 });
  await page.mouse.up();
  await visible(list.getByRole('listitem', { name: 'Rule 1: Refund requests' }));
  await page.getByText('Saving the order…').waitFor({ state: 'hidden' });
  await screenshot(page, 'routing');

  // The API holds exactly what the UI set.
  const inbox = await http<InboxBody>(stack, 'GET', `/api/v1/inboxes/${inboxId}`, undefined, token);
  expect(inbox.status).toBe(200);
  expect(inbox.body.channelType).toBe('sms');
  expect(inbox.body.settings.businessHours).toEqual({
    enabled: true,
    timezone: 'Europe/Berlin',
    intervals: { mon: [{ start: '09:00', end: '12:00' }, { start: '13:00', end: '17:30' }] },
    exceptions: { '2026-12-25': [] },
    outOfOfficeMessage: 'We are closed; we answer on the next working day.',
  });
  expect(inbox.body.settings.routing.rules).toEqual([
    { name: 'Refund requests', match: 'all', conditions: [{ attribute: 'message.content', operator: 'equals', value: 'refund' }], target: { type: 'agent', id: agent.body.id } },
    { name: 'VIP customers', match: 'all', conditions: [{ attribute: 'contact.vip', operator: 'equals', value: true }], target: { type: 'agent', id: agent.body.id } },
  ]);
  const members = await http<{ userId: string; role: string }[]>(stack, 'GET', `/api/v1/inboxes/${inboxId}/members`, undefined, token);
  expect(members.body).toEqual([expect.objectContaining({ userId: agent.body.id, role: 'member' })]);

  // Keyboard-accessible reorder: move the VIP rule back up with its button.
  await page.getByRole('button', { name: 'Move rule VIP customers up' }).click();
  await visible(list.getByRole('listitem', { name: 'Rule 1: VIP customers' }));
  await page.getByText('Saving the order…').waitFor({ state: 'hidden' });
  const after = await http<InboxBody>(stack, 'GET', `/api/v1/inboxes/${inboxId}`, undefined, token);
  expect(after.body.settings.routing.rules.map((r) => r.name)).toEqual(['VIP customers', 'Refund requests']);

  await page.getByRole('tab', { name: 'Settings' }).click();
  await visible(page.getByLabel('Capacity per agent'));
  await screenshot(page, 'settings');
  await page.goto('/inboxes');
  await visible(page.getByRole('table', { name: 'Inboxes' }).getByRole('link', { name: 'Hotline' }));
  await screenshot(page, 'list');

  // The same screens at phone width.
  const phone = await newContext(stack, { viewport: PHONE });
  const small = await phone.newPage();
  await small.goto('/login');
  await small.evaluate((t) => (globalThis as unknown as { localStorage: { setItem(k: string, v: string): void } }).localStorage.setItem('cx.session', t), token);
  for (const tab of ['settings', 'hours', 'routing', 'channel', 'members']) {
    await small.goto(`/inboxes/${inboxId}/${tab}`);
    await visible(small.getByRole('heading', { name: 'Hotline', level: 1 }));
    await small.getByRole('status', { name: /Loading/ }).waitFor({ state: 'hidden' });
    await screenshot(small, `phone-${tab}`);
  }
  await small.goto('/inboxes');
  await visible(small.getByRole('link', { name: 'Hotline' }));
  await screenshot(small, 'phone-list');
  await phone.close();
  await context.close();
}, 240_000);

test("the API's field errors show next to their fields (capacity, a day's interval)", async () => {
  const context = await newContext(stack);
  const page = await context.newPage();
  const { token } = await signUpThroughUi(page, 'Errors Ltd');
  const created = await http<{ id: string }>(stack, 'POST', '/api/v1/inboxes', { name: 'Mail', channelType: 'email' }, token);
  expect(created.status).toBe(201);

  await page.goto(`/inboxes/${created.body.id}/settings`);
  const capacity = page.getByLabel('Capacity per agent');
  await capacity.fill('0');
  await page.getByRole('button', { name: 'Save settings' }).click();
  await visible(page.locator('.mantine-InputWrapper-error'));
  expect(await capacity.getAttribute('aria-invalid')).toBe('true');
  expect(await page.locator('.mantine-InputWrapper-error').allTextContents()).toEqual([expect.stringMatching(/capacityPerAgent|1/)]);
  await screenshot(page, 'settings-error');
  // Nothing was stored.
  const inbox = await http<InboxBody>(stack, 'GET', `/api/v1/inboxes/${created.body.id}`, undefined, token);
  expect(inbox.body.settings.routing.capacityPerAgent).toBe(10);

  // An interval that starts where it ends: the API's problem sits next to that interval.
  await page.getByRole('tab', { name: 'Business hours' }).click();
  await page.getByRole('button', { name: 'Add interval on Friday' }).click();
  await page.getByLabel('Friday interval 1 start').fill('10:00');
  await page.getByLabel('Friday interval 1 end').fill('10:00');
  await page.getByRole('button', { name: 'Save business hours' }).click();
  await visible(page.getByRole('group', { name: 'Friday' }).getByRole('alert'));
  expect(await page.getByRole('group', { name: 'Friday' }).getByRole('alert').textContent()).toBe('start and end must differ');
  await screenshot(page, 'business-hours-error');

  // The email channel without settings: the test button waits for them; invalid host named by the API.
  await page.getByRole('tab', { name: 'Channel' }).click();
  await visible(page.getByRole('button', { name: 'Test connection' }));
  await page.getByLabel('Email address').fill('support@example.com');
  await page.getByLabel('IMAP host').fill('imap://bad host');
  await page.getByLabel('IMAP user').fill('support');
  await page.getByLabel('SMTP host').fill('smtp.example.com');
  await page.getByRole('button', { name: 'Save email settings' }).click();
  await visible(page.locator('.mantine-InputWrapper-error'));
  expect(await page.getByLabel('IMAP host').getAttribute('aria-invalid')).toBe('true');
  await screenshot(page, 'channel-email-error');

  // Stored settings pointing at a port nothing listens on: the test shows DNS passed, TCP failed.
  await page.getByLabel('IMAP host').fill('127.0.0.1');
  await page.getByLabel('IMAP port').fill('1');
  await page.getByLabel('IMAP over TLS (IMAPS)').uncheck();
  await page.getByLabel('IMAP password').fill('secret');
  await page.getByLabel('SMTP host').fill('127.0.0.1');
  await page.getByLabel('SMTP port').fill('1');
  await page.getByLabel('Read new mail (the mailbox workflow runs)').uncheck();
  await page.getByRole('button', { name: 'Save email settings' }).click();
  await visible(page.getByText('Email settings saved'));
  await page.getByRole('button', { name: 'Test connection' }).click();
  const imap = page.getByRole('region', { name: 'IMAP test' });
  await visible(imap.getByText('Failed'));
  await visible(imap.getByLabel('IMAP DNS lookup: passed'));
  await visible(imap.getByLabel('IMAP TCP connect: failed'));
  await visible(imap.getByLabel('IMAP Login: not run'));
  await visible(page.getByRole('region', { name: 'SMTP test' }).getByLabel('SMTP TCP connect: failed'));
  await screenshot(page, 'channel-email-test');
  await context.close();
}, 180_000);
