/**
 * npm run bench:webhooks
 *
 * Outgoing webhook fan-out end to end: BENCH_EVENTS (10,000) message.created events, committed
 * straight into PostgreSQL (messages inserted in transactions of BENCH_BATCH rows over
 * BENCH_CONVERSATIONS conversations: the trigger enqueues each at commit, as for any writer), to 3
 * endpoints of one account on a local receiver (127.0.0.1, answering 200 at once). The API and the
 * product's worker (its three task queues, the webhook dispatcher) run in this process on a
 * throwaway embedded PostgreSQL and a Temporal dev server. Measured: deliveries per second (first
 * commit to last 2xx), event -> delivery latency (commit of the event to its receipt: p50/p95/p99/max),
 * lost and duplicated deliveries (per endpoint and webhook-id), per-conversation order violations.
 * Prints one JSON document; progress on stderr. Goal: >= 500 deliveries/s.
 *
 * BENCH_EVENTS (10000), BENCH_ENDPOINTS (3), BENCH_CONVERSATIONS (200), BENCH_BATCH (50),
 * BENCH_CONCURRENCY (the worker's WEBHOOK_CONCURRENCY) and BENCH_POOL_SIZE (its DATABASE_POOL_SIZE): the
 * product's defaults unless given, so the figure is what an installation gets out of the box.
 */
import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { loadConfig, requireServices } from '../src/config/config';
import { createWorkers } from '../src/worker/worker.factory';
import { WorkerModule } from '../src/worker/worker.module';
import { startBenchReceiver } from './support/webhook-receiver';
import { signUp } from './support/accounts';
import { distribution, round } from './support/distribution';
import { json } from './support/http';
import { log, runBench, sleep } from './support/run';
import { positiveNumber, setting } from './support/settings';
import { BenchStack } from './support/stack';

const EVENTS = positiveNumber('BENCH_EVENTS', 10_000);
const ENDPOINTS = positiveNumber('BENCH_ENDPOINTS', 3);
const CONVERSATIONS = positiveNumber('BENCH_CONVERSATIONS', 200);
const BATCH = positiveNumber('BENCH_BATCH', 50);
/** WEBHOOK_CONCURRENCY and DATABASE_POOL_SIZE of the worker (unset: the product's defaults). */
const CONCURRENCY = setting('BENCH_CONCURRENCY', '');
const POOL_SIZE = setting('BENCH_POOL_SIZE', '');
const GOAL_PER_SECOND = 500;

