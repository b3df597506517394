/**
 * The CRM screens in a real Chromium against a real API stack and a local fake CRM: an administrator
 * sees the API's problem under the lookup URL, creates a connector with a sealed header and a mapping,
 * tests it with a contact (the raw request with the header masked, the raw answer), reads the
 * contact's CRM section (external id, call log) and refreshes it, and turns write-back on (its
 * signing secret is shown once). Screenshots at 1280x800 and 390x844.
 */
import { PHONE, loginAs, newContext, screenshot, useBrowser, visible } from '../support/browser';
import { startFakeCrm, type FakeCrm } from '../support/fake-crm';
import { eventually, http, signUp, startTestStack, type TestStack } from '../support/test-stack';

useBrowser();
let stack: TestStack;
let crm: FakeCrm;
let admin: Awaited<ReturnType<typeof signUp>>;
const PASSWORD = 'correct horse battery';
const EMAIL = 'ada.crm@example.com';

beforeAll(async () => {
  stack = await startTestStack();
  crm = await startFakeCrm();
  crm.records.set(EMAIL, { id: 'crm-77', email: EMAIL, properties: { plan: 'enterprise' } });
  admin = await signUp(stack, 'CRM Browser Ltd');
  const attr = await http(stack, 'POST', '/api/v1/contact-attributes', { key: 'plan', label: 'Plan', type: 'text' }, admin.token);
  expect(attr.status).toBe(201);
}, 120_000);

afterAll(async () => {
  await stack?.close();
  await crm?.close();
});

test('an administrator creates a connector, tests it with a contact, reads the contact\'s CRM log, refreshes and turns write-back on', async () => {
  const context = await newContext(stack);
  const page = await context.newPage();
  try {
    await loginAs(page, stack, admin.email, PASSWORD);
    await page.getByRole('link', { name: 'CRM' }).click();
    await visible(page.getByRole('heading', { name: 'CRM', level: 1 }));
    await visible(page.getByText('No connectors'));
    await screenshot(page, 'crm-empty');

    await page.getByRole('button', { name: 'New connector' }).click();
    const dialog = page.getByRole('dialog', { name: 'New CRM connector' });
    await dialog.getByLabel('Name').fill('Fake CRM');
    await dialog.getByLabel('Lookup URL').fill(`${crm.url}/contacts`);
    await dialog.getByLabel('Headers').fill('Authorization: Bearer console-s3cret');
    await dialog.getByLabel('Response field 1').fill('/properties/plan');
    await dialog.getByLabel('Attribute 1').click();
    await page.getByRole('option', { name: 'Plan (plan)' }).click();
    await dialog.getByRole('button', { name: 'Create connector' }).click();
    await visible(dialog.getByText(/must contain \{\{value\}\}/));
    await dialog.getByLabel('Lookup URL').fill(`${crm.url}/contacts?email={{value}}`);
    await screenshot(page, 'crm-new');
    await dialog.getByRole('button', { name: 'Create connector' }).click();
    await visible(page.getByRole('heading', { name: 'CRM connector', level: 1 }));
    await visible(page.getByText(/Stored sealed: authorization/));

    // A new contact is filled from the CRM.
    const created = await http<{ id: string }>(stack, 'POST', '/api/v1/contacts', { name: 'Ada Crm', email: EMAIL }, admin.token);
    expect(created.status).toBe(201);
    await eventually(async () => (crm.requests.length > 0 ? true : undefined), 5000, 'the lookup at the CRM');

    const test = page.getByRole('region', { name: 'Test with a contact' });
    await test.getByLabel('Contact').click();
    await test.getByLabel('Contact').fill('Ada');
    await page.getByRole('option', { name: /Ada Crm/ }).click();
    await test.getByRole('button', { name: 'Run test' }).click();
    const request = await visible(test.getByLabel('Raw request'));
    expect(await request.textContent()).toContain(`GET ${crm.url}/contacts?email=${encodeURIComponent(EMAIL)}`);
    expect(await request.textContent()).not.toContain('console-s3cret');
    await visible(test.getByLabel('Raw answer').getByText(/"id":"crm-77"/));
    await visible(test.getByRole('table', { name: 'Mapped values' }).getByText('enterprise'));
    await screenshot(page, 'crm-test');

    await page.goto(`/contacts/${created.body.id}`);
    const section = page.getByRole('region', { name: 'CRM' });
    await visible(section.getByText('External id crm-77', { exact: false }));
    const calls = section.getByRole('table', { name: 'CRM calls' });
    await visible(calls.getByText('lookup · contact created'));
    await visible(calls.getByText('lookup · test'));
    await visible(page.getByLabel('Plan'));
    expect(await page.getByLabel('Plan').inputValue()).toBe('enterprise');
    await section.getByRole('button', { name: 'Refresh from CRM' }).click();
    await visible(calls.getByText('lookup · refresh'));
    await screenshot(page, 'crm-contact');

    await page.goto('/crm-connectors');
    await page.getByRole('link', { name: 'Fake CRM' }).click();
    await visible(page.getByRole('heading', { name: 'CRM connector', level: 1 }));
    await page.getByRole('switch', { name: /^Write-back/ }).press('Space');
    await page.getByLabel('Write-back URL').fill(`${crm.url}/write-back`);
    await page.getByRole('button', { name: 'Save' }).click();
    const secret = (await (await visible(page.getByRole('dialog', { name: 'Signing secret' }).getByLabel('Signing secret'))).textContent())!.trim();
    expect(secret).toMatch(/^whsec_/);
    await page.getByRole('dialog', { name: 'Signing secret' }).getByRole('button', { name: 'Done' }).click();
    await visible(page.getByText('Write-back on'));
    await screenshot(page, 'crm-connector');
  } catch (err) {
    await screenshot(page, 'crm-failure');
    throw err;
  } finally {
    await context.close();
  }

  const phone = await newContext(stack, { viewport: PHONE });
  const small = await phone.newPage();
  try {
    await loginAs(small, stack, admin.email, PASSWORD);
    await small.goto('/crm-connectors');
    await visible(small.getByRole('table', { name: 'CRM connectors' }));
    await screenshot(small, 'crm-phone-list');
  } catch (err) {
    await screenshot(small, 'crm-phone-failure');
    throw err;
  } finally {
    await phone.close();
  }
}, 180_000);
