/**
 * The Reports page's response and resolution times and campaign results in a real Chromium against
 * a real stack (PostgreSQL, the API; no worker: the figures come from the event log written below).
 *
 * Fixture (as in test/integration/reports-conversations.spec.ts): account (set in the account settings
 * screen) and inbox in Europe/Berlin
 * (UTC+1 in early March 2026), business hours Mon-Fri 09:00-12:00 and 13:00-17:00, Wed 2026-03-04 a
 * holiday. C1 (Alice): customer Mon 02 11:00, reply 13:30 (9000 s; business 5400 s), resolved 15:00.
 * C2 (Bob): customer Tue 03 16:00, reply Thu 05 10:00 (151200 s; business 7200 s), resolved Thu 11:00.
 */
import * as fs from 'node:fs';
import { randomUUID } from 'node:crypto';
import { EntityManager } from '@mikro-orm/postgresql';
import { PHONE, loginAs, newContext, screenshot, useBrowser, visible } from '../support/browser';
import { http, signUp, startTestStack, type TestStack } from '../support/test-stack';

useBrowser();

const PASSWORD = 'correct horse battery';
let stack: TestStack;
let admin: Awaited<ReturnType<typeof signUp>>;
const sql = <T>(query: string, params: unknown[] = []) => stack.api.get(EntityManager).fork().execute<T[]>(query, params);
const asAdmin = <T>(method: string, path: string, body?: unknown) => http<T>(stack, method, path, body, admin.token);
const local = (s: string) => new Date(`${s.replace(' ', 'T')}:00+01:00`).toISOString();

async function conversation(inboxId: string, events: [string, string, Record<string, unknown>, string | null][]): Promise<string> {
  const contactId = randomUUID();
  const id = randomUUID();
  await sql(`insert into contacts (id, account_id, name) values (?, ?, 'Fixture')`, [contactId, admin.accountId]);
  await sql(`insert into conversations (id, account_id, inbox_id, contact_id, channel_type, status) values (?, ?, ?, ?, 'api', 'resolved')`, [id, admin.accountId, inboxId, contactId]);
  for (const [at, type, data, actor] of events) {
    await sql(`insert into conversation_events (conversation_id, type, data, actor_user_id, created_at) values (?, ?, ?::jsonb, ?, ?)`, [id, type, JSON.stringify(data), actor, local(at)]);
  }
  return id;
}

beforeAll(async () => {
  stack = await startTestStack({ worker: false, env: { LOG_LEVEL: 'error' } });
  admin = await signUp(stack, 'Reports browser Ltd');
  const hours = {
    enabled: true,
    timezone: 'Europe/Berlin',
    intervals: Object.fromEntries(['mon', 'tue', 'wed', 'thu', 'fri'].map((d) => [d, [{ start: '09:00', end: '12:00' }, { start: '13:00', end: '17:00' }]])),
    exceptions: { '2026-03-04': [] },
    outOfOfficeMessage: null,
  };
  const inbox = await asAdmin<{ id: string }>('POST', '/api/v1/inboxes', { name: 'A support', channelType: 'api', settings: { routing: { humanAgentsEnabled: false }, businessHours: hours } });
  expect(inbox.status).toBe(201);
  const user = async (name: string) => (await asAdmin<{ id: string }>('POST', '/api/v1/users', { name, email: `${randomUUID()}@example.com`, password: PASSWORD })).body.id;
  const alice = await user('Alice Agent');
  const bob = await user('Bob Agent');
  const red = (await asAdmin<{ id: string }>('POST', '/api/v1/teams', { name: 'Red' })).body.id;
  expect((await asAdmin('PUT', `/api/v1/teams/${red}/members/${alice}`)).status).toBe(200);
  await conversation(inbox.body.id, [
    ['2026-03-02 11:00', 'conversation_created', { channel: 'api' }, null],
    ['2026-03-02 11:00', 'message_received', {}, null],
    ['2026-03-02 11:00', 'assigned', { assigneeId: alice }, null],
    ['2026-03-02 13:30', 'message_sent', { senderType: 'agent' }, alice],
    ['2026-03-02 15:00', 'status_changed', { from: 'open', to: 'resolved' }, alice],
  ]);
  await conversation(inbox.body.id, [
    ['2026-03-03 16:00', 'conversation_created', { channel: 'api' }, null],
    ['2026-03-03 16:00', 'message_received', {}, null],
    ['2026-03-03 16:00', 'assigned', { assigneeId: bob }, null],
    ['2026-03-05 10:00', 'message_sent', { senderType: 'agent' }, bob],
    ['2026-03-05 11:00', 'status_changed', { from: 'open', to: 'resolved' }, bob],
  ]);
  // A campaign with two recipients: one delivered (and replied a day later), one opted out.
  const campaignId = randomUUID();
  await sql(
    `insert into campaigns (id, account_id, inbox_id, name, type, status, audience, template, created_by_user_id, template_author_user_id, started_at)
     values (?, ?, ?, 'Spring sale', 'promotional', 'completed', '{}'::jsonb, 'Hi', ?, ?, '2026-03-02T10:00:00Z')`,
    [campaignId, admin.accountId, inbox.body.id, admin.userId, admin.userId],
  );
  const c1 = randomUUID();
  const conv = randomUUID();
  await sql(`insert into contacts (id, account_id, name) values (?, ?, 'R1'), (?, ?, 'R2')`, [c1, admin.accountId, randomUUID(), admin.accountId]);
  await sql(`insert into conversations (id, account_id, inbox_id, contact_id, channel_type, status) values (?, ?, ?, ?, 'api', 'resolved')`, [conv, admin.accountId, inbox.body.id, c1]);
  const [m] = await sql<{ id: string }>(
    `insert into messages (conversation_id, direction, sender_type, content, delivery_status, created_at) values (?, 'outbound', 'system', 'Hi', 'delivered', '2026-03-02T10:01:00Z') returning id`,
    [conv],
  );
  await sql(`insert into messages (conversation_id, direction, sender_type, content, delivery_status, created_at) values (?, 'inbound', 'contact', 'Yes', 'received', '2026-03-03T10:00:00Z')`, [conv]);
  await sql(`insert into campaign_recipients (campaign_id, contact_id, status, message_id) values (?, ?, 'sent', ?)`, [campaignId, c1, m.id]);
  await sql(`insert into campaign_recipients (campaign_id, contact_id, status) select ?, id, 'opted_out' from contacts where account_id = ? and name = 'R2'`, [campaignId, admin.accountId]);
}, 120_000);