async function webhooksBench() {
  Runtime.install({ logger: new DefaultLogger('WARN'), shutdownSignals: [] });
  const stack = new BenchStack('webhooks');
  try {
    await stack.startPostgres();
    await stack.startTemporal();
    const bundles = await stack.workflowBundles();
    const env = stack.serviceEnv({ LOG_LEVEL: 'warn', OUTBOUND_ALLOW_PRIVATE_TARGETS: 'true', ...(POOL_SIZE ? { DATABASE_POOL_SIZE: POOL_SIZE } : {}), ...(CONCURRENCY ? { WEBHOOK_CONCURRENCY: CONCURRENCY } : {}), SECRETS_KEY: Buffer.alloc(32, 7).toString('base64') });
    const api = await stack.startApi(env);
    const config = requireServices(loadConfig(env));
    const workerContext = await NestFactory.createApplicationContext(WorkerModule.forRoot(config), { logger: ['error'] });
    const workers = await createWorkers(workerContext, config, { bundles });
    const running = workers.run();
    stack.defer('worker', async () => {
      workers.shutdown();
      await running;
      await workers.close();
      await workerContext.close();
    });
    const receiver = await startBenchReceiver();
    stack.defer('receiver', () => receiver.close());
    const db = await stack.database();

    const { token, accountId } = await signUp(api.base, 'Webhooks bench', `webhooks-bench-${Date.now()}@example.com`);
    const inbox = await json<{ id: string }>(api.base, 'POST', '/api/v1/inboxes', token, { name: 'Bench', channelType: 'api' });
    const { rows: conversations } = await db.query<{ id: string }>(
      `with c as (insert into contacts (id, account_id, name) select gen_random_uuid(), $1, 'Bench ' || g from generate_series(1, $3::int) g returning id)
       insert into conversations (id, account_id, inbox_id, contact_id, channel_type) select gen_random_uuid(), $1, $2, c.id, 'api' from c returning id`,
      [accountId, inbox.id, CONVERSATIONS],
    );
    // Endpoints after the setup, so only the bench's messages are delivered.
    for (let i = 0; i < ENDPOINTS; i++) {
      await json(api.base, 'POST', '/api/v1/webhook-endpoints', token, { url: `${receiver.url}/endpoint-${i}`, eventTypes: ['message.created'] });
    }
    await sleep(1000);

    // Each message's content carries its index; its commit time is taken right after COMMIT returns.
    const committedAt = new Map<number, number>();
    log(`committing ${EVENTS} messages over ${CONVERSATIONS} conversations in transactions of ${BATCH}`);
    const started = Date.now();
    for (let first = 0; first < EVENTS; first += BATCH) {
      const n = Math.min(BATCH, EVENTS - first);
      await db.query('begin');
      await db.query(
        `insert into messages (conversation_id, direction, sender_type, content, delivery_status)
         select ($1::uuid[])[1 + (g % $2::int)], 'inbound', 'contact', 'bench ' || g, 'received' from generate_series($3::int, $4::int) g`,
        [conversations.map((c) => c.id), CONVERSATIONS, first, first + n - 1],
      );
      await db.query('commit');
      const at = Date.now();
      for (let i = first; i < first + n; i++) committedAt.set(i, at);
    }
    const committedIn = Date.now() - started;
    log(`committed in ${committedIn} ms; waiting for ${EVENTS * ENDPOINTS} deliveries`);

    const expected = EVENTS * ENDPOINTS;
    const deadline = Date.now() + 600_000;
    let last = -1;
    let stalledSince = Date.now();
    while (receiver.received.length < expected && Date.now() < deadline) {
      await sleep(500);
      if (receiver.received.length !== last) {
        last = receiver.received.length;
        stalledSince = Date.now();
        log(`${last} / ${expected} received`);
      } else if (Date.now() - stalledSince > 60_000) break;
    }
    await sleep(2000); // late duplicates, if any
    const lastAt = Math.max(...receiver.received.map((r) => r.at));

    const latencies: number[] = [];
    const seen = new Map<string, number>();
    let orderViolations = 0;
    const lastSeq = new Map<string, number>();
    for (const r of receiver.received) {
      const key = `${r.path} ${r.headers['webhook-id']}`;
      seen.set(key, (seen.get(key) ?? 0) + 1);
      if (seen.get(key)! > 1) continue;
      const body = JSON.parse(r.body) as { data: { sequence: number; conversation: { id: string }; message: { content: string } } };
      const index = Number(body.data.message.content.slice('bench '.length));
      latencies.push(r.at - committedAt.get(index)!);
      const convKey = `${r.path} ${body.data.conversation.id}`;
      if ((lastSeq.get(convKey) ?? 0) >= body.data.sequence) orderViolations += 1;
      lastSeq.set(convKey, body.data.sequence);
    }
    const unique = seen.size;
    const duplicated = [...seen.values()].reduce((sum, n) => sum + (n - 1), 0);
    const seconds = (lastAt - started) / 1000;
    const { rows: attempts } = await db.query<{ n: string; failed: string }>(`select count(*) n, count(*) filter (where not succeeded) failed from webhook_attempts`);
    const perSecond = round(unique / seconds);
    return {
      bench: 'webhooks',
      setup: { events: EVENTS, endpoints: ENDPOINTS, conversations: CONVERSATIONS, transactionsOf: BATCH, concurrencyPerEndpoint: config.webhooks.concurrency, workerPoolSize: config.database.poolSize, receiver: 'node:http on 127.0.0.1, 200 at once' },
      committedInMs: committedIn,
      deliveries: { expected, delivered: unique, lost: expected - unique, duplicated, attempts: Number(attempts[0].n), failedAttempts: Number(attempts[0].failed) },
      deliveriesPerSecond: perSecond,
      eventToDeliveryMs: distribution(latencies),
      perConversationOrderViolations: orderViolations,
      goal: { deliveriesPerSecond: GOAL_PER_SECOND, met: perSecond >= GOAL_PER_SECOND && unique === expected && duplicated === 0 },
    };
  } finally {
    await stack.stop();
  }
}

runBench(webhooksBench);
