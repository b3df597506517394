/**
 * The automation and saved-reply screens in a real Chromium against a real API stack: a manager
 * builds a rule with a three-level condition tree and two actions through the UI and the API holds
 * exactly that; "test on a conversation" shows the condition trace of a conversation made through the
 * API; a bad value shows the API's problem next to its field; two rules reordered by a mouse drag are
 * in that order in the API; a saved reply created through the UI is in the API (its bad variable shown
 * under the content first).
 */
import type { Page } from 'playwright-core';
import { PHONE, loginAs, newContext, screenshot, useBrowser, visible } from '../support/browser';
import { eventually, http, signUp, startTestStack, type TestStack } from '../support/test-stack';

useBrowser();
let stack: TestStack;
let admin: Awaited<ReturnType<typeof signUp>>;
let inboxId: string;
let conversationId: string;

const PASSWORD = 'correct horse battery';
const as = <T = unknown>(method: string, path: string, body?: unknown) => http<T>(stack, method, path, body, admin.token);

interface RuleView {
  id: string;
  name: string;
  conditions: unknown;
  actions: unknown;
}

beforeAll(async () => {
  stack = await startTestStack({ env: { AUTOMATION_MIN_DURATION_SECONDS: '1' } });
  admin = await signUp(stack, 'Automation Browser Ltd');
  const inbox = await as<{ id: string }>('POST', '/api/v1/inboxes', { name: 'Support', channelType: 'api' });
  expect(inbox.status).toBe(201);
  inboxId = inbox.body.id;
  const msg = await as<{ conversationId: string }>('POST', `/api/v1/inboxes/${inboxId}/inbound-messages`, { contact: { sourceId: 'rita-1', name: 'Rita Refund' }, content: 'I want a refund please' });
  expect(msg.status).toBe(201);
  conversationId = msg.body.conversationId;
  for (const name of ['First rule', 'Second rule']) {
    const r = await as('POST', '/api/v1/automation-rules', { name, inboxId, trigger: { event: 'message_received' }, actions: [{ type: 'add_tag', tag: name.split(' ')[0].toLowerCase() }] });
    expect(r.status).toBe(201);
  }
}, 120_000);

afterAll(async () => {
  await stack?.close();
});

/** Picks an option of a Mantine Select (searchable ones filter by the typed text). */
async function pick(page: Page, input: ReturnType<Page['getByLabel']>, option: string, type = false) {
  await input.click();
  if (type) await input.fill(option);
  await page.getByRole('option', { name: option, exact: true }).click();
}

const group = (page: Page, name: string) => page.getByRole('group', { name, exact: true });

test('a manager builds a nested rule with two actions, tests it on a conversation, sees a field error, reorders rules by drag', async () => {
  const context = await newContext(stack);
  const page = await context.newPage();
  try {
    await buildTestReorder(page);
  } catch (err) {
    await screenshot(page, 'failure');
    throw err;
  } finally {
    await context.close();
  }
}, 180_000);

