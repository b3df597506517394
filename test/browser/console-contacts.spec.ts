/**
 * The console's contacts, contact attributes, teams and users screens in a real Chromium against a
 * real API stack: an administrator creates and edits a contact, toggles VIP, imports a CSV (one bad
 * row shows its problem), exports, merges two contacts, deletes one after typing its name, drags a
 * contact attribute to another place, creates a team with a member and a user — the API shows each.
 * A team member forcing /contacts or /users gets the no-access state; another account's admin
 * opening a contact of this account gets "not found".
 */
import * as fs from 'node:fs';
import type { Page } from 'playwright-core';
import { DESKTOP, PHONE, loginAs, newContext, screenshot, useBrowser, visible } from '../support/browser';
import { eventually, http, signUp, startTestStack, type TestStack } from '../support/test-stack';

useBrowser();
let stack: TestStack;
const PASSWORD = 'correct horse battery';

beforeAll(async () => {
  stack = await startTestStack({ worker: false });
}, 60_000);

afterAll(async () => {
  await stack?.close();
});

interface Contact {
  id: string;
  name: string | null;
  email: string | null;
  vip: boolean;
  attributes: { key: string; value: string | null }[];
}
interface Page_ {
  items: Contact[];
  nextCursor: string | null;
}

async function contacts(token: string): Promise<Contact[]> {
  const res = await http<Page_>(stack, 'GET', '/api/v1/contacts?limit=100', undefined, token);
  expect(res.status).toBe(200);
  return res.body.items;
}

/** Waits until `probe` gives `expected` (compared as JSON), or fails showing the last value. */
async function until<T>(probe: () => Promise<T>, expected: T, timeoutMs = 5000): Promise<void> {
  let last: T | undefined;
  await eventually(
    async () => {
      last = await probe();
      return JSON.stringify(last) === JSON.stringify(expected) ? true : undefined;
    },
    timeoutMs,
    `${JSON.stringify(expected)} (last: ${JSON.stringify(last)})`,
  ).catch(() => expect(last).toEqual(expected));
}

/** Drags with the mouse in small steps (dnd-kit's pointer sensor starts after 4 px). */
async function drag(page: Page, from: string, to: string): Promise<void> {
  const a = (await page.getByRole('button', { name: `Drag ${from}` }).boundingBox())!;
  const b = (await page.getByRole('listitem', { name: to }).boundingBox())!;
  await page.mouse.move(a.x + a.width / 2, a.y + a.height / 2);
  await page.mouse.down();
  await page.mouse.move(a.x + a.width / 2, a.y + a.height / 2 - 10, { steps: 5 });
  await page.mouse.move(a.x + a.width / 2, b.y + 4, { steps: 15 });
  await page.mouse.up();
}

