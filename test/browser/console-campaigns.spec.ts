/**
 * Campaigns and reports in a real Chromium against a real stack (PostgreSQL, Temporal, the API and
 * an in-process worker; SMS through the official client to the local fake of Twilio's REST API):
 * a campaign to 200 contacts made and started from the UI, its progress bar moving to 100 % without
 * a reload, held while paused; a campaign with MMS media (a bad URL shown on the field); a CSAT reply by
 * SMS (signed Twilio webhook) shown in the Reports page.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import * as nodeHttp from 'node:http';
import type { AddressInfo } from 'node:net';
import { EntityManager } from '@mikro-orm/postgresql';
import type { Page } from 'playwright-core';
import twilio from 'twilio';
import { PHONE, loginAs, newContext, screenshot, useBrowser, visible } from '../support/browser';
import { startFakeTwilio, type FakeTwilio } from '../support/fake-twilio';
import { eventually, http, signUp, startTestStack, type TestStack } from '../support/test-stack';

useBrowser();

const PUBLIC_URL = 'https://cx.example.test';
const ACCOUNT_SID = `AC${randomBytes(16).toString('hex')}`;
const AUTH_TOKEN = randomBytes(16).toString('hex');
const FROM_NUMBER = '+15005550006';
const PASSWORD = 'correct horse battery';

let stack: TestStack;
let fake: FakeTwilio;
let admin: Awaited<ReturnType<typeof signUp>>;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const sql = <T>(query: string, params: unknown[] = []) => stack.api.get(EntityManager).fork().execute<T[]>(query, params);
const asAdmin = <T>(method: string, path: string, body?: unknown) => http<T>(stack, method, path, body, admin.token);

async function smsInbox(name: string, settings?: unknown): Promise<string> {
  const inbox = await asAdmin<{ id: string }>('POST', '/api/v1/inboxes', { name, channelType: 'sms', ...(settings ? { settings } : {}) });
  expect(inbox.status).toBe(201);
  expect((await asAdmin('PUT', `/api/v1/inboxes/${inbox.body.id}/sms-channel`, { accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN, fromNumber: FROM_NUMBER })).status).toBe(200);
  return inbox.body.id;
}

/** A signed inbound SMS webhook, as Twilio sends it. */
async function inboundSms(inboxId: string, from: string, body: string): Promise<void> {
  const path = `/webhooks/twilio/sms/${inboxId}`;
  const sid = `SM${randomBytes(16).toString('hex')}`;
  const params = { MessageSid: sid, SmsSid: sid, AccountSid: ACCOUNT_SID, From: from, To: FROM_NUMBER, Body: body, NumMedia: '0' };
  const res = await fetch(stack.baseUrl + path, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': twilio.getExpectedTwilioSignature(AUTH_TOKEN, PUBLIC_URL + path, params) },
    body: new URLSearchParams(params).toString(),
  });
  await res.text();
  expect(res.status).toBeLessThan(300);
}

/** Picks an option of a Mantine Select by the select's label. */
async function pick(page: Page, label: string | RegExp, option: string | RegExp): Promise<void> {
  await page.getByLabel(label).first().click();
  await page.getByRole('option', { name: option }).click();
}

beforeAll(async () => {
  fake = await startFakeTwilio();
  stack = await startTestStack({ env: { TWILIO_API_BASE_URL: fake.baseUrl, PUBLIC_URL } });
  admin = await signUp(stack, 'Campaign Browser Ltd');
}, 120_000);

afterAll(async () => {
  await stack?.close();
  await fake?.close();
});

