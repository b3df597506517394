/**
 * npm run bench:events
 *
 * The live event stream end to end: the API runs in its own process (compiled as `npm run start:api`
 * runs it) on a throwaway embedded PostgreSQL (or DATABASE_URL); the bench commits conversation
 * changes straight into PostgreSQL (a tag added: the trigger writes a conversation.updated event at
 * commit, as for any replica or the worker) at BENCH_RATE commits per second and receives them on
 * N concurrent SSE streams of GET /api/v1/events (BENCH_STREAMS, default 1 and 200). Per stream
 * count: latency from commit to event received (p50/p95/p99/max, over every event on every stream,
 * and the slowest stream per event), CPU of the API process and of PostgreSQL per event, the API's
 * memory. Also the write cost of the triggers on a campaign-sized insert (200 messages in one
 * statement, with and without the live-event trigger). Prints one JSON document; progress on stderr.
 *
 * BENCH_EVENTS (default 300, at least 200 per phase), BENCH_RATE (20), BENCH_STREAMS (1,200).
 */
import * as os from 'node:os';
import * as path from 'node:path';
import { signUp } from './support/accounts';
import { BenchApi } from './support/api-process';
import { distribution, round } from './support/distribution';
import { json } from './support/http';
import { cpuSecondsOf, thisProcessCpuSeconds, treeCpuSecondsOf } from './support/process-stats';
import { log, runBench, sleep } from './support/run';
import { positiveNumber, positiveNumbers } from './support/settings';
import { type BenchSse, nowMs, openBenchSse } from './support/sse';
import { BenchStack } from './support/stack';

const EVENTS = Math.max(200, positiveNumber('BENCH_EVENTS', 300));
const RATE = positiveNumber('BENCH_RATE', 20);
const STREAM_COUNTS = positiveNumbers('BENCH_STREAMS', '1,200');
const BUDGET_P95_MS = 500;

interface Phase {
  streams: number;
  events: number;
  /** Every (event, stream) pair: received - commit (the event's `at`, taken inside the commit). */
  latencyMs: ReturnType<typeof distribution>;
  /** Per event, its slowest stream. */
  slowestStreamLatencyMs: ReturnType<typeof distribution>;
  /** Received - the moment the bench's COMMIT returned (can be below zero: the event may beat the acknowledgement). */
  fromCommitAckMs: ReturnType<typeof distribution>;
  commitMs: ReturnType<typeof distribution>;
  missing: number;
  cpuMsPerEvent: { api: number | null; apiNetOfIdle: number | null; postgres: number | null; benchClients: number };
  apiCpuUsPerDelivery: number | null;
  apiMemory: { peakRssMb: number | null; rssMb: number | null };
}