async function buildTestReorder(page: Page) {
  await loginAs(page, stack, admin.email, PASSWORD);
  await page.goto('/automation');
  await visible(page.getByRole('listitem', { name: 'Second rule' }));
  await page.getByRole('link', { name: 'New rule' }).click();
  await visible(page.getByRole('heading', { name: 'New rule', level: 1 }));

  await page.getByLabel('Name').fill('VIP or urgent refunds');
  await pick(page, page.getByRole('combobox', { name: 'Inbox', exact: true }), 'Support');

  // Level 1: message.content contains refund
  await page.getByRole('button', { name: 'Add condition to conditions' }).click();
  await group(page, 'Condition 1').getByLabel('Value').fill('refund');
  // Level 2: any of (contact.vip = true, level 3 group)
  await page.getByRole('button', { name: 'Add group to conditions' }).click();
  await group(page, 'Group 2').getByText('any (OR)').first().click();
  await pick(page, group(page, 'Condition 2.1').getByRole('combobox', { name: 'Attribute', exact: true }), 'contact.vip', true);
  await page.getByRole('button', { name: 'Add group to group 2' }).click();
  // Level 3: all of (message.content contains urgent, conversation.priority > 1)
  await group(page, 'Condition 2.2.1').getByLabel('Value').fill('urgent');
  await page.getByRole('button', { name: 'Add condition to group 2.2' }).click();
  await pick(page, group(page, 'Condition 2.2.2').getByRole('combobox', { name: 'Attribute', exact: true }), 'conversation.priority', true);
  await pick(page, group(page, 'Condition 2.2.2').getByRole('combobox', { name: 'Operator', exact: true }), 'is greater than');
  await group(page, 'Condition 2.2.2').getByLabel('Value').fill('1');

  // Two actions: add tag, set priority urgent
  await group(page, 'Action 1').getByLabel('Tag').fill('refund-vip');
  await page.getByRole('button', { name: '+ Action' }).click();
  await pick(page, group(page, 'Action 2').getByRole('combobox', { name: 'Action 2', exact: true }), 'Set priority');
  await pick(page, group(page, 'Action 2').getByRole('combobox', { name: 'Priority', exact: true }), 'Urgent');
  await page.getByLabel('Stop processing later rules after this one fired').check();
  await screenshot(page, 'rule-builder-desktop');

  await page.getByRole('button', { name: 'Create rule' }).click();
  await page.waitForURL(/\/automation\/[0-9a-f-]{36}$/);
  const id = page.url().split('/').pop()!;
  const saved = await as<RuleView & { stopProcessing: boolean; inboxId: string }>('GET', `/api/v1/automation-rules/${id}`);
  expect(saved.status).toBe(200);
  expect(saved.body.conditions).toEqual({
    all: [
      { attribute: 'message.content', operator: 'contains', value: 'refund' },
      {
        any: [
          { attribute: 'contact.vip', operator: 'equals', value: true },
          {
            all: [
              { attribute: 'message.content', operator: 'contains', value: 'urgent' },
              { attribute: 'conversation.priority', operator: 'greater_than', value: 1 },
            ],
          },
        ],
      },
    ],
  });
  expect(saved.body.actions).toEqual([
    { type: 'add_tag', tag: 'refund-vip' },
    { type: 'set_priority', priority: 4 },
  ]);
  expect(saved.body).toMatchObject({ inboxId, stopProcessing: true, name: 'VIP or urgent refunds' });

  // Test on the conversation made through the API: the trace with each condition's value.
  await page.getByRole('heading', { name: 'Rule: VIP or urgent refunds' }).waitFor({ timeout: 30_000 });
  await page.getByLabel('Conversation id').fill(conversationId);
  await page.getByRole('button', { name: 'Run test' }).click();
  const trace = await visible(page.getByRole('table', { name: 'Condition trace' }));
  await visible(trace.getByRole('row', { name: /message\.content contains refund I want a refund please held/ }));
  await visible(trace.getByRole('row').filter({ hasText: 'contact.vip' }).getByText('did not hold'));
  await visible(page.getByRole('region', { name: 'Test result' }).getByText('Would not fire', { exact: true }));
  await screenshot(page, 'rule-test-desktop');

  // A bad value: the API's problem shows under the field it names.
  await pick(page, group(page, 'Condition 1').getByRole('combobox', { name: 'Attribute', exact: true }), 'time.time', true);
  await group(page, 'Condition 1').getByLabel('Value').fill('noon');
  await page.getByRole('button', { name: 'Save rule' }).click();
  const valueInput = group(page, 'Condition 1').getByLabel('Value');
  await eventually(async () => ((await valueInput.getAttribute('aria-invalid')) === 'true' ? true : undefined), 10_000, 'value marked invalid');
  const problem = await group(page, 'Condition 1').locator('.mantine-InputWrapper-error').textContent();
  expect(problem).toMatch(/HH:MM|time/i);
  await screenshot(page, 'rule-field-error-desktop');

  // Reorder by mouse drag: Second rule above First rule.
  await page.goto('/automation');
  const list = page.getByRole('list', { name: 'Rules in order' });
  await visible(list.getByRole('listitem', { name: 'VIP or urgent refunds' }));
  await screenshot(page, 'rules-list-desktop');
  const handle = page.getByRole('button', { name: 'Drag Second rule' });
  const target = page.getByRole('listitem', { name: 'First rule' });
  const from = (await handle.boundingBox())!;
  const to = (await target.boundingBox())!;
  await page.mouse.move(from.x + from.width / 2, from.y + from.height / 2);
  await page.mouse.down();
  await page.mouse.move(from.x + from.width / 2, from.y - 10, { steps: 5 });
  await page.mouse.move(from.x + from.width / 2, to.y + 5, { steps: 10 });
  await page.mouse.up();
  await eventually(
    async () => {
      const res = await as<{ items: RuleView[] }>('GET', '/api/v1/automation-rules');
      const names = res.body.items.map((r) => r.name);
      return names.join('|') === 'Second rule|First rule|VIP or urgent refunds' ? names : undefined;
    },
    10_000,
    'API order after drag',
  );
  await page.reload();
  await visible(list.getByRole('listitem').first().getByText('Second rule'));

  // Keyboard-free move buttons too: First rule back up.
  await page.getByRole('button', { name: 'Move First rule up' }).click();
  await eventually(async () => {
    const res = await as<{ items: RuleView[] }>('GET', '/api/v1/automation-rules');
    return res.body.items[0].name === 'First rule' ? true : undefined;
  });

  const phone = await newContext(stack, { viewport: PHONE });
  const p2 = await phone.newPage();
  await loginAs(p2, stack, admin.email, PASSWORD);
  await p2.goto('/automation');
  await visible(p2.getByRole('listitem', { name: 'First rule' }));
  await screenshot(p2, 'rules-list-phone');
  await p2.goto(`/automation/${id}`);
  try {
    await visible(p2.getByRole('group', { name: 'Condition 2.2.2' }));
  } finally {
    await screenshot(p2, 'rule-builder-phone');
  }
  await phone.close();
}