test('an administrator manages contacts, attributes, teams and users through the UI; the API shows it all', async () => {
  const admin = await signUp(stack, 'Contacts Ltd');
  for (const body of [
    { key: 'customer_tier', label: 'Customer tier', type: 'dropdown', options: ['Gold', 'Silver'], visible: true },
    { key: 'note', label: 'Note', type: 'text', visible: true },
    { key: 'internal_ref', label: 'Internal ref', type: 'text', visible: false },
  ])
    expect((await http(stack, 'POST', '/api/v1/contact-attributes', body, admin.token)).status).toBe(201);

  const context = await newContext(stack, { acceptDownloads: true });
  const page = await context.newPage();
  await loginAs(page, stack, admin.email, PASSWORD);
  await page.getByRole('link', { name: 'Contacts', exact: true }).click();
  await visible(page.getByRole('heading', { name: 'No contacts yet' }));
  await screenshot(page, 'contacts-empty');

  // Create a contact; the API's 400 for a bad email lands under the field.
  await page.getByRole('button', { name: 'New contact' }).click();
  const dialog = page.getByRole('dialog', { name: 'New contact' });
  await dialog.getByLabel('Name').fill('Jane Doe');
  await dialog.getByLabel('Email').fill('not-an-email');
  await dialog.getByRole('button', { name: 'Create contact' }).click();
  await visible(dialog.locator('.mantine-InputWrapper-error'));
  expect(await dialog.getByLabel('Email').getAttribute('aria-invalid')).toBe('true');
  await dialog.getByLabel('Email').fill('jane@example.com');
  await dialog.getByRole('button', { name: 'Create contact' }).click();
  await visible(page.getByRole('heading', { name: 'Jane Doe', level: 1 }));
  const janeId = new URL(page.url()).pathname.split('/').pop()!;

  // Attributes in the admin's order (the hidden one marked), edit one, toggle VIP.
  const details = page.getByRole('region', { name: 'Details' });
  await visible(details.getByLabel('Note'));
  await details.getByLabel('Note').fill('Prefers email');
  await details.getByRole('button', { name: 'Save contact' }).click();
  await visible(details.getByRole('status').getByText('Saved'));
  await page.getByRole('switch', { name: /^VIP/ }).press('Space');
  await until(() => page.getByRole('switch', { name: /^VIP/ }).isChecked(), true);
  await visible(page.getByText('VIP', { exact: true }));
  await screenshot(page, 'contact-detail');
  const jane = await http<Contact>(stack, 'GET', `/api/v1/contacts/${janeId}`, undefined, admin.token);
  expect(jane.body).toMatchObject({ name: 'Jane Doe', email: 'jane@example.com', vip: true });
  expect(jane.body.attributes.map((a) => [a.key, a.value])).toEqual([
    ['customer_tier', null],
    ['note', 'Prefers email'],
    ['internal_ref', null],
  ]);

  // Opt out of SMS from the UI.
  await page.getByRole('switch', { name: 'Campaign messages by SMS' }).press('Space');
  await visible(page.getByText(/Opted out manually/));
  const optOuts = await http<{ optOuts: { channelType: string }[] }>(stack, 'GET', `/api/v1/contacts/${janeId}`, undefined, admin.token);
  expect(optOuts.body.optOuts.map((o) => o.channelType)).toEqual(['sms']);

  // Import a CSV of 3 contacts: one bad row shows its problem.
  await page.getByRole('link', { name: '← Contacts' }).click();
  await page.getByRole('button', { name: 'Import CSV' }).click();
  const importDialog = page.getByRole('dialog', { name: 'Import contacts from CSV' });
  const csv = 'name,email,vip,customer_tier\nAnn Import,ann@example.com,true,Gold\nBob Import,bob@example.com,false,Silver\nBad Row,not-an-email,no,Gold\n';
  await importDialog.locator('input[type=file]').setInputFiles({ name: 'contacts.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
  await importDialog.getByRole('button', { name: 'Import' }).click();
  await visible(importDialog.getByText('2 created, 1 failed.'));
  const failedRows = importDialog.getByRole('table', { name: 'Failed rows' });
  expect(await failedRows.getByRole('row').nth(1).getByRole('cell').allTextContents()).toEqual(['4', 'email', expect.stringMatching(/email/)]);
  await screenshot(page, 'contacts-import-report');
  await importDialog.getByRole('button', { name: 'Close' }).click();
  const table = page.getByRole('table', { name: 'Contacts' });
  await visible(table.getByRole('link', { name: 'Ann Import' }));
  expect((await contacts(admin.token)).map((c) => c.name).sort()).toEqual(['Ann Import', 'Bob Import', 'Jane Doe']);

  // Filters: VIP only shows Jane and Ann.
  await page.getByRole('combobox', { name: 'VIP' }).click();
  await page.getByRole('option', { name: 'VIP only' }).click();
  await visible(page.getByRole('table', { name: 'Contacts' }));
  await until(() => table.locator('tbody tr').count(), 2);
  await screenshot(page, 'contacts-list');
  await page.getByRole('combobox', { name: 'VIP' }).click();
  await page.getByRole('option', { name: 'All contacts' }).click();
  await until(() => table.locator('tbody tr').count(), 3);
  // Opted out (Jane, of SMS) only.
  await page.getByRole('combobox', { name: 'Opt-outs' }).click();
  await page.getByRole('option', { name: 'Opted out', exact: true }).click();
  await until(() => table.locator('tbody tr').count(), 1);
  expect(await table.getByRole('link').allTextContents()).toEqual(['Jane Doe']);
  await page.getByRole('combobox', { name: 'Opt-outs' }).click();
  await page.getByRole('option', { name: 'Any' }).click();
  await until(() => table.locator('tbody tr').count(), 3);

  // Export: a download of the CSV with the contacts.
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export CSV' }).click()]);
  expect(download.suggestedFilename()).toBe('contacts.csv');
  const exported = fs.readFileSync((await download.path())!, 'utf8');
  expect(exported.split(/\r?\n/)[0]).toBe('name,email,phone,vip,customer_tier,note,internal_ref');
  expect(exported).toContain('Ann Import');
  expect(exported).toContain('Prefers email');

  // Merge Bob into Jane: the preview shows what wins, the API keeps one.
  await page.goto(`/contacts/${janeId}`);
  await page.getByRole('button', { name: 'Merge…' }).click();
  const mergeDialog = page.getByRole('dialog', { name: /Merge another contact/ });
  await mergeDialog.getByRole('combobox', { name: 'Contact to merge' }).fill('Bob');
  await page.getByRole('option', { name: /Bob Import/ }).click();
  const previewTable = mergeDialog.getByRole('table', { name: 'Merge preview' });
  await visible(previewTable);
  expect(await previewTable.getByRole('row', { name: /^Name/ }).getByRole('cell').allTextContents()).toEqual(['Name', 'Jane Doe', 'Bob Import', 'Jane Doe']);
  expect(await previewTable.getByRole('row', { name: /^Customer tier/ }).getByRole('cell').allTextContents()).toEqual(['Customer tier', '—', 'Silver', 'Silver']);
  await screenshot(page, 'contact-merge');
  const bobId = (await contacts(admin.token)).find((c) => c.name === 'Bob Import')!.id;
  await mergeDialog.getByRole('button', { name: 'Merge contacts' }).click();
  await mergeDialog.waitFor({ state: 'hidden' });
  await until(() => page.getByRole('region', { name: 'Details' }).getByLabel('Customer tier').inputValue(), 'Silver');
  expect((await http(stack, 'GET', `/api/v1/contacts/${bobId}`, undefined, admin.token)).status).toBe(404);
  expect((await contacts(admin.token)).map((c) => c.name).sort()).toEqual(['Ann Import', 'Jane Doe']);
  const merged = await http<Contact>(stack, 'GET', `/api/v1/contacts/${janeId}`, undefined, admin.token);
  expect(merged.body.attributes.find((a) => a.key === 'customer_tier')!.value).toBe('Silver');

  // Delete Ann only after typing her name.
  const annId = (await contacts(admin.token)).find((c) => c.name === 'Ann Import')!.id;
  await page.goto(`/contacts/${annId}`);
  await page.getByRole('button', { name: 'Delete contact' }).click();
  const deleteDialog = page.getByRole('dialog', { name: 'Delete contact Ann Import?' });
  const confirm = deleteDialog.getByRole('button', { name: 'Delete permanently' });
  expect(await confirm.isDisabled()).toBe(true);
  await deleteDialog.getByLabel('Contact name').fill('Ann');
  expect(await confirm.isDisabled()).toBe(true);
  await screenshot(page, 'contact-delete-confirm');
  await deleteDialog.getByLabel('Contact name').fill('Ann Import');
  await confirm.click();
  await visible(page.getByRole('heading', { name: 'Contacts', level: 1 }));
  expect((await http(stack, 'GET', `/api/v1/contacts/${annId}`, undefined, admin.token)).status).toBe(404);
  expect((await contacts(admin.token)).map((c) => c.name)).toEqual(['Jane Doe']);

  // Contact attributes: drag "Internal ref" above "Customer tier" with the mouse, then ↓ by keyboard button.
  await page.getByRole('link', { name: 'Contact attributes' }).click();
  await visible(page.getByRole('listitem', { name: 'Internal ref' }));
  await drag(page, 'Internal ref', 'Customer tier');
  const order = async () =>
    (await http<{ key: string }[]>(stack, 'GET', '/api/v1/contact-attributes', undefined, admin.token)).body.map((a) => a.key);
  await until(order, ['internal_ref', 'customer_tier', 'note']);
  expect(await page.getByRole('listitem').allTextContents()).toEqual([
    expect.stringContaining('Internal ref'),
    expect.stringContaining('Customer tier'),
    expect.stringContaining('Note'),
  ]);
  await page.getByRole('button', { name: 'Move Note up' }).click();
  await until(order, ['internal_ref', 'note', 'customer_tier']);
  // A new attribute with a bad key: the API's problem under the field.
  await page.getByLabel('Label').fill('Shoe size');
  await page.getByLabel('Key', { exact: true }).fill('Shoe Size!');
  await page.getByRole('button', { name: 'Create attribute' }).click();
  await visible(page.locator('.mantine-InputWrapper-error'));
  await page.getByLabel('Key', { exact: true }).fill('shoe_size');
  await page.getByRole('button', { name: 'Create attribute' }).click();
  await visible(page.getByRole('listitem', { name: 'Shoe size' }));
  await screenshot(page, 'contact-attributes');

  // Users: create one (field errors first), then a team with them as member.
  await page.getByRole('link', { name: 'Users', exact: true }).click();
  await page.getByRole('button', { name: 'New user' }).click();
  const userDialog = page.getByRole('dialog', { name: 'New user' });
  await userDialog.getByLabel('Name').fill('Uma User');
  const umaEmail = `uma-${Date.now()}@example.com`;
  await userDialog.getByLabel('Email').fill(umaEmail);
  await userDialog.getByLabel(/^Initial password/).fill('short');
  await userDialog.getByRole('button', { name: 'Create user' }).click();
  await visible(userDialog.locator('.mantine-InputWrapper-error'));
  await userDialog.getByLabel(/^Initial password/).fill(PASSWORD);
  await userDialog.getByRole('button', { name: 'Create user' }).click();
  await visible(page.getByRole('table', { name: 'Users' }).getByText(umaEmail));
  await screenshot(page, 'users');
  const users = await http<{ id: string; email: string; isAdmin: boolean; active: boolean }[]>(stack, 'GET', '/api/v1/users', undefined, admin.token);
  const uma = users.body.find((u) => u.email === umaEmail)!;
  expect(uma).toMatchObject({ isAdmin: false, active: true });

  await page.getByRole('link', { name: 'Teams', exact: true }).click();
  await visible(page.getByRole('heading', { name: 'No teams yet' }));
  await page.getByLabel('Team name').fill('Billing');
  await page.getByRole('button', { name: 'Create team' }).click();
  await page.getByRole('table', { name: 'Teams' }).getByRole('link', { name: 'Billing' }).click();
  await visible(page.getByRole('heading', { name: 'Billing', level: 1 }));
  await page.getByRole('combobox', { name: 'Add a user' }).click();
  await page.getByRole('option', { name: /Uma User/ }).click();
  await page.getByRole('button', { name: 'Add member' }).click();
  await visible(page.getByRole('table', { name: 'Team members' }).getByText('Uma User'));
  await screenshot(page, 'team');
  const teams = await http<{ id: string; name: string; memberCount: number }[]>(stack, 'GET', '/api/v1/teams', undefined, admin.token);
  expect(teams.body).toEqual([expect.objectContaining({ name: 'Billing', memberCount: 1 })]);

  // Deactivate Uma after the confirmation.
  await page.getByRole('link', { name: 'Users', exact: true }).click();
  await page.getByRole('button', { name: 'Deactivate Uma User' }).click();
  await page.getByRole('dialog', { name: 'Deactivate Uma User?' }).getByRole('button', { name: 'Deactivate' }).click();
  await visible(page.getByText('deactivated'));
  const after = await http<{ email: string; active: boolean }[]>(stack, 'GET', '/api/v1/users', undefined, admin.token);
  expect(after.body.find((u) => u.email === umaEmail)!.active).toBe(false);

  // Account settings with the variables.
  await page.getByRole('link', { name: 'Account settings', exact: true }).click();
  await visible(page.getByRole('table', { name: 'Variables' }));
  await page.getByLabel('Company name', { exact: true }).fill('Contacts Limited');
  await page.getByRole('button', { name: 'Save settings' }).click();
  await visible(page.getByRole('status').getByText('Saved'));
  expect((await http<{ companyName: string }>(stack, 'GET', '/api/v1/account', undefined, admin.token)).body.companyName).toBe('Contacts Limited');
  await page.getByLabel('Default of contact.first_name').fill('there');
  await page.getByRole('button', { name: 'Save defaults' }).click();
  await until(
    async () => (await http<{ settings: { variableDefaults: Record<string, string> } }>(stack, 'GET', '/api/v1/account', undefined, admin.token)).body.settings.variableDefaults,
    { 'contact.first_name': 'there' },
  );
  await screenshot(page, 'account');

  // The same screens at a phone width.
  const phone = await newContext(stack, { viewport: PHONE });
  const small = await phone.newPage();
  await loginAs(small, stack, admin.email, PASSWORD);
  for (const [path, name, heading] of [
    ['/contacts', 'contacts-list-phone', 'Contacts'],
    [`/contacts/${janeId}`, 'contact-detail-phone', 'Jane Doe'],
    ['/contacts/attributes', 'contact-attributes-phone', 'Contact attributes'],
    ['/users', 'users-phone', 'Users'],
    ['/account', 'account-phone', 'Account settings'],
  ] as const) {
    await small.goto(path);
    await visible(small.getByRole('heading', { name: heading, level: 1 }));
    // not 'networkidle': the live event stream keeps a request open for as long as the page lives
    await small.waitForFunction("document.querySelectorAll('.mantine-Loader-root').length === 0");
    await screenshot(small, name);
  }
  await phone.close();
  await context.close();
}, 180_000);

test('a team member forcing /contacts or /users sees no access; another account sees "not found" for this account\'s contact', async () => {
  const admin = await signUp(stack, 'Owner Ltd');
  const contact = await http<{ id: string }>(stack, 'POST', '/api/v1/contacts', { name: 'Private Person', vip: false }, admin.token);
  expect(contact.status).toBe(201);
  const inbox = await http<{ id: string }>(stack, 'POST', '/api/v1/inboxes', { name: 'Support', channelType: 'api' }, admin.token);
  const email = `member-${Date.now()}@example.com`;
  const user = await http<{ id: string }>(stack, 'POST', '/api/v1/users', { name: 'Mo Member', email, password: PASSWORD }, admin.token);
  expect((await http(stack, 'PUT', `/api/v1/inboxes/${inbox.body.id}/members/${user.body.id}`, { role: 'member' }, admin.token)).status).toBe(200);

  for (const viewport of [DESKTOP, PHONE]) {
    const context = await newContext(stack, { viewport });
    const page = await context.newPage();
    await loginAs(page, stack, email, PASSWORD);
    for (const path of ['/contacts', `/contacts/${contact.body.id}`, '/users', '/teams', '/account', '/contacts/attributes']) {
      await page.goto(path);
      await visible(page.getByRole('heading', { name: "You don't have access" }));
    }
    if (viewport === PHONE) await screenshot(page, 'member-no-access-phone');
    await context.close();
  }

  const other = await signUp(stack, 'Other Ltd');
  const context = await newContext(stack);
  const page = await context.newPage();
  await loginAs(page, stack, other.email, PASSWORD);
  await page.goto(`/contacts/${contact.body.id}`);
  await visible(page.getByRole('heading', { name: 'Contact not found' }));
  expect(await page.getByText('Private Person').count()).toBe(0);
  await screenshot(page, 'contact-not-found');
  await page.goto('/teams/00000000-0000-4000-8000-000000000000');
  await visible(page.getByRole('heading', { name: 'Team not found' }));
  await context.close();
}, 120_000);