test('a campaign to 200 contacts made and started in the UI: live audience count, progress moving to 100 % without reload, pause holds the count', async () => {
  await smsInbox('Promotions');
  const batch = `b${Date.now()}`;
  const ids = Array.from({ length: 200 }, () => randomUUID());
  const phones = ids.map((_id, i) => `+1555${String(3_000_000 + i).padStart(7, '0')}`);
  await sql(
    `insert into contacts (id, account_id, name, phone, attributes) select u.id, ?, 'Person ' || u.n, u.phone, jsonb_build_object('batch', ?::text)
       from unnest(?::uuid[], ?::text[]) with ordinality as u(id, phone, n)`,
    [admin.accountId, batch, `{${ids.join(',')}}`, `{${phones.join(',')}}`],
  );
  await sql(
    `insert into contact_identities (id, account_id, contact_id, channel_type, address) select gen_random_uuid(), ?, u.id, 'sms', u.phone from unnest(?::uuid[], ?::text[]) as u(id, phone)`,
    [admin.accountId, `{${ids.join(',')}}`, `{${phones.join(',')}}`],
  );

  const context = await newContext(stack);
  const page = await context.newPage();
  await loginAs(page, stack, admin.email, PASSWORD);
  await page.getByRole('navigation', { name: 'Manage' }).getByRole('link', { name: 'Campaigns' }).click();
  await visible(page.getByRole('heading', { name: 'Campaigns', level: 1 }));
  await visible(page.getByText('No campaigns yet'));
  await page.getByRole('link', { name: 'New campaign' }).click();
  await visible(page.getByRole('heading', { name: 'New campaign', level: 1 }));

  // The API's field errors show next to their fields.
  await page.getByRole('textbox', { name: /^Name/ }).fill('Spring sale');
  await pick(page, /^Sending inbox/, /Promotions/);
  const count = page.getByRole('status', { name: 'Audience size' });
  await visible(count.getByText(/contacts in the audience/));
  await page.getByLabel('Attribute filters').fill(`batch=${batch}`);
  await visible(count.getByText('200 contacts in the audience'));
  await page.getByLabel('Attribute filters').fill(`batch=${batch}x`);
  await visible(count.getByText('0 contacts in the audience'));
  await page.getByLabel('Attribute filters').fill(`batch=${batch}`);
  await visible(count.getByText('200 contacts in the audience'));

  await page.getByRole('textbox', { name: /^Template/ }).fill('Hi {{contact.nickname}}');
  await page.getByLabel(/^Messages per second/).fill('20');
  await page.getByRole('button', { name: 'Create draft' }).click();
  await visible(page.locator('.mantine-InputWrapper-error').filter({ hasText: /nickname/ }));
  expect(await page.getByRole('textbox', { name: /^Template/ }).getAttribute('aria-invalid')).toBe('true');

  await page.getByRole('textbox', { name: /^Template/ }).fill(`[${batch}] Hi `);
  await page.getByRole('button', { name: 'Insert variable' }).click();
  await page.getByRole('menuitem', { name: /\{\{contact\.name\}\}/ }).click();
  expect(await page.getByRole('textbox', { name: /^Template/ }).inputValue()).toBe(`[${batch}] Hi {{contact.name}}`);
  await page.getByRole('textbox', { name: /^Template/ }).press('End');
  await page.keyboard.insertText(', our sale starts today.');
  expect(await page.getByRole('textbox', { name: /^Template/ }).inputValue()).toBe(`[${batch}] Hi {{contact.name}}, our sale starts today.`);
  await screenshot(page, 'campaign-form-desktop');

  // The Message Assistant says why it cannot write a draft (the account setting is off), the template stays.
  await page.getByRole('button', { name: 'Draft with Message Assistant' }).click();
  const assistant = page.getByRole('dialog', { name: 'Draft with Message Assistant' });
  await assistant.getByRole('textbox', { name: /^What is the message about/ }).fill('spring sale, 20 % off');
  await assistant.getByRole('button', { name: 'Write draft' }).click();
  await visible(assistant.getByRole('alert').getByText(/messageAssistantEnabled/));
  await assistant.getByRole('button', { name: 'Cancel' }).click();
  expect(await page.getByRole('textbox', { name: /^Template/ }).inputValue()).toBe(`[${batch}] Hi {{contact.name}}, our sale starts today.`);

  await page.getByRole('button', { name: 'Create draft' }).click();

  await visible(page.getByRole('heading', { name: 'Spring sale', level: 1 }));
  await visible(page.getByLabel('Status: Draft'));
  const percent = page.getByTestId('campaign-percent');
  expect(await percent.textContent()).toBe('0 %');
  // No reload from here on: a marker on the window survives only without one.
  await page.evaluate(() => ((globalThis as unknown as { noReload: boolean }).noReload = true));

  await page.getByRole('button', { name: 'Start' }).click();
  const seen = new Set<number>();
  const readPercent = async () => Number((await percent.textContent())!.replace(' %', ''));
  await eventually(
    async () => {
      const p = await readPercent();
      seen.add(p);
      return p >= 20 ? true : undefined;
    },
    30_000,
    'progress at 20 %',
  );
  await screenshot(page, 'campaign-running-desktop');
  await page.getByRole('button', { name: 'Pause' }).click();
  await visible(page.getByLabel('Status: Paused'));
  await sleep(2500); // the round in flight when the pause arrived (at most a second of paced sends) lands, and the next 1 s refresh shows it
  const heldAt = await page.getByTestId('count-sent').textContent();
  const heldPercent = await readPercent();
  expect(heldPercent).toBeLessThan(100);
  await sleep(2000);
  expect(await page.getByTestId('count-sent').textContent()).toBe(heldAt);
  expect(await readPercent()).toBe(heldPercent);
  await screenshot(page, 'campaign-paused-desktop');

  await page.getByRole('button', { name: 'Resume' }).click();
  await eventually(
    async () => {
      const p = await readPercent();
      seen.add(p);
      return p === 100 ? true : undefined;
    },
    60_000,
    'progress at 100 %',
  );
  await visible(page.getByLabel('Status: Completed'));
  expect(await page.getByTestId('count-sent').textContent()).toBe('200');
  expect(await page.evaluate(() => (globalThis as unknown as { noReload?: boolean }).noReload)).toBe(true);
  const intermediate = [...seen].filter((p) => p > 0 && p < 100);
  expect(intermediate.length).toBeGreaterThanOrEqual(3);
  expect(fake.requests.filter((r) => r.method === 'POST' && r.form.Body?.startsWith(`[${batch}] Hi Person `)).length).toBe(200);
  await screenshot(page, 'campaign-completed-desktop');

  const detailUrl = page.url();
  await page.goto('/campaigns');
  await visible(page.getByRole('table', { name: 'Campaigns' }).getByRole('row', { name: /Spring sale.*Completed/ }));
  await screenshot(page, 'campaign-list-desktop');

  const phone = await newContext(stack, { viewport: PHONE });
  const small = await phone.newPage();
  await loginAs(small, stack, admin.email, PASSWORD);
  await small.goto(detailUrl);
  await visible(small.getByRole('heading', { name: 'Spring sale', level: 1 }));
  await visible(small.getByTestId('campaign-percent').getByText('100 %'));
  await screenshot(small, 'campaign-completed-phone');
  await small.goto('/campaigns');
  await visible(small.getByRole('link', { name: 'Spring sale' }));
  await screenshot(small, 'campaign-list-phone');
  await small.goto('/campaigns/new');
  await visible(small.getByRole('heading', { name: 'New campaign', level: 1 }));
  await screenshot(small, 'campaign-form-phone');
  await context.close();
  await phone.close();
}, 180_000);

