/**
 * npm run bench:campaigns
 *
 * Campaign sending end to end on this machine: its own embedded PostgreSQL, its own Temporal dev
 * server (SQLite, fast pragmas), the API in this process, the product worker (both task queues) in a
 * child process (test/support/worker-process.ts, under ts-node), SMS through the official `twilio`
 * client to a local fake of the Twilio REST API (test/support/fake-twilio.ts) that counts calls.
 *
 *  1. Unthrottled: BENCH_RECIPIENTS (10,000) recipients → recipients per second (first to last call).
 *  2. Limited: BENCH_LIMITED_RECIPIENTS (10,000) recipients at BENCH_LIMIT (100)/s → achieved rate
 *     (calls between the 10th and the last, over their time span).
 *  Also: provider calls per recipient (must be exactly 1), the worker's peak RSS (VmHWM), and the
 *  largest workflow history reached by any run of the campaign-run workflows (events and bytes).
 *
 * One JSON document on stdout, progress on stderr.
 */
import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { INestApplication } from '@nestjs/common';
import { Client, Connection } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { Client as PgClient } from 'pg';
import { createApiApp } from '../src/app.factory';
import { loadConfig, requireServices } from '../src/config/config';
import { runMigrations } from '../src/database/migrate';
import { type RunningPostgres, startEmbeddedPostgres } from '../src/local-stack/embedded-postgres';
import { type RunningTemporal, startTemporalDevServerOnFreePort } from '../src/local-stack/temporal-dev-server';
import { writeWorkflowBundles } from '../src/worker/workflow-bundles';
import { startFakeTwilio, type FakeTwilio } from '../test/support/fake-twilio';
import { freePort } from '../src/local-stack/free-port';
import { spawnWorkerProcess, type WorkerProcess } from '../test/support/worker-process';
import { campaignRunWorkflowId } from '../workflows/contracts/campaign.contract';
import { json } from './support/http';

const RECIPIENTS = Number(process.env.BENCH_RECIPIENTS ?? 10_000);
const LIMITED_RECIPIENTS = Number(process.env.BENCH_LIMITED_RECIPIENTS ?? 10_000);
const LIMIT = Number(process.env.BENCH_LIMIT ?? 100);

const log = (line: string) => process.stderr.write(`[bench] ${line}\n`);
const round = (n: number, d = 1) => Math.round(n * 10 ** d) / 10 ** d;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Peak and current resident set of a process, MB (Linux /proc). */
function memoryOf(pid: number): { peakRssMb: number; rssMb: number } {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (key: string) => Number(new RegExp(`${key}:\\s+(\\d+)`).exec(status)?.[1] ?? 0);
  return { peakRssMb: round(kb('VmHWM') / 1024), rssMb: round(kb('VmRSS') / 1024) };
}

