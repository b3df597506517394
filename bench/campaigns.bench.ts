/**
 * npm run bench:campaigns
 *
 * Campaign sending end to end on this machine: its own embedded PostgreSQL, its own Temporal dev
 * server (SQLite, fast pragmas), the API in this process, the product worker (both task queues) in a
 * child process (bench/support/bench-worker.ts), SMS through the official `twilio` client to a local
 * sink of the Twilio REST API (bench/support/twilio-sink.ts) that counts the sends.
 *
 *  1. Unthrottled: BENCH_RECIPIENTS (10,000) recipients → recipients per second (first to last call).
 *  2. Limited: BENCH_LIMITED_RECIPIENTS (10,000) recipients at BENCH_LIMIT (100)/s → achieved rate
 *     (calls between the 10th and the last, over their time span).
 *  Also: provider calls per recipient (must be exactly 1), the worker's peak RSS (VmHWM), and the
 *  largest workflow history reached by any run of the campaign-run workflows (events and bytes).
 *
 * One JSON document on stdout, progress on stderr. Settings (env, or --name=value on the command line):
 *   BENCH_RECIPIENTS=10000  BENCH_LIMITED_RECIPIENTS=10000  BENCH_LIMIT=100
 *   BENCH_WORKER_RUNTIME=ts-node|node (ts-node, as the figures so far were taken; node: the tree compiled with tsc first)
 */
import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Client } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import type { Client as PgClient } from 'pg';
import { campaignRunWorkflowId } from '../workflows/contracts/campaign.contract';
import { signUp } from './support/accounts';
import { round } from './support/distribution';
import { json } from './support/http';
import { memoryOf } from './support/process-stats';
import { log, runBench, sleep } from './support/run';
import { positiveNumber, setting } from './support/settings';
import { BenchStack } from './support/stack';
import { startTwilioSink, type TwilioSink } from './support/twilio-sink';
import { BenchWorker, prepareWorkerRuntime, type WorkerRuntime } from './support/worker-process';

const RECIPIENTS = positiveNumber('BENCH_RECIPIENTS', 10_000);
const LIMITED_RECIPIENTS = positiveNumber('BENCH_LIMITED_RECIPIENTS', 10_000);
const LIMIT = positiveNumber('BENCH_LIMIT', 100);
const WORKER_RUNTIME = setting('BENCH_WORKER_RUNTIME', 'ts-node') as WorkerRuntime;

interface Scenario {
  base: string;
  token: string;
  accountId: string;
  inboxId: string;
  db: PgClient;
  client: Client;
  sink: TwilioSink;
}

/** `n` contacts with an SMS identity each, tagged with the batch their campaign's audience selects. */
async function seedRecipients(s: Scenario, batch: string, n: number, offset: number): Promise<void> {
  await s.db.query(
    `insert into contacts (id, account_id, name, phone, attributes) select gen_random_uuid(), $1, 'Person ' || g, '+1555' || lpad((g + $3)::text, 7, '0'), jsonb_build_object('batch', $2::text)
       from generate_series(1, $4) g`,
    [s.accountId, batch, offset, n],
  );
  await s.db.query(`insert into contact_identities (id, account_id, contact_id, channel_type, address) select gen_random_uuid(), account_id, id, 'sms', phone from contacts where attributes ->> 'batch' = $1`, [batch]);
}

/** One campaign to a new batch of `n` recipients, from start to completed: its provider calls, rates and largest workflow history. */
async function runCampaign(s: Scenario, batch: string, n: number, offset: number, rateLimitPerSecond: number | null) {
  await seedRecipients(s, batch, n, offset);
  const campaign = await json<{ id: string }>(s.base, 'POST', '/api/v1/campaigns', s.token, {
    name: batch,
    type: 'promotional',
    inboxId: s.inboxId,
    audience: { attributes: { batch } },
    template: `[${batch}] Hi {{contact.name}}, the sale starts today.`,
    rateLimitPerSecond,
  });
  const t0 = Date.now();
  await json(s.base, 'POST', `/api/v1/campaigns/${campaign.id}/start`, s.token);
  for (;;) {
    const p = await json<{ status: string; sent: number }>(s.base, 'GET', `/api/v1/campaigns/${campaign.id}/progress`, s.token);
    if (p.status === 'completed') break;
    if (['failed', 'cancelled'].includes(p.status)) throw new Error(`campaign ${batch}: ${p.status}`);
    await sleep(200);
  }
  const sends = s.sink.messages.filter((m) => m.body.startsWith(`[${batch}]`));
  const times = sends.map((m) => m.at).sort((a, b) => a - b);
  const perNumber = new Map<string, number>();
  for (const m of sends) perNumber.set(m.to, (perNumber.get(m.to) ?? 0) + 1);
  const span = (times[times.length - 1] - times[0]) / 1000;
  const skip = Math.min(10, times.length - 1);
  const steady = (times.length - 1 - skip) / ((times[times.length - 1] - times[skip]) / 1000);
  // Every run of this campaign's workflow: the largest history.
  let maxEvents = 0;
  let maxBytes = 0;
  let runs = 0;
  for await (const execution of s.client.workflow.list({ query: `WorkflowId = '${campaignRunWorkflowId(campaign.id)}'` })) {
    const history = await s.client.workflow.getHandle(execution.workflowId, execution.runId).fetchHistory();
    runs += 1;
    maxEvents = Math.max(maxEvents, history.events?.length ?? 0);
    maxBytes = Math.max(maxBytes, temporal.api.history.v1.History.encode(history).finish().length);
  }
  return {
    recipients: n,
    rateLimitPerSecond,
    providerCalls: sends.length,
    recipientsCalledOnce: [...perNumber.values()].filter((c) => c === 1).length,
    recipientsCalledTwice: [...perNumber.values()].filter((c) => c > 1).length,
    wallSeconds: round((Date.now() - t0) / 1000, 2),
    recipientsPerSecond: round(n / span, 1),
    steadyRatePerSecond: round(steady, 2),
    workflowRuns: runs,
    largestHistory: { events: maxEvents, bytes: maxBytes },
  };
}

