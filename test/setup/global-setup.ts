/**
 * Starts the real services once per test run, the same way `npm start` does:
 *   DATABASE_URL given  -> used as is; otherwise a throwaway embedded PostgreSQL
 *   TEMPORAL_ADDRESS given -> used as is; otherwise a Temporal dev server (in memory), or with
 *   TEST_TEMPORAL=cluster Temporal's real server as the cluster profile runs it (4 history shards,
 *   frontend, history, matching and worker as separate processes) on that PostgreSQL
 * Migrations run, the workflow bundle is built once, and the addresses reach the tests through env.
 * The browser tests (test/browser) need the built console: it is built here when dist/console is
 * older than console/ (scripts/build-console.ts; about 2 s, nothing when it is up to date).
 * Tests isolate themselves by their own accounts, inboxes and task queues.
 */
import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { execFileSync } from 'node:child_process';
import { startEmbeddedPostgres } from '../../src/local-stack/embedded-postgres';
import { freePort } from '../../src/local-stack/free-port';
import { startTemporalCluster } from '../../src/local-stack/temporal-cluster';
import { startTemporalDevServerOnFreePort } from '../../src/local-stack/temporal-dev-server';
import { writeWorkflowBundles } from '../../src/worker/workflow-bundles';
import { ensureConsoleBuilt } from '../../scripts/build-console';

const log = (line: string) => process.stdout.write(`[test-setup] ${line}\n`);

export default async function globalSetup(): Promise<void> {
  const started = Date.now();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cx-test-'));
  const stops: Array<() => Promise<void>> = [];
  (globalThis as { __cxStops?: typeof stops }).__cxStops = stops;
  (globalThis as { __cxTmp?: string }).__cxTmp = dir;

  ensureConsoleBuilt(log);

  // Channel secrets (Twilio auth tokens) are encrypted at rest; every test stack shares this key.
  process.env.SECRETS_KEY ??= randomBytes(32).toString('base64');

  if (!process.env.DATABASE_URL) {
    const pg = await startEmbeddedPostgres({
      dataDir: path.join(dir, 'postgres'),
      port: await freePort(),
      database: 'cx_test',
      persistent: false,
    });
    stops.push(() => pg.stop());
    process.env.DATABASE_URL = pg.url;
    log(`embedded PostgreSQL ${pg.url}`);
  }
  // In a child process: MikroORM loaded here would register its entity metadata in this realm, which
  // breaks the ORM inside the test realm (mikro-orm#3783).
  execFileSync(process.execPath, ['-r', 'ts-node/register/transpile-only', path.join(__dirname, '../../src/database/migrate.ts')], {
    env: process.env,
    stdio: 'inherit',
  });

  if (!process.env.TEMPORAL_ADDRESS && process.env.TEST_TEMPORAL === 'cluster') {
    const db = new URL(process.env.DATABASE_URL);
    const cluster = await startTemporalCluster({
      dir: path.join(dir, 'temporal-cluster'),
      postgres: { host: db.hostname, port: Number(db.port || 5432), user: decodeURIComponent(db.username), password: decodeURIComponent(db.password) },
      portLayout: 'free',
      // Its services' error lines (a task queue unloaded as a test's worker stops...) stay in their logs.
      log: (l) => (l.startsWith('[temporal ') ? undefined : log(l)),
    });
    stops.push(() => cluster.stop());
    process.env.TEMPORAL_ADDRESS = cluster.address;
    log(`Temporal cluster ${cluster.address} (${cluster.historyShards} history shards; logs in ${path.join(dir, 'temporal-cluster')})`);
  }
  if (!process.env.TEMPORAL_ADDRESS) {
    const temporal = await startTemporalDevServerOnFreePort(
      { fastSqlite: true, cliPath: process.env.TEMPORAL_CLI_PATH, log: (l) => (l.startsWith('[temporal]') ? undefined : log(l)) },
      freePort,
    );
    stops.push(() => temporal.stop());
    process.env.TEMPORAL_ADDRESS = temporal.address;
    log(`Temporal dev server ${temporal.address}`);
  }

  // One bundle per task queue, built once for every worker the tests start.
  process.env.TEST_WORKFLOW_BUNDLES = JSON.stringify(await writeWorkflowBundles(dir, log));
  log(`ready in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

