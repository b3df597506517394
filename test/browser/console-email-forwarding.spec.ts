/**
 * The email channel's forwarding panel in a real Chromium against a real API stack: the forwarding
 * address shown (and the same as the API's), a mail sent to it with nodemailer through the SMTP
 * ingress and one refused as too large, then "Last mail arrived" and the refused mail with the
 * answer given; replacing the address behind a confirmation. Screenshots at desktop and phone width.
 */
import nodemailer from 'nodemailer';
import type { Page } from 'playwright-core';
import { SmtpIngressServer } from '../../src/modules/channels/email/ingress/smtp-ingress.server';
import { PHONE, newContext, screenshot, useBrowser, visible } from '../support/browser';
import { http, signUp, startTestStack, type TestStack } from '../support/test-stack';

useBrowser();
let stack: TestStack;

beforeAll(async () => {
  // A 64 KB ingress limit, so the panel can show a "too large" refusal.
  stack = await startTestStack({ worker: false, env: { INBOUND_EMAIL_DOMAIN: 'in.cx.example.com', SMTP_INGRESS_MAX_BYTES: '65536' } });
}, 60_000);

afterAll(async () => {
  await stack?.close();
});

/** Logged in as the holder of `token` (the console keeps its session in localStorage). */
async function useSession(page: Page, token: string): Promise<void> {
  await page.goto('/login');
  await page.evaluate((t) => (globalThis as unknown as { localStorage: { setItem(k: string, v: string): void } }).localStorage.setItem('cx.session', t), token);
}

test('the email channel shows its forwarding address, when mail last arrived through it and the refused mails; the address can be replaced', async () => {
  const { token } = await signUp(stack, 'Forward Ltd');
  const context = await newContext(stack);
  const page = await context.newPage();
  await useSession(page, token);
  const created = await http<{ id: string }>(stack, 'POST', '/api/v1/inboxes', { name: 'Forwarded mail', channelType: 'email' }, token);
  expect(created.status).toBe(201);

  await page.goto(`/inboxes/${created.body.id}/channel`);
  const region = page.getByRole('region', { name: 'Forwarding' });
  const shown = await (await visible(region.getByLabel('Forwarding address', { exact: true }))).textContent();
  expect(shown).toMatch(/^[a-z2-7]{20}@in\.cx\.example\.com$/);
  const api = await http<{ address: string }>(stack, 'GET', `/api/v1/inboxes/${created.body.id}/email-channel/forwarding`, undefined, token);
  expect(api.body.address).toBe(shown);
  await visible(region.getByText('No mail has arrived through forwarding yet.'));
  await visible(region.getByText(/None refused/));

  // A mail forwarded to it, and one too large for the ingress.
  const transport = nodemailer.createTransport({ host: '127.0.0.1', port: stack.api.get(SmtpIngressServer).port!, secure: false, ignoreTLS: true });
  const raw = (body: string) => `From: Carla <carla@customer.test>\r\nTo: ${shown}\r\nSubject: Hello\r\nMessage-ID: <${Date.now()}.${Math.random()}@customer.test>\r\n\r\n${body}\r\n`;
  await transport.sendMail({ envelope: { from: 'mta@customer.test', to: shown! }, raw: raw('Where is my parcel?') });
  await expect(transport.sendMail({ envelope: { from: 'big@customer.test', to: shown! }, raw: raw('x'.repeat(70).concat('\r\n').repeat(1500)) })).rejects.toMatchObject({ responseCode: 552 });
  transport.close();

  await region.getByRole('button', { name: 'Refresh' }).click();
  await visible(region.getByLabel('Last mail arrived').getByText(/Last mail arrived .* \(1 mail in total\)/));
  const refused = region.getByRole('table', { name: 'Refused mails' });
  await visible(refused.getByText('Too large'));
  await visible(refused.getByText('big@customer.test'));
  await visible(refused.getByText(/^552 Message too large/));
  await screenshot(page, 'channel-forwarding');

  const phone = await newContext(stack, { viewport: PHONE });
  const small = await phone.newPage();
  await useSession(small, token);
  await small.goto(`/inboxes/${created.body.id}/channel`);
  // At phone width the refused mails are a list of cards instead of a table.
  const cards = small.getByRole('list', { name: 'Refused mails' });
  await visible(cards.getByText('Too large'));
  await visible(cards.getByText(/From big@customer\.test, 106 KB/));
  await screenshot(small, 'phone-channel-forwarding');
  await phone.close();

  // Replacing the address: confirmed in a dialog; the new one shows.
  await region.getByRole('button', { name: 'Replace address' }).click();
  const dialog = page.getByRole('dialog', { name: 'Replace the forwarding address?' });
  await visible(dialog);
  await dialog.getByRole('button', { name: 'Replace address' }).click();
  await dialog.waitFor({ state: 'hidden' });
  await visible(page.getByText('New forwarding address created'));
  const replaced = await region.getByLabel('Forwarding address', { exact: true }).textContent();
  expect(replaced).not.toBe(shown);
  expect((await http<{ address: string }>(stack, 'GET', `/api/v1/inboxes/${created.body.id}/email-channel/forwarding`, undefined, token)).body.address).toBe(replaced);
  await context.close();
}, 180_000);
