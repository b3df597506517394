/**
 * The webhooks screens in a real Chromium against a real API stack and a local receiver: an
 * administrator sees the API's problem under the URL field, creates an endpoint and copies the
 * secret shown once (the receiver's request verifies with it through `standardwebhooks`), sends a
 * test event that fails once and then succeeds, reads both attempts in the delivery log, redelivers
 * it, and rotates the secret. Screenshots at 1280x800 and 390x844.
 */
import { Webhook } from 'standardwebhooks';
import { PHONE, loginAs, newContext, screenshot, useBrowser, visible } from '../support/browser';
import { eventually, signUp, startTestStack, type TestStack } from '../support/test-stack';
import { startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver';

useBrowser();
let stack: TestStack;
let receiver: WebhookReceiver;
let admin: Awaited<ReturnType<typeof signUp>>;
const PASSWORD = 'correct horse battery';

beforeAll(async () => {
  stack = await startTestStack({ env: { WEBHOOK_RETRY_SCALE: '0.0005' } });
  receiver = await startWebhookReceiver();
  receiver.answer = (_req, n) => (n === 0 ? { status: 500, body: 'first try fails' } : { status: 200, body: 'ok' });
  admin = await signUp(stack, 'Webhooks Browser Ltd');
}, 120_000);

afterAll(async () => {
  await stack?.close();
  await receiver?.close();
});

test('an administrator creates an endpoint, keeps its secret, sends a test event, reads the attempts, redelivers and rotates', async () => {
  const context = await newContext(stack);
  const page = await context.newPage();
  try {
    await loginAs(page, stack, admin.email, PASSWORD);
    await page.getByRole('link', { name: 'Webhooks' }).click();
    await visible(page.getByRole('heading', { name: 'Webhooks', level: 1 }));
    await screenshot(page, 'empty');
    await page.getByRole('button', { name: 'New endpoint' }).click();
    const dialog = page.getByRole('dialog', { name: 'New webhook endpoint' });
    await dialog.getByLabel('URL').fill('ftp://example.com/hook');
    await dialog.getByRole('button', { name: 'Create endpoint' }).click();
    await visible(dialog.getByText(/must be an http/));
    await dialog.getByLabel('URL').fill(`${receiver.url}/console-hook`);
    await dialog.getByLabel('Description').fill('Console test');
    await dialog.getByRole('button', { name: 'Create endpoint' }).click();

    const secretDialog = page.getByRole('dialog', { name: 'Signing secret' });
    const secret = (await (await visible(secretDialog.getByLabel('Signing secret'))).textContent())!.trim();
    expect(secret).toMatch(/^whsec_/);
    await screenshot(page, 'secret');
    await secretDialog.getByRole('button', { name: 'Done' }).click();
    await visible(page.getByRole('heading', { name: 'Webhook endpoint', level: 1 }));

    await page.getByRole('button', { name: 'Send test event' }).click();
    await visible(page.getByText(/Test event msg_\w+ queued/));
    await eventually(async () => (receiver.received.length >= 2 ? true : undefined), 20_000, 'two attempts at the receiver');
    for (const got of receiver.received) expect(new Webhook(secret).verify(got.body, got.headers)).toMatchObject({ type: 'webhook.test' });

    const deliveries = page.getByRole('table', { name: 'Deliveries' });
    await visible(deliveries.getByText('succeeded'));
    await screenshot(page, 'endpoint');
    await deliveries.getByRole('button', { name: /Attempts of delivery/ }).first().click();
    const log = page.getByRole('table', { name: 'Attempts' });
    await visible(log.getByText('500'));
    await visible(log.getByText('200'));
    await visible(log.getByText(/HTTP 500/));
    await screenshot(page, 'attempts');
    await page.getByRole('button', { name: 'Redeliver', exact: true }).click();
    await eventually(async () => (receiver.received.length >= 3 ? true : undefined), 15_000, 'the redelivery');
    expect(new Set(receiver.received.map((r) => r.headers['webhook-id'])).size).toBe(1);
    await page.keyboard.press('Escape');

    await page.getByRole('button', { name: 'Rotate secret' }).click();
    await page.getByRole('dialog', { name: 'Rotate the signing secret?' }).getByRole('button', { name: /Rotate|Confirm|Yes/ }).click();
    const rotated = (await (await visible(page.getByRole('dialog', { name: 'Signing secret' }).getByLabel('Signing secret'))).textContent())!.trim();
    expect(rotated).toMatch(/^whsec_/);
    expect(rotated).not.toBe(secret);
    await page.getByRole('dialog', { name: 'Signing secret' }).getByRole('button', { name: 'Done' }).click();
    await visible(page.getByText(/The previous secret also signs until/));
  } catch (err) {
    await screenshot(page, 'failure');
    throw err;
  } finally {
    await context.close();
  }

  const phone = await newContext(stack, { viewport: PHONE });
  const small = await phone.newPage();
  try {
    await loginAs(small, stack, admin.email, PASSWORD);
    await small.goto('/outgoing-webhooks');
    await visible(small.getByRole('table', { name: 'Webhook endpoints' }));
    await screenshot(small, 'phone-list');
    await small.getByRole('link', { name: `${receiver.url}/console-hook` }).click();
    await visible(small.getByRole('table', { name: 'Deliveries' }));
    await screenshot(small, 'phone-endpoint');
  } catch (err) {
    await screenshot(small, 'phone-failure');
    throw err;
  } finally {
    await phone.close();
  }
}, 180_000);