test('pause and cancel: cancel asks for confirmation and stops the run', async () => {
  const inboxId = await smsInbox('Slow lane');
  const batch = `c${Date.now()}`;
  const ids = Array.from({ length: 50 }, () => randomUUID());
  const phones = ids.map((_id, i) => `+1555${String(4_000_000 + i).padStart(7, '0')}`);
  await sql(`insert into contacts (id, account_id, name, phone, attributes) select u.id, ?, 'P', u.phone, jsonb_build_object('batch', ?::text) from unnest(?::uuid[], ?::text[]) as u(id, phone)`, [
    admin.accountId,
    batch,
    `{${ids.join(',')}}`,
    `{${phones.join(',')}}`,
  ]);
  await sql(`insert into contact_identities (id, account_id, contact_id, channel_type, address) select gen_random_uuid(), ?, u.id, 'sms', u.phone from unnest(?::uuid[], ?::text[]) as u(id, phone)`, [
    admin.accountId,
    `{${ids.join(',')}}`,
    `{${phones.join(',')}}`,
  ]);
  const created = await asAdmin<{ id: string }>('POST', '/api/v1/campaigns', { name: 'Slow one', type: 'notification', inboxId, audience: { attributes: { batch } }, template: `[${batch}] hello`, rateLimitPerSecond: 2 });
  expect(created.status).toBe(201);

  const context = await newContext(stack);
  const page = await context.newPage();
  await loginAs(page, stack, admin.email, PASSWORD);
  await page.goto(`/campaigns/${created.body.id}`);
  await page.getByRole('button', { name: 'Start' }).click();
  await visible(page.getByLabel('Status: Running'));
  await page.getByRole('button', { name: 'Cancel campaign' }).click();
  const dialog = page.getByRole('dialog', { name: 'Cancel Slow one?' });
  await visible(dialog);
  await screenshot(page, 'campaign-cancel-confirm');
  await dialog.getByRole('button', { name: 'Cancel campaign' }).click();
  await visible(page.getByLabel('Status: Cancelled'));
  const sent = Number(await page.getByTestId('count-sent').textContent());
  expect(sent).toBeLessThan(50);
  expect((await asAdmin<{ status: string }>('GET', `/api/v1/campaigns/${created.body.id}`)).body.status).toBe('cancelled');
  await context.close();
}, 120_000);