async function main(): Promise<void> {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cx-bench-campaigns-'));
  const stops: Array<() => Promise<unknown>> = [];
  let pg: RunningPostgres | undefined;
  let server: RunningTemporal | undefined;
  let api: INestApplication | undefined;
  let worker: WorkerProcess | undefined;
  let fake: FakeTwilio | undefined;
  try {
    pg = await startEmbeddedPostgres({ dataDir: path.join(tmp, 'postgres'), port: await freePort(), database: 'cx_bench', persistent: false });
    stops.push(() => pg!.stop());
    await runMigrations(pg.url);
    server = await startTemporalDevServerOnFreePort(
      { dbFile: path.join(tmp, 'temporal', 'temporal.sqlite'), fastSqlite: true, cliPath: process.env.TEMPORAL_CLI_PATH, log: (l) => (l.startsWith('[temporal]') ? undefined : log(l)) },
      freePort,
    );
    stops.push(() => server!.stop());
    process.env.TEST_WORKFLOW_BUNDLES = JSON.stringify(await writeWorkflowBundles(tmp, log));

    fake = await startFakeTwilio();
    stops.push(() => fake!.close());
    const config = requireServices(
      loadConfig({
        ...process.env,
        DATABASE_URL: pg.url,
        TEMPORAL_ADDRESS: server.address,
        TEMPORAL_TASK_QUEUE: 'bench-conversations',
        TEMPORAL_CAMPAIGN_TASK_QUEUE: 'bench-campaigns',
        TWILIO_API_BASE_URL: fake.baseUrl,
        PUBLIC_URL: 'https://cx.example.test',
        LOG_LEVEL: 'error',
        SECRETS_KEY: process.env.SECRETS_KEY ?? randomBytes(32).toString('base64'),
      }),
    );
    api = await createApiApp(config);
    await api.listen(0, '127.0.0.1');
    stops.push(() => api!.close());
    const base = (await api.getUrl()).replace('[::1]', '127.0.0.1');
    worker = spawnWorkerProcess(config);
    stops.push(() => worker!.kill('SIGTERM'));
    await worker.ready;
    log(`worker pid ${worker.pid} ready (${JSON.stringify(memoryOf(worker.pid))})`);

    const signUp = await json<{ token: string; account: { id: string } }>(base, 'POST', '/api/v1/accounts', undefined, {
      name: 'Bench',
      admin: { name: 'Admin', email: `bench-${Date.now()}@example.com`, password: 'correct horse battery' },
    });
    const token = signUp.token;
    const inbox = await json<{ id: string }>(base, 'POST', '/api/v1/inboxes', token, { name: 'SMS', channelType: 'sms' });
    await json(base, 'PUT', `/api/v1/inboxes/${inbox.id}/sms-channel`, token, { accountSid: `AC${randomBytes(16).toString('hex')}`, authToken: randomBytes(16).toString('hex'), fromNumber: '+15005550006' });

    const db = new PgClient({ connectionString: pg.url });
    await db.connect();
    stops.push(() => db.end());
    const seed = async (batch: string, n: number, offset: number) => {
      await db.query(
        `insert into contacts (id, account_id, name, phone, attributes) select gen_random_uuid(), $1, 'Person ' || g, '+1555' || lpad((g + $3)::text, 7, '0'), jsonb_build_object('batch', $2::text)
           from generate_series(1, $4) g`,
        [signUp.account.id, batch, offset, n],
      );
      await db.query(`insert into contact_identities (id, account_id, contact_id, channel_type, address) select gen_random_uuid(), account_id, id, 'sms', phone from contacts where attributes ->> 'batch' = $1`, [batch]);
    };

    const client = new Client({ connection: await Connection.connect({ address: server.address }), namespace: 'default' });
    stops.push(() => client.connection.close());

    let peakRssMb = 0;
    const sampler = setInterval(() => {
      if (worker && !worker.exited) peakRssMb = Math.max(peakRssMb, memoryOf(worker.pid).peakRssMb);
    }, 500);
    stops.push(async () => clearInterval(sampler));

    const run = async (batch: string, n: number, offset: number, rateLimitPerSecond: number | null) => {
      await seed(batch, n, offset);
      const campaign = await json<{ id: string }>(base, 'POST', '/api/v1/campaigns', token, {
        name: batch,
        type: 'promotional',
        inboxId: inbox.id,
        audience: { attributes: { batch } },
        template: `[${batch}] Hi {{contact.name}}, the sale starts today.`,
        rateLimitPerSecond,
      });
      const times: number[] = [];
      const seenBefore = fake!.requests.length;
      const watch = setInterval(() => {
        // Stamp the calls that arrived since the last look (20 ms resolution).
        while (seenBefore + times.length < fake!.requests.length) times.push(Date.now());
      }, 20);
      const t0 = Date.now();
      await json(base, 'POST', `/api/v1/campaigns/${campaign.id}/start`, token);
      for (;;) {
        const p = await json<{ status: string; sent: number }>(base, 'GET', `/api/v1/campaigns/${campaign.id}/progress`, token);
        if (p.status === 'completed') break;
        if (['failed', 'cancelled'].includes(p.status)) throw new Error(`campaign ${batch}: ${p.status}`);
        await sleep(200);
      }
      clearInterval(watch);
      while (seenBefore + times.length < fake!.requests.length) times.push(Date.now());
      const perNumber = new Map<string, number>();
      for (const r of fake!.requests) if (r.form.Body?.startsWith(`[${batch}]`)) perNumber.set(r.form.To, (perNumber.get(r.form.To) ?? 0) + 1);
      const calls = [...perNumber.values()].reduce((a, b) => a + b, 0);
      const span = (times[times.length - 1] - times[0]) / 1000;
      const skip = Math.min(10, times.length - 1);
      const steady = (times.length - 1 - skip) / ((times[times.length - 1] - times[skip]) / 1000);
      // Every run of this campaign's workflow: the largest history.
      let maxEvents = 0;
      let maxBytes = 0;
      let runs = 0;
      for await (const execution of client.workflow.list({ query: `WorkflowId = '${campaignRunWorkflowId(campaign.id)}'` })) {
        const history = await client.workflow.getHandle(execution.workflowId, execution.runId).fetchHistory();
        runs += 1;
        maxEvents = Math.max(maxEvents, history.events?.length ?? 0);
        maxBytes = Math.max(maxBytes, temporal.api.history.v1.History.encode(history).finish().length);
      }
      return {
        recipients: n,
        rateLimitPerSecond,
        providerCalls: calls,
        recipientsCalledOnce: [...perNumber.values()].filter((c) => c === 1).length,
        recipientsCalledTwice: [...perNumber.values()].filter((c) => c > 1).length,
        wallSeconds: round((Date.now() - t0) / 1000, 2),
        recipientsPerSecond: round(n / span, 1),
        steadyRatePerSecond: round(steady, 2),
        workflowRuns: runs,
        largestHistory: { events: maxEvents, bytes: maxBytes },
      };
    };

    log(`unthrottled: ${RECIPIENTS} recipients`);
    const unthrottled = await run('free', RECIPIENTS, 0, null);
    log(JSON.stringify(unthrottled));
    log(`limited: ${LIMITED_RECIPIENTS} recipients at ${LIMIT}/s`);
    const limited = await run('limited', LIMITED_RECIPIENTS, RECIPIENTS, LIMIT);
    log(JSON.stringify(limited));
    peakRssMb = Math.max(peakRssMb, memoryOf(worker.pid).peakRssMb);

    process.stdout.write(
      `${JSON.stringify(
        {
          machine: { cpus: os.cpus().length, loadAverage: os.loadavg().map((l) => round(l, 2)) },
          unthrottled,
          limited: { ...limited, withinPercentOfLimit: round((Math.abs(limited.steadyRatePerSecond - LIMIT) / LIMIT) * 100, 2) },
          worker: { peakRssMb, runtime: 'node -r ts-node/register/transpile-only (ts-node adds about 120 MB)' },
        },
        null,
        2,
      )}\n`,
    );
  } finally {
    for (const stop of stops.reverse()) await stop().catch((err: unknown) => log(`stop: ${(err as Error).message}`));
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (err) => {
    process.stderr.write(`bench failed: ${(err as Error).stack ?? err}\n`);
    process.exit(1);
  },
);
