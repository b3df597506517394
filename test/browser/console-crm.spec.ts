/**
 * The CRM screens in a real Chromium against a real API stack and a local fake CRM: an administrator
 * sees the API's problem under the lookup URL, creates a connector with a sealed header and a mapping,
 * tests it with a contact (the raw request with the header masked, the raw answer), reads the
 * contact's CRM section (external id, call log) and refreshes it, and turns write-back on (its
 * signing secret is shown once); the contact's write-back with its attempts in the contact's call log
 * and the connector's write-back log. An agent sees CRM-managed attributes read-only with the
 * connector's name unless write-back is on, and the API's refusal under the field. Screenshots at
 * 1280x800 and 390x844.
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
  // The contact and the connector made below, for the phone-width screenshots at the end.
  const seen = { contactId: '', connectorId: '' };
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
    await dialog.getByLabel('Concurrent lookups').fill('2');
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
    expect(await page.getByLabel('Concurrent lookups').inputValue()).toBe('2');

    // A new contact is filled from the CRM.
    const created = await http<{ id: string }>(stack, 'POST', '/api/v1/contacts', { name: 'Ada Crm', email: EMAIL }, admin.token);
    expect(created.status).toBe(201);
    seen.contactId = created.body.id;
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
    await visible(page.getByRole('region', { name: 'Write-back log' }).getByText(/No write-back yet/));
    await screenshot(page, 'crm-connector');

    // A changed managed value goes back on a status change: its attempts are in the contact's call log
    // and in the connector's write-back log (the first attempt times out, the second is answered).
    const conn = await http<{ id: string }[]>(stack, 'GET', '/api/v1/crm-connectors', undefined, admin.token);
    seen.connectorId = conn.body[0].id;
    expect((await http(stack, 'PATCH', `/api/v1/crm-connectors/${conn.body[0].id}`, { timeoutMs: 500 }, admin.token)).status).toBe(200);
    const inbox = await http<{ id: string }>(stack, 'POST', '/api/v1/inboxes', { name: 'CRM browser inbox', channelType: 'api' }, admin.token);
    const inbound = await http<{ conversationId: string }>(stack, 'POST', `/api/v1/inboxes/${inbox.body.id}/inbound-messages`, { contact: { sourceId: 'ada-crm', email: EMAIL }, content: 'hi' }, admin.token);
    expect(inbound.status).toBe(201);
    expect((await http(stack, 'PATCH', `/api/v1/contacts/${created.body.id}`, { attributes: { plan: 'platinum' } }, admin.token)).status).toBe(200);
    crm.writeBackDelays.push(1500);
    expect((await http(stack, 'POST', `/api/v1/conversations/${inbound.body.conversationId}/resolve`, {}, admin.token)).status).toBeLessThan(300);
    await eventually(async () => (crm.requests.filter((r) => r.path === '/write-back').length >= 2 ? true : undefined), 20_000, 'the retried write-back');
    const key = crm.requests.find((r) => r.path === '/write-back')!.headers['idempotency-key'];
    await page.goto(`/contacts/${created.body.id}`);
    const contactAttempts = section.getByRole('list', { name: `Attempts of write-back ${key}` });
    await visible(contactAttempts.getByText(/timed out after 500 ms/));
    await visible(contactAttempts.getByText(/HTTP 200/));
    await visible(section.getByText(key));
    await screenshot(page, 'crm-contact-write-back');
    await page.goto(`/crm-connectors/${conn.body[0].id}`);
    const log = page.getByRole('region', { name: 'Write-back log' });
    await visible(log.getByRole('table', { name: 'Write-backs' }).getByText('plan = platinum'));
    const logAttempts = log.getByRole('list', { name: `Attempts of write-back ${key}` });
    await visible(logAttempts.getByText(/timed out after 500 ms/));
    await visible(logAttempts.getByText(/HTTP 200/));
    await visible(log.getByText('succeeded'));
    await screenshot(page, 'crm-write-back-log');
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
    await small.goto(`/crm-connectors/${seen.connectorId}`);
    await visible(small.getByRole('heading', { name: 'Write-back log' }));
    await screenshot(small, 'crm-phone-connector');
    await small.goto(`/contacts/${seen.contactId}`);
    await visible(small.getByRole('button', { name: 'Refresh from CRM' }));
    await screenshot(small, 'crm-phone-contact');
  } catch (err) {
    await screenshot(small, 'crm-phone-failure');
    throw err;
  } finally {
    await phone.close();
  }
}, 180_000);

test("an agent sees CRM-managed attributes read-only with the connector's name unless write-back is on, and the API's refusal under the field", async () => {
  const owner = await signUp(stack, 'CRM Agent Ltd');
  for (const [key, label] of [['plan', 'Plan'], ['city', 'City']]) {
    expect((await http(stack, 'POST', '/api/v1/contact-attributes', { key, label, type: 'text' }, owner.token)).status).toBe(201);
  }
  // An agent who manages the inbox (the contact pages are for inbox managers and administrators).
  const agentEmail = `crm-agent-${Date.now()}@example.com`;
  const agent = await http<{ id: string }>(stack, 'POST', '/api/v1/users', { name: 'Grace Agent', email: agentEmail, password: PASSWORD }, owner.token);
  expect(agent.status).toBe(201);
  const inbox = await http<{ id: string }>(stack, 'POST', '/api/v1/inboxes', { name: 'Agent CRM inbox', channelType: 'api' }, owner.token);
  expect((await http(stack, 'PUT', `/api/v1/inboxes/${inbox.body.id}/members/${agent.body.id}`, { role: 'manager' }, owner.token)).status).toBe(200);
  const connector = await http<{ id: string }>(
    stack,
    'POST',
    '/api/v1/crm-connectors',
    { name: 'Agent CRM', lookupAttribute: 'email', lookupUrl: `${crm.url}/contacts?email={{value}}`, mapping: [{ pointer: '/properties/plan', attribute: 'plan' }] },
    owner.token,
  );
  expect(connector.status).toBe(201);
  const email = 'grace.crm@example.com';
  crm.records.set(email, { id: 'crm-88', email, properties: { plan: 'gold' } });
  const inbound = await http<{ contactId: string }>(stack, 'POST', `/api/v1/inboxes/${inbox.body.id}/inbound-messages`, { contact: { sourceId: 'grace-crm', email }, content: 'hello' }, owner.token);
  expect(inbound.status).toBe(201);
  const contactId = inbound.body.contactId;
  await eventually(
    async () => {
      const c = await http<{ attributes: { key: string; value: string | null }[] }>(stack, 'GET', `/api/v1/contacts/${contactId}`, undefined, owner.token);
      return c.body.attributes.find((a) => a.key === 'plan')?.value === 'gold' ? true : undefined;
    },
    5000,
    'the lookup',
  );
  const writeBack = (on: boolean) =>
    http(stack, 'PATCH', `/api/v1/crm-connectors/${connector.body.id}`, on ? { writeBackEnabled: true, writeBackUrl: `${crm.url}/write-back` } : { writeBackEnabled: false }, owner.token);

  const context = await newContext(stack);
  const page = await context.newPage();
  try {
    await loginAs(page, stack, agentEmail, PASSWORD);
    await page.goto(`/contacts/${contactId}`);
    const details = page.getByRole('region', { name: 'Details' });
    const plan = await visible(details.getByLabel('Plan'));
    await visible(details.getByText('Managed by "Agent CRM": read-only (write-back is off)'));
    expect(await plan.inputValue()).toBe('gold');
    expect(await plan.isEditable()).toBe(false);
    expect(await details.getByLabel('City').isEditable()).toBe(true);
    await screenshot(page, 'crm-agent-read-only');

    // Write-back on: the agent may edit it; the hint says it is written back.
    expect((await writeBack(true)).status).toBe(200);
    await page.reload();
    await visible(details.getByText(/^Managed by "Agent CRM": changes are written back/));
    expect(await details.getByLabel('Plan').isEditable()).toBe(true);

    // Turned off while the agent's page is open: the API refuses the edit and the console shows its error under the field.
    expect((await writeBack(false)).status).toBe(200);
    await details.getByLabel('Plan').fill('platinum');
    await details.getByRole('button', { name: 'Save contact' }).click();
    await visible(details.getByText('is managed by the CRM connector "Agent CRM" and read-only (write-back is off)'));
    expect(await details.getByLabel('Plan').getAttribute('aria-invalid')).toBe('true');
    // The refused change is not kept in the form: the stored value is back.
    expect(await details.getByLabel('Plan').inputValue()).toBe('gold');
    await eventually(async () => ((await details.getByLabel('Plan').isEditable()) ? undefined : true), 5000, 'Plan read-only again');
    await visible(details.getByText('Managed by "Agent CRM": read-only (write-back is off)'));
    await screenshot(page, 'crm-agent-refused');
    const stored = await http<{ attributes: { key: string; value: string | null }[] }>(stack, 'GET', `/api/v1/contacts/${contactId}`, undefined, owner.token);
    expect(stored.body.attributes.find((a) => a.key === 'plan')?.value).toBe('gold');
  } catch (err) {
    await screenshot(page, 'crm-agent-failure');
    throw err;
  } finally {
    await context.close();
  }
}, 120_000);