test('a campaign with media (MMS): a bad URL is shown on the Media field naming it; the saved media are listed and go out with every message', async () => {
  const media = nodeHttp.createServer((req, res) => {
    const ok = req.url === '/sale.png';
    res.writeHead(ok ? 200 : 404, { 'content-type': ok ? 'image/png' : 'text/plain', 'content-length': ok ? '20480' : '0' });
    res.end();
  });
  await new Promise<void>((r) => media.listen(0, '127.0.0.1', r));
  const base = `http://127.0.0.1:${(media.address() as AddressInfo).port}`;
  try {
    await smsInbox('Picture sales');
    const batch = `m${Date.now()}`;
    const ids = [randomUUID(), randomUUID()];
    const phones = ids.map((_id, i) => `+1555${String(5_000_000 + i).padStart(7, '0')}`);
    await sql(`insert into contacts (id, account_id, name, phone, attributes) select u.id, ?, 'Pic', u.phone, jsonb_build_object('batch', ?::text) from unnest(?::uuid[], ?::text[]) as u(id, phone)`, [
      admin.accountId,
      batch,
      `{${ids.join(',')}}`,
      `{${phones.join(',')}}`,
    ]);
    await sql(`insert into contact_identities (id, account_id, contact_id, channel_type, address) select gen_random_uuid(), ?, u.id, 'sms', u.phone from unnest(?::uuid[], ?::text[]) as u(id, phone)`, [
      admin.accountId,
      `{${ids.join(',')}}`,
      `{${phones.join(',')}}`,
    ]);

    const context = await newContext(stack);
    const page = await context.newPage();
    await loginAs(page, stack, admin.email, PASSWORD);
    await page.goto('/campaigns/new');
    await visible(page.getByRole('heading', { name: 'New campaign', level: 1 }));
    await page.getByRole('textbox', { name: /^Name/ }).fill('Picture sale');
    await pick(page, /^Sending inbox/, /Picture sales/);
    await page.getByLabel('Attribute filters').fill(`batch=${batch}`);
    await page.getByRole('textbox', { name: /^Template/ }).fill(`[${batch}] Look at this`);
    const mediaField = page.locator('input').and(page.getByLabel('Media (MMS)'));
    await mediaField.fill(`${base}/gone.png`);
    await page.keyboard.press('Enter');
    await page.getByRole('button', { name: 'Create draft' }).click();
    await visible(page.locator('.mantine-InputWrapper-error').filter({ hasText: `${base}/gone.png: answered HTTP 404` }));
    await screenshot(page, 'campaign-form-media-error');

    await mediaField.focus();
    await page.keyboard.press('Backspace'); // an empty TagsInput's Backspace removes the last URL
    await mediaField.fill(`${base}/sale.png`);
    await page.keyboard.press('Enter');
    await page.getByRole('button', { name: 'Create draft' }).click();
    await visible(page.getByRole('heading', { name: 'Picture sale', level: 1 }));
    await visible(page.getByLabel('Media (MMS)').getByRole('link', { name: `${base}/sale.png` }));
    await page.getByRole('button', { name: 'Start' }).click();
    await visible(page.getByLabel('Status: Completed'));
    const calls = fake.requests.filter((r) => r.method === 'POST' && r.form.Body?.startsWith(`[${batch}]`));
    expect(calls.map((c) => c.form.To).sort()).toEqual([...phones].sort());
    expect(calls.every((c) => c.mediaUrls.join() === `${base}/sale.png`)).toBe(true);
    await context.close();
  } finally {
    await new Promise((r) => media.close(r));
  }
}, 120_000);