async function liveEventsBench() {
  const stack = new BenchStack('live-events');
  try {
    if (process.env.DATABASE_URL) await stack.useDatabase(process.env.DATABASE_URL);
    else await stack.startPostgres();
    const maxStreams = Math.max(...STREAM_COUNTS) + 10;
    // The stream does not touch Temporal; a lazy client to an unused address is never dialled.
    const env = stack.serviceEnv({
      TEMPORAL_ADDRESS: process.env.TEMPORAL_ADDRESS ?? '127.0.0.1:1',
      LOG_LEVEL: 'warn',
      LIVE_EVENTS_MAX_STREAMS_PER_USER: String(maxStreams),
      LIVE_EVENTS_MAX_STREAMS_PER_ACCOUNT: String(Math.max(1000, maxStreams)),
      LIVE_EVENTS_MAX_STREAMS: String(Math.max(10000, maxStreams)),
    });
    const api = await BenchApi.start(env, path.join(stack.tmp, 'build'));
    stack.defer('API process', () => api.stop());
    const db = await stack.database();

    const { token, accountId } = await signUp(api.base, 'Live bench', `live-bench-${Date.now()}@example.com`);
    const inbox = await json<{ id: string }>(api.base, 'POST', '/api/v1/inboxes', token, { name: 'Live', channelType: 'api' });
    const [{ id: conversationId }] = (
      await db.query<{ id: string }>(
        `with c as (insert into contacts (id, account_id, name) values (gen_random_uuid(), $1, 'Bench') returning id)
         insert into conversations (id, account_id, inbox_id, contact_id, channel_type) select gen_random_uuid(), $1, $2, c.id, 'api' from c returning id`,
        [accountId, inbox.id],
      )
    ).rows;

    // What the API spends with no events (the hub's safety poll, the campaign progress publisher's look for dirty campaigns).
    const idleSeconds = 10;
    const idle0 = cpuSecondsOf(api.pid);
    await sleep(idleSeconds * 1000);
    const idle1 = cpuSecondsOf(api.pid);
    const apiIdleCpuMsPerSecond = idle0 === null || idle1 === null ? null : round(((idle1 - idle0) * 1000) / idleSeconds, 2);
    log(`API idle: ${apiIdleCpuMsPerSecond} ms CPU per second`);

    const phases: Phase[] = [];
    for (const [p, streamCount] of STREAM_COUNTS.entries()) {
      log(`phase: ${streamCount} stream(s), ${EVENTS} commits at ${RATE}/s`);
      const received = new Map<string, number[]>(); // tag -> receivedAt per stream
      const at = new Map<string, number>();
      const streams: BenchSse[] = [];
      for (let i = 0; i < streamCount; i++) {
        streams.push(
          openBenchSse(`${api.base}/api/v1/events`, token, (e) => {
            if (e.event !== 'conversation.updated') return;
            const tag = (e.data.data.changes as { tags?: { added?: string[] } } | undefined)?.tags?.added?.[0];
            if (!tag) return;
            const list = received.get(tag) ?? [];
            list.push(e.receivedAt);
            received.set(tag, list);
            at.set(tag, Date.parse(e.data.at));
          }),
        );
        // Open in small groups, as consoles arrive.
        if (i % 20 === 19) await Promise.all(streams.slice(-20).map((s) => s.ready));
      }
      await Promise.all(streams.map((s) => s.ready));
      // Warm-up: a few events through every stream.
      for (let i = 0; i < 10; i++) await db.query(`insert into conversation_tags (id, conversation_id, tag) values (gen_random_uuid(), $1, $2)`, [conversationId, `w${p}-${i}`]);
      await sleep(500);

      await api.resetPeaks();
      const cpu0 = { api: cpuSecondsOf(api.pid), pg: process.env.DATABASE_URL ? null : treeCpuSecondsOf(stack.postgresPid()), bench: thisProcessCpuSeconds() };
      const ack = new Map<string, number>();
      const commits: number[] = [];
      const started = nowMs();
      for (let i = 0; i < EVENTS; i++) {
        const tag = `e${p}-${i}`;
        const t0 = nowMs();
        await db.query(`insert into conversation_tags (id, conversation_id, tag) values (gen_random_uuid(), $1, $2)`, [conversationId, tag]);
        const t1 = nowMs();
        ack.set(tag, t1);
        commits.push(t1 - t0);
        const due = started + ((i + 1) * 1000) / RATE;
        if (due > nowMs()) await sleep(due - nowMs());
      }
      const deadline = Date.now() + 30_000;
      const complete = () => [...ack.keys()].every((tag) => (received.get(tag)?.length ?? 0) >= streamCount);
      while (!complete() && Date.now() < deadline) await sleep(50);
      const cpu1 = { api: cpuSecondsOf(api.pid), pg: process.env.DATABASE_URL ? null : treeCpuSecondsOf(stack.postgresPid()), bench: thisProcessCpuSeconds() };
      const memory = await api.peaks();
      for (const s of streams) s.close();

      const all: number[] = [];
      const slowest: number[] = [];
      const fromAck: number[] = [];
      let missing = 0;
      for (const [tag, ackAt] of ack) {
        const times = received.get(tag) ?? [];
        missing += streamCount - times.length;
        const committed = at.get(tag);
        if (committed === undefined) continue;
        for (const t of times) {
          all.push(t - committed);
          fromAck.push(t - ackAt);
        }
        if (times.length) slowest.push(Math.max(...times) - committed);
      }
      const perEvent = (a: number | null, b: number | null) => (a === null || b === null ? null : round(((b - a) * 1000) / EVENTS, 3));
      const phaseSeconds = (nowMs() - started) / 1000;
      const apiNet = cpu0.api === null || cpu1.api === null || apiIdleCpuMsPerSecond === null ? null : round(((cpu1.api - cpu0.api) * 1000 - apiIdleCpuMsPerSecond * phaseSeconds) / EVENTS, 3);
      phases.push({
        streams: streamCount,
        events: EVENTS,
        latencyMs: distribution(all),
        slowestStreamLatencyMs: distribution(slowest),
        fromCommitAckMs: distribution(fromAck),
        commitMs: distribution(commits),
        missing,
        cpuMsPerEvent: { api: perEvent(cpu0.api, cpu1.api), apiNetOfIdle: apiNet, postgres: perEvent(cpu0.pg, cpu1.pg), benchClients: perEvent(cpu0.bench, cpu1.bench)! },
        apiCpuUsPerDelivery: cpu0.api === null || cpu1.api === null ? null : round(((cpu1.api - cpu0.api) * 1e6) / (EVENTS * streamCount), 1),
        apiMemory: { peakRssMb: memory.peakRssMb, rssMb: memory.rssMb },
      });
      log(`  p95 ${phases.at(-1)!.latencyMs.p95} ms, slowest stream p95 ${phases.at(-1)!.slowestStreamLatencyMs.p95} ms, missing ${missing}`);
      await sleep(300);
    }

    // What the triggers cost a writer: a campaign wave's 200 messages in one statement.
    const insert200 = `insert into messages (conversation_id, direction, sender_type, content, delivery_status)
                       select $1, 'outbound', 'system', 'Hello from the bench', 'queued' from generate_series(1, 200)`;
    const time = async (runs: number) => {
      const out: number[] = [];
      for (let i = 0; i < runs; i++) {
        const t = nowMs();
        await db.query(insert200, [conversationId]);
        out.push(nowMs() - t);
      }
      return distribution(out);
    };
    await time(3);
    const withTrigger = await time(20);
    await db.query(`alter table messages disable trigger live_events_message_insert`);
    await time(3);
    const withoutTrigger = await time(20);
    await db.query(`alter table messages enable trigger live_events_message_insert`);

    const worst = Math.max(...phases.map((p) => p.latencyMs.p95 ?? Infinity));
    return {
      benchmark: 'live-events',
      unit: 'ms',
      how: 'commits in PostgreSQL (tag added -> conversation.updated), received on N SSE streams of GET /api/v1/events of an API in its own process; latency = received - the event timestamp taken inside the commit (clock_timestamp)',
      apiRuntime: api.runtime,
      apiIdleCpuMsPerSecond,
      rate: RATE,
      phases,
      writeCost200Messages: { withLiveEventTrigger: withTrigger, withoutLiveEventTrigger: withoutTrigger },
      budget: { p95Ms: BUDGET_P95_MS, worstP95Ms: worst, met: worst < BUDGET_P95_MS },
      machine: { cpus: os.cpus().length, node: process.version, loadAverage: os.loadavg().map((l) => round(l, 2)) },
    };
  } finally {
    await stack.stop();
  }
}

runBench(liveEventsBench);
