/** serve-console.ts on a plain Express app: the build's files, the SPA fallback, the page shown without a build. */
import * as fs from 'node:fs';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import express from 'express';
import { isApiPath, serveConsole } from '../../src/console/serve-console';

async function serve(dir: string): Promise<{ url: string; close(): Promise<void> }> {
  const app = express();
  app.use(...serveConsole(dir));
  app.use((_req, res) => void res.status(404).json({ statusCode: 404, code: 'NOT_FOUND' }));
  const server = app.listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, close: () => new Promise((r) => server.close(() => r())) };
}

const html = { accept: 'text/html,application/xhtml+xml' };
let dir: string;

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'console-dist-'));
  fs.mkdirSync(path.join(dir, 'assets'));
  fs.writeFileSync(path.join(dir, 'index.html'), '<!doctype html><div id="root"></div>');
  fs.writeFileSync(path.join(dir, 'assets', 'index-abc123.js'), 'console.log(1)');
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

test('the API prefixes are the API', () => {
  expect(['/api', '/api/v1/x', '/health', '/webhooks/twilio/sms/1'].every(isApiPath)).toBe(true);
  expect(['/', '/inboxes', '/apix', '/healthy', '/webhooksettings'].some(isApiPath)).toBe(false);
});

test('index.html at / and for page requests, never cached; hashed assets cached for a year; the rest falls through', async () => {
  const s = await serve(dir);
  try {
    const root = await fetch(s.url + '/');
    expect(root.status).toBe(200);
    expect(root.headers.get('cache-control')).toBe('no-cache');
    expect(await root.text()).toContain('<div id="root">');
    const deep = await fetch(s.url + '/conversations/123/timeline', { headers: html });
    expect([deep.status, deep.headers.get('cache-control')]).toEqual([200, 'no-cache']);
    const asset = await fetch(s.url + '/assets/index-abc123.js');
    expect([asset.status, asset.headers.get('cache-control')]).toEqual([200, 'public, max-age=31536000, immutable']);
    for (const p of ['/api/v1/nope', '/health/x', '/webhooks/nope']) expect((await fetch(s.url + p, { headers: html })).status).toBe(404);
    expect((await fetch(s.url + '/inboxes', { headers: { accept: 'application/json' } })).status).toBe(404);
    expect((await fetch(s.url + '/inboxes', { method: 'POST', headers: html })).status).toBe(404);
    expect((await fetch(s.url + '/assets/missing.js')).status).toBe(404);
  } finally {
    await s.close();
  }
});

test('without a build, page requests get a page saying how to build it', async () => {
  const s = await serve(path.join(dir, 'missing'));
  try {
    const res = await fetch(s.url + '/inboxes', { headers: html });
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('console not built: run <code>npm run build</code>');
    expect((await fetch(s.url + '/api/v1/x', { headers: html })).status).toBe(404);
  } finally {
    await s.close();
  }
});
