/**
 * The console's shell in a real Chromium against a real API stack: sign-up through the UI (with the
 * API's field errors shown next to the fields), the manager's navigation, deep links, logout; a team
 * member's navigation and the no-access state; the API's own paths untouched by the SPA fallback.
 */
import { DESKTOP, PHONE, loginAs, newContext, screenshot, sessionToken, useBrowser, visible } from '../support/browser';
import { http, signUp, startTestStack, type TestStack } from '../support/test-stack';

useBrowser();
let stack: TestStack;

beforeAll(async () => {
  stack = await startTestStack({ worker: false });
}, 60_000);

afterAll(async () => {
  await stack?.close();
});

const MANAGER_ENTRIES = ['Inboxes', 'Contacts', 'Saved replies', 'Automation', 'Campaigns', 'Reports', 'Teams', 'Users', 'Account settings'];
const PASSWORD = 'correct horse battery';

test('a new manager signs up through the UI, lands in the shell, deep links reload, logout forgets the token', async () => {
  const context = await newContext(stack);
  const page = await context.newPage();
  await page.goto('/');
  await visible(page.getByRole('heading', { name: 'Log in' }));
  expect(new URL(page.url()).pathname).toBe('/login');
  await screenshot(page, 'login-desktop');

  await page.getByRole('link', { name: 'Create an account' }).click();
  await page.getByLabel('Company or team name').fill('Browser Ltd');
  await page.getByLabel('Your name').fill('Maja Manager');
  await page.getByLabel('Email').fill('not-an-email');
  await page.getByLabel(/^Password/).fill('short');
  await page.getByRole('button', { name: 'Create account' }).click();
  // The API's 400 names admin.email and admin.password: each problem shows under its field.
  const email = page.getByLabel('Email');
  await visible(page.locator('.mantine-InputWrapper-error'));
  expect(await email.getAttribute('aria-invalid')).toBe('true');
  expect(await page.locator('.mantine-InputWrapper-error').allTextContents()).toEqual([expect.stringMatching(/email/), expect.stringMatching(/10/)]);
  await screenshot(page, 'signup-errors');

  const address = `browser-${Date.now()}@example.com`;
  await email.fill(address);
  await page.getByLabel(/^Password/).fill(PASSWORD);
  await page.getByRole('button', { name: 'Create account' }).click();

  await visible(page.getByRole('navigation', { name: 'Manage' }));
  expect(new URL(page.url()).pathname).toBe('/conversations');
  const nav = page.getByRole('navigation', { name: 'Main navigation' });
  for (const entry of ['Conversations', ...MANAGER_ENTRIES]) await visible(nav.getByRole('link', { name: entry, exact: true }));
  await visible(page.getByRole('banner').getByText('Administrator', { exact: true }));
  // the live event stream is open (GET /api/v1/events answered and sent `ready`)
  await visible(page.getByRole('status', { name: 'Live updates: Live' }));
  await screenshot(page, 'shell-manager-desktop');

  await nav.getByRole('link', { name: 'Inboxes' }).click();
  await visible(page.getByRole('heading', { name: 'Inboxes', level: 1 }));
  await page.reload();
  await visible(page.getByRole('heading', { name: 'Inboxes', level: 1 }));
  expect(new URL(page.url()).pathname).toBe('/inboxes');
  expect(await nav.getByRole('link', { name: 'Inboxes' }).getAttribute('aria-current')).toBe('page');

  const token = await sessionToken(page);
  expect(token).toEqual(expect.any(String));
  expect((await http(stack, 'GET', '/api/v1/auth/me', undefined, token!)).status).toBe(200);
  await page.getByRole('button', { name: 'Log out' }).click();
  await visible(page.getByRole('heading', { name: 'Log in' }));
  expect(new URL(page.url()).pathname).toBe('/login');
  expect(await sessionToken(page)).toBeNull();
  // The API ended the session too.
  expect((await http(stack, 'GET', '/api/v1/auth/me', undefined, token!)).status).toBe(401);

  // At a phone width the navigation sits behind the menu button.
  const phone = await newContext(stack, { viewport: PHONE });
  const small = await phone.newPage();
  await small.goto('/login');
  await screenshot(small, 'login-phone');
  await loginAs(small, stack, address, PASSWORD);
  await screenshot(small, 'shell-manager-phone');
  await small.getByRole('button', { name: 'Open navigation' }).click();
  await visible(small.getByRole('link', { name: 'Campaigns' }));
  await screenshot(small, 'shell-manager-phone-menu');
  await small.getByRole('link', { name: 'Campaigns' }).click();
  await visible(small.getByRole('heading', { name: 'Campaigns', level: 1 }));
  await phone.close();
  await context.close();
}, 90_000);

