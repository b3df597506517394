/**
 * Browser tests (test/browser/*.spec.ts): Debian's Chromium (`apt-get install -y chromium`;
 * .ci/run installs it) driven by playwright-core, against a test stack that serves the built
 * console (the jest global setup builds it when dist/console is stale).
 *
 *   const browser = useBrowser();            // one Chromium per test file, closed after it
 *   const context = await newContext(stack);  // 1280x800 unless told; baseURL = the stack
 *   const page = await context.newPage();
 *   await loginAs(page, stack, email, password);
 *   await screenshot(page, 'inboxes-list');  // test-artifacts/screenshots/<file>-inboxes-list.png
 *
 * Find elements by role and label (page.getByRole('button', { name: 'Log in' }), getByLabel('Email')):
 * the console labels its inputs, and a test that finds them so checks that too.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { chromium, type Browser, type BrowserContext, type BrowserContextOptions, type Locator, type Page } from 'playwright-core';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const SCREENSHOT_DIR = path.resolve(__dirname, '../../test-artifacts/screenshots');
export const DESKTOP = { width: 1280, height: 800 };
export const PHONE = { width: 390, height: 844 };

const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

let browser: Browser | undefined;

/** Launches the file's Chromium before its tests and closes it after them; returns a getter. */
export function useBrowser(): () => Browser {
  beforeAll(async () => {
    if (!fs.existsSync(CHROMIUM_PATH)) throw new Error(`no Chromium at ${CHROMIUM_PATH}: apt-get install -y chromium (or set CHROMIUM_PATH)`);
    browser = await chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: ARGS });
  }, 30_000);
  afterAll(async () => {
    await browser?.close();
    browser = undefined;
  });
  return () => {
    if (!browser) throw new Error('useBrowser(): the browser starts in beforeAll');
    return browser;
  };
}

/** A fresh browser profile (no cookies, no localStorage) whose relative URLs go to the stack. */
export async function newContext(stack: { baseUrl: string }, opts: BrowserContextOptions = {}): Promise<BrowserContext> {
  if (!browser) throw new Error('call useBrowser() at the top of the test file');
  const context = await browser.newContext({ baseURL: stack.baseUrl, viewport: DESKTOP, ...opts });
  context.setDefaultTimeout(10_000);
  return context;
}

/** Waits until the locator is visible (fails after the context's timeout) and returns it. */
export async function visible(locator: Locator): Promise<Locator> {
  await locator.first().waitFor({ state: 'visible' });
  return locator;
}

/** Logs in through the login page and waits for the app shell. */
export async function loginAs(page: Page, _stack: { baseUrl: string }, email: string, password: string): Promise<void> {
  await page.goto('/login');
  await page.getByLabel('Email').fill(email);
  await page.getByLabel(/^Password/).fill(password);
  await page.getByRole('button', { name: 'Log in' }).click();
  await visible(page.getByRole('navigation', { name: 'Work' }));
}

/** Saves a full-page PNG as test-artifacts/screenshots/<test file>-<name>.png (not committed: look at it). */
export async function screenshot(page: Page, name: string): Promise<string> {
  fs.mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const spec = path.basename(expect.getState().testPath ?? 'browser', '.spec.ts');
  const file = path.join(SCREENSHOT_DIR, `${spec}-${name}.png`);
  // animations: 'disabled' finishes transitions first (the phone navbar slides in).
  await page.screenshot({ path: file, fullPage: true, animations: 'disabled' });
  return file;
}

/** The session token the console keeps (null when logged out). */
export function sessionToken(page: Page): Promise<string | null> {
  // The callback runs in the page (a browser global the test's Node types do not know).
  return page.evaluate(() => (globalThis as unknown as { localStorage: { getItem(k: string): string | null } }).localStorage.getItem('cx.session'));
}