test('a saved reply created through the UI is in the API; an unknown variable is shown under the content', async () => {
  const context = await newContext(stack);
  const page = await context.newPage();
  await loginAs(page, stack, admin.email, PASSWORD);
  await page.goto('/saved-replies');
  await visible(page.getByRole('heading', { name: 'Saved replies', level: 1 }));
  await page.getByRole('button', { name: 'New saved reply' }).first().click();
  const dialog = page.getByRole('dialog');
  await dialog.getByLabel(/^Shortcut/).fill('thanks');
  await dialog.getByLabel(/^Content/).fill('Thanks {{contact.nope_nope}}!');
  await dialog.getByRole('button', { name: 'Create saved reply' }).click();
  await eventually(async () => ((await dialog.getByLabel(/^Content/).getAttribute('aria-invalid')) === 'true' ? true : undefined), 10_000, 'content marked invalid');
  await screenshot(page, 'saved-reply-error-desktop');
  await dialog.getByLabel(/^Content/).fill('Thanks {{contact.first_name}}, happy to help!');
  await dialog.getByRole('button', { name: 'Create saved reply' }).click();
  await visible(page.getByRole('table', { name: 'Saved replies' }).getByText('/thanks'));
  const res = await as<{ shortcut: string; content: string; scope: string }[]>('GET', '/api/v1/saved-replies');
  expect(res.body).toEqual([expect.objectContaining({ shortcut: 'thanks', content: 'Thanks {{contact.first_name}}, happy to help!', scope: 'personal' })]);
  await screenshot(page, 'saved-replies-desktop');
  const phone = await newContext(stack, { viewport: PHONE });
  const p2 = await phone.newPage();
  await loginAs(p2, stack, admin.email, PASSWORD);
  await p2.goto('/saved-replies');
  await visible(p2.getByText('/thanks'));
  await screenshot(p2, 'saved-replies-phone');
  await phone.close();
  await context.close();
}, 120_000);

test('a "call the webhook" action takes its payload as JSON: text that is not an object is refused on its field; the object is saved and shown again', async () => {
  const context = await newContext(stack);
  const page = await context.newPage();
  try {
    await loginAs(page, stack, admin.email, PASSWORD);
    await page.goto('/automation/new');
    await visible(page.getByRole('heading', { name: 'New rule', level: 1 }));
    await page.getByLabel('Name').fill('Tell the CRM about refunds');
    await pick(page, group(page, 'Action 1').getByRole('combobox', { name: 'Action 1', exact: true }), 'Call the webhook (rule.fired)');
    const payload = group(page, 'Action 1').getByLabel('Webhook payload (JSON)');
    await payload.fill('queue: billing');
    await page.getByRole('button', { name: 'Create rule' }).click();
    await eventually(async () => ((await payload.getAttribute('aria-invalid')) === 'true' ? true : undefined), 10_000, 'payload marked invalid');
    expect(await group(page, 'Action 1').locator('.mantine-InputWrapper-error').textContent()).toMatch(/must be a JSON object/);

    await payload.fill('{"queue": "billing", "priority": 2}');
    await page.getByRole('button', { name: 'Create rule' }).click();
    await page.waitForURL(/\/automation\/[0-9a-f-]{36}$/);
    const id = page.url().split('/').pop()!;
    const saved = await as<RuleView>('GET', `/api/v1/automation-rules/${id}`);
    expect(saved.body.actions).toEqual([{ type: 'call_webhook', payload: { queue: 'billing', priority: 2 } }]);
    // Opened again, the payload is shown as JSON text.
    await page.reload();
    await eventually(async () => {
      const text = await group(page, 'Action 1').getByLabel('Webhook payload (JSON)').inputValue();
      return text.includes('"queue": "billing"') ? text : undefined;
    }, 15_000, 'the payload shown again');
    await screenshot(page, 'rule-call-webhook-desktop');
  } catch (err) {
    await screenshot(page, 'failure-call-webhook');
    throw err;
  } finally {
    await context.close();
  }
}, 120_000);