test('a team member sees no manager entries, and forcing /users shows the no-access state', async () => {
  const admin = await signUp(stack, 'Member test Ltd');
  const inbox = await http<{ id: string }>(stack, 'POST', '/api/v1/inboxes', { name: 'Support', channelType: 'api' }, admin.token);
  expect(inbox.status).toBe(201);
  const email = `agent-${Date.now()}@example.com`;
  const user = await http<{ id: string }>(stack, 'POST', '/api/v1/users', { name: 'Alex Agent', email, password: PASSWORD }, admin.token);
  expect(user.status).toBe(201);
  expect((await http(stack, 'PUT', `/api/v1/inboxes/${inbox.body.id}/members/${user.body.id}`, { role: 'member' }, admin.token)).status).toBe(200);

  for (const viewport of [DESKTOP, PHONE]) {
    const context = await newContext(stack, { viewport });
    const page = await context.newPage();
    await loginAs(page, stack, email, PASSWORD);
    const suffix = viewport === DESKTOP ? 'desktop' : 'phone';
    if (viewport === PHONE) await page.getByRole('button', { name: 'Open navigation' }).click();
    const nav = page.getByRole('navigation', { name: 'Main navigation' });
    await visible(nav.getByRole('link', { name: 'Conversations' }));
    expect(await nav.getByRole('link').allTextContents()).toEqual(['Conversations']);
    if (viewport === DESKTOP) await visible(page.getByRole('banner').getByText('Agent', { exact: true }));
    await screenshot(page, `shell-member-${suffix}`);

    await page.goto('/users');
    await visible(page.getByRole('heading', { name: "You don't have access" }));
    expect(await page.getByRole('heading', { name: 'Users' }).count()).toBe(0);
    await screenshot(page, `no-access-${suffix}`);
    await context.close();
  }
}, 90_000);

test('the SPA fallback leaves /api and /health alone, and caches only hashed assets', async () => {
  const context = await newContext(stack);
  const page = await context.newPage();
  const missing = await page.goto('/api/v1/does-not-exist');
  expect(missing!.status()).toBe(404);
  expect(missing!.headers()['content-type']).toContain('application/json');
  expect(await missing!.json()).toMatchObject({ statusCode: 404, code: 'NOT_FOUND' });
  const health = await page.goto('/health');
  expect(health!.headers()['content-type']).toContain('application/json');
  expect(await health!.json()).toMatchObject({ database: { status: 'up' } });
  await context.close();

  const deep = await fetch(`${stack.baseUrl}/inboxes/some-id/settings`, { headers: { accept: 'text/html' } });
  expect(deep.status).toBe(200);
  expect(deep.headers.get('cache-control')).toBe('no-cache');
  const html = await deep.text();
  expect(html).toContain('<div id="root"></div>');
  const asset = html.match(/src="(\/assets\/[^"]+\.js)"/)![1];
  const js = await fetch(stack.baseUrl + asset);
  expect(js.status).toBe(200);
  expect(js.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
  // Not a page request (no text/html): the API's JSON 404, not index.html.
  const plain = await fetch(`${stack.baseUrl}/inboxes`, { headers: { accept: 'application/json' } });
  expect(plain.status).toBe(404);
  expect(plain.headers.get('content-type')).toContain('application/json');
  const webhook = await fetch(`${stack.baseUrl}/webhooks/unknown`, { headers: { accept: 'text/html' } });
  expect(webhook.status).toBe(404);
  expect(webhook.headers.get('content-type')).toContain('application/json');
});
