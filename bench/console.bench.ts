/**
 * npm run bench:console
 *
 * The agent console's first screen with 100,000 conversations in the database: seeds them with SQL
 * generate_series into one account and inbox (the account through the API), builds the console
 * (production mode), then loads `/` in headless Chromium (Debian's, via playwright-core) with
 * the session token in localStorage, in a fresh browser profile each time (nothing cached), and
 * measures the time until the conversation list's first row is visible and clickable: median and p95
 * over BENCH_LOADS loads (default 10). Also the first screen's JS + CSS, gzip bytes (each response
 * body gzipped here). Prints one JSON document; goal < 1.5 s. Progress on stderr.
 */
import 'reflect-metadata';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { gzipSync } from 'node:zlib';
import { EntityManager } from '@mikro-orm/postgresql';
import { chromium } from 'playwright-core';
import { createAgent, signUp } from './support/accounts';
import { percentile } from './support/distribution';
import { json } from './support/http';
import { log, runBench } from './support/run';
import { positiveNumber } from './support/settings';
import { BenchStack } from './support/stack';

const CONVERSATIONS = positiveNumber('BENCH_CONVERSATIONS', 100_000);
const LOADS = positiveNumber('BENCH_LOADS', 10);
const GOAL_MS = 1500;
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ROOT = path.resolve(__dirname, '..');

async function consoleBench() {
  // Always a production build: one left by jest (NODE_ENV=test) carries React's development build.
  log('building the console (production)');
  execFileSync('npm', ['run', 'build:console'], { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'], env: { ...process.env, NODE_ENV: 'production' } });
  if (!fs.existsSync(path.join(ROOT, 'dist/console/index.html'))) throw new Error('the console build wrote no dist/console/index.html');
  const stack = new BenchStack('console');
  try {
    if (process.env.DATABASE_URL) await stack.useDatabase(process.env.DATABASE_URL);
    else await stack.startPostgres();
    const { app, base } = await stack.startApi(stack.serviceEnv({ TEMPORAL_ADDRESS: process.env.TEMPORAL_ADDRESS ?? '127.0.0.1:1', LOG_LEVEL: 'error' }));

    const { token: admin, accountId } = await signUp(base, 'Console bench', `console-bench-${Date.now()}@example.com`);
    const inbox = await json<{ id: string }>(base, 'POST', '/api/v1/inboxes', admin, { name: 'Support', channelType: 'api' });
    const agent = await createAgent(base, admin, { name: 'Agent', email: `console-agent-${Date.now()}@example.com`, inboxIds: [inbox.id] });
    const conn = app.get(EntityManager).fork().getConnection();
    const t0 = Date.now();
    log(`seeding ${CONVERSATIONS} conversations`);
    await conn.execute(
      `insert into contacts (id, account_id, name, email, vip, spam, platform_attributes, attributes, created_at, updated_at)
       select md5('console-contact' || g)::uuid, ?, 'Contact ' || g, 'cc' || g || '@example.com', g % 50 = 0, false, '{}', '{}', now(), now()
       from generate_series(1, ?) g`,
      [accountId, CONVERSATIONS],
    );
    await conn.execute(
      `insert into conversations (id, account_id, inbox_id, contact_id, channel_type, status, assignee_id, priority, last_activity_at, created_at)
       select md5('console-conv' || g)::uuid, ?, ?, md5('console-contact' || g)::uuid, 'api',
              (array['new','open','open','pending','resolved','resolved'])[1 + g % 6],
              case when g % 3 = 0 then ?::uuid else null end,
              g % 5, now() - ((g * 37) % 2592000) * interval '1 second', now() - g * interval '1 second'
       from generate_series(1, ?) g`,
      [accountId, inbox.id, agent.id, CONVERSATIONS],
    );
    await conn.execute('analyze');
    const seedSeconds = (Date.now() - t0) / 1000;
    log(`seeded in ${seedSeconds.toFixed(1)} s`);

    const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-dev-shm-usage'] });
    stack.defer('Chromium', () => browser.close());
    const times: number[] = [];
    let firstScreen = { js: 0, css: 0, files: 0 };
    for (let i = 0; i < LOADS + 1; i++) {
      const context = await browser.newContext({ baseURL: base, viewport: { width: 1280, height: 800 } });
      await context.addInitScript((token) => (globalThis as unknown as { localStorage: { setItem(k: string, v: string): void } }).localStorage.setItem('cx.session', token), agent.token);
      const page = await context.newPage();
      const assets: Promise<{ kind: 'js' | 'css'; gz: number }>[] = [];
      page.on('response', (res) => {
        const type = res.request().resourceType();
        if (type === 'script' || type === 'stylesheet') assets.push(res.body().then((b) => ({ kind: type === 'script' ? 'js' : 'css', gz: gzipSync(b).length })));
      });
      const start = performance.now();
      await page.goto('/');
      const row = page.getByRole('navigation', { name: 'Conversation list' }).getByRole('link').first();
      await row.waitFor({ state: 'visible', timeout: 30_000 });
      await row.click({ trial: true, timeout: 30_000 }); // visible, stable, enabled, receives events
      const ms = performance.now() - start;
      if (i === 0) {
        const list = await Promise.all(assets);
        firstScreen = { js: list.filter((a) => a.kind === 'js').reduce((s, a) => s + a.gz, 0), css: list.filter((a) => a.kind === 'css').reduce((s, a) => s + a.gz, 0), files: list.length };
        log(`warm-up load ${Math.round(ms)} ms (not counted)`);
      } else {
        times.push(ms);
        log(`load ${i}: ${Math.round(ms)} ms`);
      }
      await context.close();
    }
    times.sort((a, b) => a - b);
    const median = percentile(times, 50, 0);
    const p95 = percentile(times, 95, 0);
    return {
      benchmark: 'console-first-screen',
      conversations: CONVERSATIONS,
      loads: LOADS,
      seedSeconds: Math.round(seedSeconds),
      unit: 'ms from navigating to / (token in localStorage, fresh profile) to the first conversation row visible and clickable',
      medianMs: median,
      p95Ms: p95,
      minMs: Math.round(times[0]),
      maxMs: Math.round(times[times.length - 1]),
      goalMs: GOAL_MS,
      withinGoal: (p95 ?? Infinity) < GOAL_MS,
      firstScreenGzipBytes: { js: firstScreen.js, css: firstScreen.css, total: firstScreen.js + firstScreen.css, files: firstScreen.files, budget: 400 * 1024 },
      machine: { cpus: os.cpus().length, node: process.version },
    };
  } finally {
    await stack.stop();
  }
}

runBench(consoleBench);