async function campaignsBench() {
  const stack = new BenchStack('campaigns');
  try {
    await stack.startPostgres();
    await stack.startTemporal();
    const bundles = await stack.workflowBundles();
    const sink = await startTwilioSink();
    stack.defer('Twilio sink', () => sink.close());
    const env = stack.serviceEnv({
      TEMPORAL_TASK_QUEUE: 'bench-conversations',
      TEMPORAL_CAMPAIGN_TASK_QUEUE: 'bench-campaigns',
      TWILIO_API_BASE_URL: sink.baseUrl,
      PUBLIC_URL: 'https://cx.example.test',
      LOG_LEVEL: 'error',
      SECRETS_KEY: process.env.SECRETS_KEY ?? randomBytes(32).toString('base64'),
    });
    const { base } = await stack.startApi(env);
    const runtime = prepareWorkerRuntime(WORKER_RUNTIME, path.join(stack.tmp, 'build'));
    const worker = await BenchWorker.start('worker', { ...env, BENCH_WORKER_MODE: 'product', BENCH_WORKFLOW_BUNDLES: JSON.stringify(bundles) }, runtime);
    stack.defer('product worker', () => worker.stop());
    log(`worker pid ${worker.pid} ready (${JSON.stringify(memoryOf(worker.pid))})`);

    const { token, accountId } = await signUp(base, 'Bench', `bench-${Date.now()}@example.com`);
    const inbox = await json<{ id: string }>(base, 'POST', '/api/v1/inboxes', token, { name: 'SMS', channelType: 'sms' });
    await json(base, 'PUT', `/api/v1/inboxes/${inbox.id}/sms-channel`, token, { accountSid: `AC${randomBytes(16).toString('hex')}`, authToken: randomBytes(16).toString('hex'), fromNumber: '+15005550006' });
    const scenario: Scenario = { base, token, accountId, inboxId: inbox.id, db: await stack.database(), client: await stack.temporalClient(), sink };

    let peakRssMb = 0;
    const sampler = setInterval(() => {
      if (worker.alive) peakRssMb = Math.max(peakRssMb, memoryOf(worker.pid)?.peakRssMb ?? 0);
    }, 500);
    stack.defer('RSS sampler', async () => clearInterval(sampler));

    log(`unthrottled: ${RECIPIENTS} recipients`);
    const unthrottled = await runCampaign(scenario, 'free', RECIPIENTS, 0, null);
    log(JSON.stringify(unthrottled));
    log(`limited: ${LIMITED_RECIPIENTS} recipients at ${LIMIT}/s`);
    const limited = await runCampaign(scenario, 'limited', LIMITED_RECIPIENTS, RECIPIENTS, LIMIT);
    log(JSON.stringify(limited));
    peakRssMb = Math.max(peakRssMb, memoryOf(worker.pid)?.peakRssMb ?? 0);

    return {
      machine: { cpus: os.cpus().length, loadAverage: os.loadavg().map((l) => round(l, 2)) },
      unthrottled,
      limited: { ...limited, withinPercentOfLimit: round((Math.abs(limited.steadyRatePerSecond - LIMIT) / LIMIT) * 100, 2) },
      worker: { peakRssMb, runtime: runtime.compiled ? runtime.description : `${runtime.description} (ts-node adds about 120 MB)` },
    };
  } finally {
    await stack.stop();
  }
}

runBench(campaignsBench);