afterAll(async () => {
  await stack?.close();
});

const cells = async (table: ReturnType<import('playwright-core').Page['getByRole']>, row: RegExp) => (await table.getByRole('row', { name: row }).first().getByRole('cell').allTextContents()).map((c) => c.trim());

test('response times by inbox, agent and team, business hours only, agent filter, CSV, definitions and campaign results', async () => {
  const context = await newContext(stack, { acceptDownloads: true });
  const page = await context.newPage();
  await loginAs(page, stack, admin.email, PASSWORD);
  // The report time zone, set in the account settings (the periods below are Berlin days).
  await page.getByRole('link', { name: 'Account settings', exact: true }).click();
  await page.getByRole('combobox', { name: 'Report time zone' }).fill('Europe/Ber');
  await page.getByRole('option', { name: 'Europe/Berlin' }).click();
  await page.getByRole('button', { name: 'Save settings' }).click();
  await visible(page.getByRole('status').getByText('Saved'));
  expect((await asAdmin<{ settings: { timezone: string } }>('GET', '/api/v1/account')).body.settings.timezone).toBe('Europe/Berlin');
  await page.getByRole('navigation', { name: 'Manage' }).getByRole('link', { name: 'Reports' }).click();
  await visible(page.getByRole('heading', { name: 'Reports', level: 1 }));
  await page.getByLabel('From').fill('2026-03-01');
  await page.getByLabel('To (included)').fill('2026-03-07');

  const byInbox = page.getByRole('table', { name: 'Response times by inbox' });
  // First responses 9000 s and 151200 s: average = median 80100 s = 22h 15m, p90 151200 s = 1d 18h.
  // Resolutions 14400 s and 154800 s: average = median 84600 s = 23h 30m, p90 1d 19h.
  await visible(byInbox.getByRole('row', { name: /A support/ }));
  expect(await cells(byInbox, /A support/)).toEqual(['A support', '2', '2', '22h 15m / 22h 15m / 1d 18h', '22h 15m / 22h 15m / 1d 18h', '23h 30m / 23h 30m / 1d 19h']);
  expect(await cells(page.getByRole('table', { name: 'Response times by agent' }), /Alice Agent/)).toEqual(['Alice Agent', '—', '1', '2h 30m / 2h 30m / 2h 30m', '2h 30m / 2h 30m / 2h 30m', '4h 0m / 4h 0m / 4h 0m']);
  await visible(page.getByRole('table', { name: 'Response times by team' }).getByRole('row', { name: /Red/ }));
  await visible(page.locator('.recharts-line').first());
  await screenshot(page, 'metrics-desktop');

  // Business hours only: 5400 s (the lunch hour left out) and 7200 s (the holiday left out): 6300 s = 1h 45m, p90 2h 0m.
  await page.getByLabel('Business hours only').check();
  await visible(byInbox.getByRole('cell', { name: '1h 45m / 1h 45m / 2h 0m' }));
  await visible(page.getByLabel('First response median').filter({ hasText: '1h 45m' }));

  // Agent filter: Bob only.
  await page.getByRole('combobox', { name: 'Agent', exact: true }).click();
  await page.getByRole('option', { name: 'Bob Agent' }).click();
  await visible(byInbox.getByRole('cell', { name: '2h 0m / 2h 0m / 2h 0m' }).first());
  const agentRows = page.getByRole('table', { name: 'Response times by agent' }).locator('tbody tr');
  expect(await agentRows.locator('td:first-child').allTextContents()).toEqual(['Bob Agent', 'Total']);

  // CSV of what is shown.
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download CSV' }).click()]);
  expect(download.suggestedFilename()).toBe('conversation-report.csv');
  const csv = fs.readFileSync((await download.path())!, 'utf8').split('\r\n');
  expect(csv[0]).toMatch(/^grouping,key,label,created,resolved,firstResponse_calendar_count,/);
  expect(csv.find((l) => l.startsWith('agent,'))).toContain('Bob Agent');

  await page.getByRole('button', { name: 'What these figures mean' }).click();
  await visible(page.getByRole('list', { name: 'Definitions' }).getByText(/AI agent's handover/));

  const campaigns = page.getByRole('table', { name: 'Campaign results' });
  expect(await cells(campaigns, /Spring sale/)).toEqual(['Spring sale', 'A support', '1', '1', '0', '1', '1']);
  await screenshot(page, 'metrics-filtered-desktop');

  const phone = await newContext(stack, { viewport: PHONE });
  const small = await phone.newPage();
  await loginAs(small, stack, admin.email, PASSWORD);
  await small.goto('/reports');
  await small.getByLabel('From').fill('2026-03-01');
  await small.getByLabel('To (included)').fill('2026-03-07');
  await visible(small.getByRole('table', { name: 'Response times by inbox' }).getByRole('row', { name: /A support/ }));
  await screenshot(small, 'metrics-phone');
  await context.close();
  await phone.close();
}, 120_000);