test("a CSAT reply by SMS (signed Twilio webhook) shows in the Reports page's CSAT chart table for the agent", async () => {
  const inboxId = await smsInbox('Support line', { csat: { enabled: true, delaySeconds: 0 }, routing: { humanAgentsEnabled: false } });
  const agent = await asAdmin<{ id: string }>('POST', '/api/v1/users', { name: 'Agnes Agent', email: `agnes-${Date.now()}@example.com`, password: PASSWORD });
  expect(agent.status).toBe(201);
  expect((await asAdmin('PUT', `/api/v1/inboxes/${inboxId}/members/${agent.body.id}`, { role: 'member' })).status).toBe(200);

  const customer = '+15557770001';
  await inboundSms(inboxId, customer, 'my parcel is late');
  const [conv] = await eventually(async () => {
    const rows = await sql<{ id: string }>(`select id from conversations where inbox_id = ?`, [inboxId]);
    return rows.length ? rows : undefined;
  });
  expect((await asAdmin('PUT', `/api/v1/conversations/${conv.id}/assignee`, { assigneeId: agent.body.id })).status).toBe(200);
  expect((await asAdmin('POST', `/api/v1/conversations/${conv.id}/resolve`)).status).toBe(200);
  await eventually(
    async () => ((await sql<{ sent_at: string | null }>(`select sent_at from csat_surveys where conversation_id = ?`, [conv.id]))[0]?.sent_at ? true : undefined),
    30_000,
    'survey sent',
  );
  expect(fake.requests.some((r) => r.method === 'POST' && r.form.To === customer && /csat/.test(r.form.Body ?? ''))).toBe(true);
  await inboundSms(inboxId, customer, '4 thanks');
  await eventually(async () => ((await sql<{ rating: number | null }>(`select rating from csat_surveys where conversation_id = ?`, [conv.id]))[0].rating === 4 ? true : undefined), 15_000, 'rating');

  // A second conversation, created and resolved, for the volume report.
  const context = await newContext(stack);
  const page = await context.newPage();
  await loginAs(page, stack, admin.email, PASSWORD);
  await page.getByRole('navigation', { name: 'Manage' }).getByRole('link', { name: 'Reports' }).click();
  await visible(page.getByRole('heading', { name: 'Reports', level: 1 }));
  const byAgent = page.getByRole('table', { name: 'CSAT by agent' });
  const row = byAgent.getByRole('row', { name: /Agnes Agent/ });
  await visible(row);
  expect(await row.getByRole('cell').allTextContents()).toEqual(['Agnes Agent', '1', '1', '4.00', '100 %', '100 %']);
  await visible(page.getByRole('table', { name: 'CSAT by inbox' }).getByRole('row', { name: /Support line/ }));
  await visible(page.locator('.recharts-bar-rectangle').first());
  const volume = page.getByRole('table', { name: 'Volume by inbox' });
  expect(await volume.getByRole('row', { name: /Support line/ }).getByRole('cell').allTextContents()).toEqual(['Support line (SMS)', '1', '1']);
  await screenshot(page, 'reports-desktop');
  await page.getByRole('region', { name: 'Customer satisfaction (CSAT)' }).locator('label', { hasText: /^Week$/ }).first().click();
  await visible(page.getByRole('table', { name: 'CSAT by period' }).getByRole('row', { name: /W\d\d/ }).first());

  const phone = await newContext(stack, { viewport: PHONE });
  const small = await phone.newPage();
  await loginAs(small, stack, admin.email, PASSWORD);
  await small.goto('/reports');
  await visible(small.getByRole('table', { name: 'CSAT by agent' }).getByRole('row', { name: /Agnes Agent/ }));
  await screenshot(small, 'reports-phone');
  await context.close();
  await phone.close();
}, 120_000);
