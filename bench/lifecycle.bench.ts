/**
 * npm run bench:lifecycle
 *
 * The conversation lifecycle under load, end to end on this machine, once per Temporal profile
 * (BENCH_PROFILES, default dev,cluster, in that order), each on a fresh stack of its own that is
 * stopped completely before the next profile starts (so they never compete for the cores):
 *   dev      its own embedded PostgreSQL and its own Temporal dev server (SQLite, fast pragmas), as
 *            `npm start` runs it;
 *   cluster  its own embedded PostgreSQL and Temporal's real server on it (its own databases temporal
 *            and temporal_visibility there), 4 history shards, frontend / history / matching / worker
 *            as four processes, as `npm run cluster` and TEST_TEMPORAL=cluster start it
 *            (src/local-stack/temporal-cluster.ts; the server must be built: `npm run temporal:server`).
 * In both the API (bench/support/bench-api.ts) and the product worker (bench/support/bench-worker.ts)
 * run in child processes of their own, so their memory and CPU are measured on their own; this
 * process is the load generator and the assignment poller. Per profile, in this order:
 *
 *  1. Ceiling: bare signalWithStart of a no-op workflow (bench/support/ceiling.ts: its own bundle,
 *     worker and task queue) against the same Temporal server, N calls with M in flight.
 *  2. For each offered rate (10, 50, 100 msg/s by default), inbound messages from new contacts (one
 *     new conversation each) POSTed to /api/v1/inboxes/:id/inbound-messages on a fixed schedule
 *     (open loop, bench/support/load.ts) for a while, with 10 agents online. Latency = the 'assigned'
 *     decision's created_at (clock_timestamp() inside the routing transaction, this machine's clock)
 *     minus the POST start (Date.now(), same clock). Also given: the latency as seen by polling
 *     Postgres every 20 ms, where the time went in a sample of workflow histories, and the work per
 *     new conversation: SQL statements and explicit transactions (counted with pg_stat_statements;
 *     the bench's own reads run as an observer role and are left out) and CPU ms per process.
 *  3. Open conversations are topped up to 5,000 (at the best sustained rate measured, at most
 *     BENCH_FILL_RATE); once all are assigned, the worker's RSS (/proc VmRSS) and heap.
 *
 * The API and the worker run on plain node from the tree compiled with tsc into temporary folders, as
 * in production (ts-node alone adds about 120 MB to a process's RSS and loads node's domain module).
 * CPU per process per phase is reported, since other jobs on the machine compete for the same cores:
 * the API, the worker, Temporal (cluster: the sum of its four processes, each under temporalServices) and
 * PostgreSQL (the postmaster's tree; postgresByDatabase splits it by the database each live backend
 * serves, so on the cluster Temporal's persistence, which the dev server keeps in its own SQLite, shows
 * as the databases temporal and temporal_visibility; `other` is the postmaster, its background
 * processes and backends that exited). `total` is the product's processes together; this process
 * (loadGenerator: the load generator and the poller) is reported beside it and left out of it.
 *
 * One JSON document on stdout, progress on stderr. With one profile it is that profile's document
 * (the same keys as before profiles existed, plus `profile` and `summary`); with both, one section per
 * profile (`dev`, `cluster`: each such a document, figures of its own) beside `summary`, a side-by-side
 * digest: per offered rate each profile's p50/p99, sustained rate, statements and transactions and
 * CPU ms per new conversation (per process and total); each ceiling rate; the worker's RSS at the open
 * target; the goal checks per profile. A profile that fails is a section { profile, error }: the
 * other's figures are still printed, and the bench exits 1.
 *
 * Settings (env, or --name=value on the command line):
 *   BENCH_PROFILES=dev,cluster (either alone, or both in either order)
 *   BENCH_RATES=10,50,100  BENCH_SECONDS=20  BENCH_AGENTS=10  BENCH_OPEN_CONVERSATIONS=5000
 *   BENCH_FILL_RATE=100 (cap)  BENCH_CEILING_CALLS=2000  BENCH_CEILING_CONCURRENCY=50
 *   BENCH_SETTLE_SECONDS=240 (longest wait for a phase's assignments)  BENCH_WELCOME=1 (welcome message on)
 *   BENCH_TOP_STATEMENTS=8 (how many of the most frequent statements each phase lists)
 *   BENCH_TEMPORAL_DB=file|memory (dev profile)  BENCH_WORKER_RUNTIME=node|ts-node (node: the tree compiled with tsc first)
 *   BENCH_CPU_PROF_DIR=<dir> (the API and the workers write V8 CPU profiles there when they exit)
 */
import 'reflect-metadata';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { TEMPORAL_SERVICES } from '../src/local-stack/temporal-cluster';
import { createAgent, signUp } from './support/accounts';
import { BenchApi } from './support/api-process';
import { measureCeiling } from './support/ceiling';
import { assignedOpenConversations, onlineAgents, openConversations, readRecord } from './support/conversation-record';
import { round } from './support/distribution';
import { json } from './support/http';
import { AssignmentTracker, type InboundTarget, offer, type PhaseSummary, type Sample, summarize } from './support/load';
import {
  backendCpuSecondsByDatabase,
  type CpuFigures,
  type CpuProbe,
  type CpuSnapshot,
  cpuBetween,
  cpuSecondsOf,
  cpuSnapshot,
  memoryOf,
  perProbe,
  thisProcessCpuSeconds,
  treeCpuSecondsOf,
} from './support/process-stats';
import { log, runBench, sleep } from './support/run';
import { positiveNumber, positiveNumbers, setting } from './support/settings';
import { BenchStack } from './support/stack';
import { StatementCounter } from './support/statement-count';
import { workflowStages } from './support/workflow-stages';
import { BenchWorker, prepareWorkerRuntime, type WorkerRuntime } from './support/worker-process';

type Profile = 'dev' | 'cluster';

const PROFILES = profilesSetting();
const RATES = positiveNumbers('BENCH_RATES', '10,50,100');
const SECONDS = positiveNumber('BENCH_SECONDS', 20);
const AGENTS = positiveNumber('BENCH_AGENTS', 10);
const CAPACITY = 1000;
const OPEN_TARGET = positiveNumber('BENCH_OPEN_CONVERSATIONS', 5000);
const FILL_RATE = positiveNumber('BENCH_FILL_RATE', 100);
const CEILING_CALLS = positiveNumber('BENCH_CEILING_CALLS', 2000);
const CEILING_CONCURRENCY = positiveNumber('BENCH_CEILING_CONCURRENCY', 50);
const SETTLE_SECONDS = positiveNumber('BENCH_SETTLE_SECONDS', 240);
const WELCOME = setting('BENCH_WELCOME', '1') !== '0';
const TEMPORAL_DB = setting('BENCH_TEMPORAL_DB', 'file');
const WORKER_RUNTIME = setting('BENCH_WORKER_RUNTIME', 'node') as WorkerRuntime;
const TOP_STATEMENTS = positiveNumber('BENCH_TOP_STATEMENTS', 8);
const POLL_MS = 20;
const GOAL_P99_MS = 1000;
const GOAL_RATE = 50;
const GOAL_RATIO = 0.5;
const GOAL_STATEMENTS = 15;
const GOAL_CPU_MS = 30;
const RUN = `b${Date.now().toString(36)}`;
const UNIT = 'latency ms from POST start to the assignment stored (the assigned decision, clock_timestamp() in the routing transaction); rates per second';

/** BENCH_PROFILES: dev, cluster or both (in the order given). */
function profilesSetting(): Profile[] {
  const names = setting('BENCH_PROFILES', 'dev,cluster')
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean);
  const unknown = names.filter((p) => p !== 'dev' && p !== 'cluster');
  if (unknown.length || names.length === 0) throw new Error(`BENCH_PROFILES must name dev, cluster or both (got ${JSON.stringify(names.join(','))})`);
  return [...new Set(names)] as Profile[];
}

/** Every number rounded to `digits`, nested objects too. */
function roundFigures(figures: CpuFigures, digits: number): CpuFigures {
  return Object.fromEntries(
    Object.entries(figures).map(([k, v]) => [k, v === null ? null : typeof v === 'number' ? round(v, digits) : (roundFigures(v, digits) as Record<string, number | null>)]),
  );
}

/** CPU ms per conversation of each probed process and their sum (parts nested, not summed), between two snapshots. */
function cpuMsPer(a: CpuSnapshot, b: CpuSnapshot, conversations: number): CpuFigures {
  return roundFigures(
    perProbe(a, b, (seconds) => (seconds * 1000) / Math.max(1, conversations), { total: true }),
    1,
  );
}

/** Whether a process is still there (a zombie, exited but not yet reaped, counts as gone). */
function running(pid: number): boolean {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

/**
 * The CPU probes of a profile: this process (API + load generator + poller), the worker, Temporal
 * (the dev server's one process, or the sum of the cluster's four with each under temporalServices),
 * PostgreSQL (the postmaster's tree; by database under postgresByDatabase).
 */
function cpuProbes(stack: BenchStack, profile: Profile, api: BenchApi, worker: BenchWorker): CpuProbe[] {
  const postmaster = stack.postgresPid();
  const probes: CpuProbe[] = [
    { label: 'api', seconds: () => cpuSecondsOf(api.pid) },
    // The bench's own process: reported, not part of the product's total.
    { label: 'loadGenerator', seconds: thisProcessCpuSeconds, outsideTotal: true },
    { label: 'worker', seconds: () => cpuSecondsOf(worker.pid) },
  ];
  if (profile === 'dev') {
    const pid = stack.temporal.pid;
    probes.push({ label: 'temporal', seconds: () => (pid ? cpuSecondsOf(pid) : null) });
  } else {
    const cluster = stack.temporalCluster;
    const service = (s: (typeof TEMPORAL_SERVICES)[number]) => cpuSecondsOf(cluster.processes[s].pid);
    probes.push({
      label: 'temporal',
      seconds: () => {
        const each = TEMPORAL_SERVICES.map(service);
        return each.some((x) => x === null) ? null : (each as number[]).reduce((a, b) => a + b, 0);
      },
    });
    for (const s of ['frontend', 'history', 'matching', 'worker'] as const) {
      probes.push({ label: `temporal-${s}`, partOf: { key: 'temporalServices', name: s }, seconds: () => service(s) });
    }
  }
  // Exited backends are in the postmaster's cutime/cstime; live ones are counted directly.
  probes.push({ label: 'postgres', seconds: () => treeCpuSecondsOf(postmaster) });
  const product = decodeURIComponent(new URL(stack.databaseUrl).pathname.slice(1));
  const databases = profile === 'dev' ? [product, 'other'] : [product, 'temporal', 'temporal_visibility', 'other'];
  for (const db of databases) {
    // A database with no live backend at a snapshot counts 0 there.
    probes.push({ label: `postgres-${db}`, partOf: { key: 'postgresByDatabase', name: db }, seconds: () => (running(postmaster) ? (backendCpuSecondsByDatabase(postmaster)[db] ?? 0) : null) });
  }
  return probes;
}

function temporalDescription(stack: BenchStack, profile: Profile): string {
  if (profile === 'dev') return `dev server ${TEMPORAL_DB === 'memory' ? 'in memory' : 'SQLite file'}, WAL, synchronous=OFF`;
  const c = stack.temporalCluster;
  return (
    `Temporal's server ${c.server.version} on the same embedded PostgreSQL (its own databases temporal and temporal_visibility), ` +
    `${c.historyShards} history shards, frontend / history / matching / worker as four processes, dynamic config docker/temporal-dynamicconfig.yaml`
  );
}

/** One profile's whole run on a fresh stack of its own, stopped (and checked to be gone) before it returns. */
async function profileBench(profile: Profile) {
  const started = Date.now();
  const loadAtStart = os.loadavg().map((l) => round(l, 2));
  const stack = new BenchStack(`lifecycle-${profile}`);
  /** Every process this profile started, checked after the stop. */
  const pids: Record<string, number> = {};
  let result;
  try {
    // --- services -------------------------------------------------------------------------
    log(`=== profile ${profile}: load average at start: ${loadAtStart.join(' ')} (${os.cpus().length} cpus)`);
    await stack.startPostgres({ countStatements: true });
    pids.postgres = stack.postgresPid();
    if (profile === 'dev') {
      const temporal = await stack.startTemporal({ inMemory: TEMPORAL_DB === 'memory' });
      if (temporal.pid) pids.temporal = temporal.pid;
    } else {
      const cluster = await stack.startTemporalCluster();
      for (const [s, { pid }] of Object.entries(cluster.processes)) pids[`temporal-${s}`] = pid;
    }
    const t = Date.now();
    const bundles = await stack.workflowBundles();
    log(`workflow bundles in ${((Date.now() - t) / 1000).toFixed(1)} s`);
    const env = stack.serviceEnv({
      TEMPORAL_TASK_QUEUE: `bench-conversations-${RUN}`,
      LOG_LEVEL: 'error',
      PRESENCE_HEARTBEAT_TIMEOUT_SECONDS: '86400',
      LOGIN_MAX_FAILURES: '1000',
      NODE_ENV: 'production',
    });
    // The API in a process of its own on plain node, as `npm run start:api` runs it: its CPU is then the
    // product's alone, apart from the load generator and the poller (this process, on ts-node, which
    // also loads node's domain module: EventEmitter then takes a slower path).
    // The API and the worker share one compiled tree (compiled once, for both).
    const api = await BenchApi.start(env, path.join(stack.tmp, 'build'));
    stack.defer('API', () => api.stop());
    pids.api = api.pid;
    const { base } = api;
    const runtime = prepareWorkerRuntime(WORKER_RUNTIME, path.join(stack.tmp, 'build'));
    const worker = await BenchWorker.start('worker', { ...env, BENCH_WORKER_MODE: 'product', BENCH_WORKFLOW_BUNDLES: JSON.stringify(bundles) }, runtime);
    stack.defer('product worker', () => worker.stop());
    pids.worker = worker.pid;
    const workerIdle = await worker.memory();
    log(`API ${base}, product worker pid ${worker.pid} (RSS ${workerIdle.rssMb} MB idle)`);

    // The bench's own reads go through an observer role, left out of the statement counts.
    const counter = await StatementCounter.start(stack, await stack.database());
    const db = counter.observer;
    const tracker = new AssignmentTracker(db, POLL_MS);
    tracker.start();
    stack.defer('assignment poller', () => tracker.stop());
    const client = await stack.temporalClient();
    const probes = cpuProbes(stack, profile, api, worker);

    // --- account, inbox, agents ---------------------------------------------------------------
    const admin = (await signUp(base, 'Lifecycle bench', `admin-${RUN}@example.com`)).token;
    const inbox = await json<{ id: string }>(base, 'POST', '/api/v1/inboxes', admin, {
      name: 'Bench inbox',
      channelType: 'api',
      welcomeMessage: WELCOME ? 'Thanks for writing to us, an agent will be with you shortly.' : null,
      settings: { routing: { distribution: 'least_load', capacityPerAgent: CAPACITY } },
    });
    const agentIds: string[] = [];
    for (let i = 0; i < AGENTS; i++) {
      agentIds.push((await createAgent(base, admin, { name: `Agent ${i + 1}`, email: `agent-${i}-${RUN}@example.com`, inboxIds: [inbox.id] })).id);
    }
    const online = await onlineAgents(db, agentIds);
    log(`inbox ${inbox.id}: ${AGENTS} agents, ${online} online, capacity ${CAPACITY} each, welcome message ${WELCOME ? 'on' : 'off'}`);
    if (online !== AGENTS) throw new Error(`only ${online} of ${AGENTS} agents are online after login`);
    const target: InboundTarget = { base, token: admin, inboxId: inbox.id, run: RUN, tracker };

    // --- 1. ceiling ---------------------------------------------------------------------------
    const ceiling = await measureCeiling({ stack, client, env, runtime, run: RUN, calls: CEILING_CALLS, concurrency: CEILING_CONCURRENCY, probes });

    // --- 2. offered rates ---------------------------------------------------------------------
    log('warm-up: 30 messages at 10/s');
    await tracker.settle(await offer(target, 'warmup', 10, 30), SETTLE_SECONDS * 1000);
    const phases: Array<PhaseSummary & { openConversationsBefore: number; workerPeakRssMb: number; stagesMs: unknown; perConversation: PerConversation }> = [];
    const phaseCpu: Record<string, unknown>[] = [];
    for (const rate of RATES) {
      const count = Math.max(1, Math.round(rate * SECONDS));
      const openBefore = await openConversations(db, inbox.id);
      log(`rate ${rate}/s: ${count} messages over ${SECONDS} s (${openBefore} conversations open before)`);
      let peakRss = 0;
      const rssTimer = setInterval(() => (peakRss = Math.max(peakRss, memoryOf(worker.pid)?.rssMb ?? 0)), 1000);
      await counter.reset();
      const c0 = cpuSnapshot(probes);
      const samples = await offer(target, `r${rate}`, rate, count);
      const c1 = cpuSnapshot(probes);
      const settled = await tracker.settle(samples, SETTLE_SECONDS * 1000);
      clearInterval(rssTimer);
      // The steps after the assignment (the automation pass) end within the same workflow task; a
      // moment more for the last ones, then the work per conversation: statements, CPU per process.
      await sleep(1500);
      const c2 = cpuSnapshot(probes);
      const counts = await counter.read();
      const created = samples.filter((x) => x.conversationId).length;
      const perConversation = {
        conversations: created,
        statements: round(counts.statements / Math.max(1, created), 1),
        statementsInTriggers: round(counts.inTriggers / Math.max(1, created), 1),
        explicitTransactions: round(counts.transactions / Math.max(1, created), 2),
        cpuMs: cpuMsPer(c0, c2, created),
        topStatements: counts.top.slice(0, TOP_STATEMENTS).map((t) => ({ perConversation: round(t.calls / Math.max(1, created), 2), query: t.query })),
        topStatementsInTriggers: counts.topInTriggers.slice(0, TOP_STATEMENTS).map((t) => ({ perConversation: round(t.calls / Math.max(1, created), 2), query: t.query })),
      };
      const summary = {
        ...summarize(rate, SECONDS, samples, settled),
        openConversationsBefore: openBefore,
        workerPeakRssMb: peakRss,
        stagesMs: await workflowStages(client, samples),
        perConversation,
      };
      phases.push(summary);
      phaseCpu.push({ offeredPerSecond: rate, ...cpuBetween(c0, c1) });
      log(`  per new conversation: ${perConversation.statements} statements (+${perConversation.statementsInTriggers} in triggers), ${perConversation.explicitTransactions} transactions, CPU ms ${JSON.stringify(perConversation.cpuMs)}`);
      log(
        `  sustained ${summary.sustainedPerSecond}/s, latency p50 ${summary.latencyMs.p50} ms p99 ${summary.latencyMs.p99} ms max ${summary.latencyMs.max} ms, ` +
          `errors ${summary.errors}, not assigned ${summary.notAssigned}; cpu ${JSON.stringify(phaseCpu[phaseCpu.length - 1])}`,
      );
      await sleep(2000);
    }

    // --- 3. 5,000 open conversations ------------------------------------------------------------
    // A steady rate the system sustains (the best measured, at most BENCH_FILL_RATE): faster only
    // builds a backlog and, past what the API absorbs, failed POSTs. Rounds until the target is met.
    const openBeforeFill = await openConversations(db, inbox.id);
    const fillRate = Math.max(5, Math.min(FILL_RATE, Math.ceil(Math.max(0, ...phases.map((p) => p.sustainedPerSecond ?? 0)))));
    const fillStarted = Date.now();
    const fill: Sample[] = [];
    let fillSettled = true;
    for (let pass = 1; pass <= 3; pass++) {
      const need = OPEN_TARGET - (await openConversations(db, inbox.id));
      if (need <= 0) break;
      log(`filling to ${OPEN_TARGET} open conversations (pass ${pass}): ${need} more at ${fillRate}/s`);
      const batch = await offer(target, `fill${pass}`, fillRate, need);
      fill.push(...batch);
      fillSettled = (await tracker.settle(batch, SETTLE_SECONDS * 1000)) && fillSettled;
    }
    const fillSummary = { openBefore: openBeforeFill, ...summarize(fillRate, fill.length / fillRate, fill, fillSettled) };
    log(`  filled in ${((Date.now() - fillStarted) / 1000).toFixed(1)} s; sustained ${fillSummary.sustainedPerSecond}/s, p99 ${fillSummary.latencyMs.p99} ms, errors ${fillSummary.errors}`);
    await sleep(5000);
    const openAtEnd = await openConversations(db, inbox.id);
    const assignedOpen = await assignedOpenConversations(db, inbox.id);
    let runningConversationWorkflows: number | null = null;
    try {
      runningConversationWorkflows = (await client.workflow.count(`WorkflowType = 'conversationWorkflow' AND ExecutionStatus = 'Running'`)).count;
    } catch (err) {
      log(`  counting conversation workflows failed: ${(err as Error).message}`);
    }
    const memoryAtTarget = await worker.memory();
    const memoryAfterGc = await worker.memory(true);
    log(`  worker RSS ${memoryAtTarget.rssMb} MB with ${openAtEnd} open conversations (${memoryAtTarget.cachedWorkflows} cached workflows of at most ${memoryAtTarget.maxCachedWorkflows}); after a full GC ${memoryAfterGc.rssMb} MB`);
    const record = await readRecord(db, inbox.id);

    // --- result -------------------------------------------------------------------------------
    const { bare } = ceiling;
    const meeting = phases.filter((p) => p.latencyMs.p99 !== null && p.latencyMs.p99 < GOAL_P99_MS && p.errors === 0 && p.notAssigned === 0);
    const best = [...meeting].sort((a, b) => (b.sustainedPerSecond ?? 0) - (a.sustainedPerSecond ?? 0))[0];
    const highest = phases[phases.length - 1];
    const basis = best ?? highest;
    const ratio = round((basis?.sustainedPerSecond ?? 0) / bare.perSecond, 3);
    const atGoalRate = phases.find((p) => p.offeredPerSecond === GOAL_RATE);
    const mostStatements = Math.max(...phases.map((p) => p.perConversation.statements));
    const mostCpu = Math.max(...phases.map((p) => (p.perConversation.cpuMs.total as number | null) ?? Infinity));
    result = {
      benchmark: 'lifecycle',
      profile,
      unit: UNIT,
      setup: {
        agentsOnline: AGENTS,
        capacityPerAgent: CAPACITY,
        distribution: 'least_load',
        welcomeMessage: WELCOME,
        pathPerMessage: `POST -> store contact, conversation, message -> signalWithStart conversation:<id> -> workflow: ${WELCOME ? 'welcome message, ' : ''}out-of-office check, route (rules, queue, assign under the inbox lock)`,
        secondsPerRate: SECONDS,
        openLoop: true,
        temporal: temporalDescription(stack, profile),
        postgres: `embedded, fsync=off, synchronous_commit=off${profile === 'cluster' ? " (Temporal's databases on it too)" : ''}`,
        workerProcess: `child process, ${runtime.description}, default worker options`,
        apiProcess: `child process, ${api.runtime}; the load generator and the 20 ms assignment poller run in the bench's process (loadGenerator, not in total)`,
      },
      rates: phases,
      cpuPercentOfOneCoreWhileSending: phaseCpu,
      ceiling: {
        what: 'bare signalWithStart of a no-op workflow (no search attributes) on its own task queue with its own worker, same Temporal server',
        ...bare,
        allClosedAfterSeconds: ceiling.bareAllClosed,
        /** The no-op workflows completed per second (first call to none running, by visibility, polled every 100 ms). */
        closedPerSecond: ceiling.bareAllClosed ? round(CEILING_CALLS / ceiling.bareAllClosed) : null,
        cpuPercentOfOneCore: ceiling.bareCpu,
        withProductSearchAttributes: { perSecond: ceiling.withAttrs.perSecond, callMs: ceiling.withAttrs.callMs, errors: ceiling.withAttrs.errors, cpuPercentOfOneCore: ceiling.withAttrsCpu },
      },
      ratio,
      ratioBasis: best
        ? `best sustained rate with p99 < ${GOAL_P99_MS} ms (offered ${best.offeredPerSecond}/s: ${best.sustainedPerSecond}/s) / ceiling ${bare.perSecond}/s`
        : `no rate met p99 < ${GOAL_P99_MS} ms; sustained rate at the highest offered rate (${highest?.offeredPerSecond}/s: ${highest?.sustainedPerSecond}/s) / ceiling ${bare.perSecond}/s`,
      workerRssMbAt5000: memoryAtTarget.rssMb,
      worker: {
        idle: workerIdle,
        atOpenTarget: { openConversations: openAtEnd, assignedOpen, runningConversationWorkflows, ...memoryAtTarget },
        afterFullGc: memoryAfterGc,
        fill: fillSummary,
      },
      goals: {
        p99At50PerSecondUnder1s: atGoalRate ? { p99Ms: atGoalRate.latencyMs.p99, met: atGoalRate.latencyMs.p99 !== null && atGoalRate.latencyMs.p99 < GOAL_P99_MS && atGoalRate.notAssigned === 0 } : null,
        ratioAtLeast0_5: { ratio, met: ratio >= GOAL_RATIO },
        /** The most of any offered rate. */
        statementsPerConversationAtMost15: { most: mostStatements, met: mostStatements <= GOAL_STATEMENTS },
        /** All processes together (total), the most of any offered rate. */
        cpuMsPerConversationAtMost30: { most: Number.isFinite(mostCpu) ? mostCpu : null, met: mostCpu <= GOAL_CPU_MS },
      },
      record,
      poller: { intervalMs: POLL_MS, queries: tracker.queries },
      machine: { cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model, memoryGb: round(os.totalmem() / 2 ** 30), node: process.version, loadAverageAtStart: loadAtStart, loadAverageAtEnd: os.loadavg().map((l) => round(l, 2)) },
      totalSeconds: 0,
      stackStopped: { processes: 0, stillRunning: [] as string[] },
    };
  } finally {
    await stack.stop();
    // Nothing of this profile may compete with the next: wait (10 s at most) until all are gone.
    const deadline = Date.now() + 10_000;
    while (Object.values(pids).some(running) && Date.now() < deadline) await sleep(200);
    const left = Object.entries(pids).filter(([, pid]) => running(pid));
    if (left.length) log(`profile ${profile}: still running after the stop: ${left.map(([what, pid]) => `${what} (pid ${pid})`).join(', ')}`);
    else log(`=== profile ${profile}: stack stopped (${Object.keys(pids).length} processes gone)`);
    if (result) result.stackStopped = { processes: Object.keys(pids).length, stillRunning: left.map(([what, pid]) => `${what} ${pid}`) };
  }
  result.totalSeconds = Math.round((Date.now() - started) / 1000);
  return result;
}

type PerConversation = {
  conversations: number;
  statements: number;
  statementsInTriggers: number;
  explicitTransactions: number;
  cpuMs: CpuFigures;
  topStatements: { perConversation: number; query: string }[];
  topStatementsInTriggers: { perConversation: number; query: string }[];
};
type ProfileDocument = Awaited<ReturnType<typeof profileBench>>;
type ProfileSection = ProfileDocument | { benchmark: 'lifecycle'; profile: Profile; error: string };

const failed = (s: ProfileSection): s is Extract<ProfileSection, { error: string }> => 'error' in s;

/** The side-by-side digest: per offered rate each profile's figures, then the ceilings, worker RSS and goals. */
function sideBySide(sections: ProfileSection[]) {
  const each = <T>(figure: (d: ProfileDocument) => T) => Object.fromEntries(sections.map((s) => [s.profile, failed(s) ? { error: s.error } : figure(s)]));
  const rates = [...new Set(sections.flatMap((s) => (failed(s) ? [] : s.rates.map((p) => p.offeredPerSecond))))];
  return {
    profiles: sections.map((s) => s.profile),
    rates: rates.map((rate) => ({
      offeredPerSecond: rate,
      ...each((d) => {
        const p = d.rates.find((r) => r.offeredPerSecond === rate)!;
        return {
          p50Ms: p.latencyMs.p50,
          p99Ms: p.latencyMs.p99,
          sustainedPerSecond: p.sustainedPerSecond,
          errors: p.errors,
          notAssigned: p.notAssigned,
          statementsPerConversation: p.perConversation.statements,
          transactionsPerConversation: p.perConversation.explicitTransactions,
          cpuMsPerConversation: p.perConversation.cpuMs,
        };
      }),
    })),
    ceilingPerSecond: each((d) => d.ceiling.perSecond),
    workerRssMbAtOpenTarget: each((d) => ({ rssMb: d.worker.atOpenTarget.rssMb, openConversations: d.worker.atOpenTarget.openConversations, cachedWorkflows: d.worker.atOpenTarget.cachedWorkflows })),
    goals: each((d) => Object.fromEntries(Object.entries(d.goals).map(([name, goal]) => [name, goal ? goal.met : null]))),
  };
}

/** Set when a profile failed: its section says why, the document is still printed, the exit code is 1. */
let profileFailed = false;

async function lifecycleBench(): Promise<Record<string, unknown>> {
  const started = Date.now();
  log(`profiles: ${PROFILES.join(', ')} (each on its own stack, one after the other)`);
  const sections: ProfileSection[] = [];
  for (const profile of PROFILES) {
    try {
      sections.push(await profileBench(profile));
    } catch (err) {
      profileFailed = true;
      log(`profile ${profile} failed: ${(err as Error)?.stack ?? String(err)}`);
      sections.push({ benchmark: 'lifecycle', profile, error: (err as Error)?.message ?? String(err) });
    }
  }
  const summary = sideBySide(sections);
  log(`summary: ${JSON.stringify(summary)}`);
  // One profile: its own document, as before profiles existed (plus `profile` and `summary`).
  if (sections.length === 1) return { ...sections[0], summary };
  return {
    benchmark: 'lifecycle',
    unit: UNIT,
    profiles: PROFILES,
    runOrder: `one profile after the other (${PROFILES.join(', then ')}), each on a fresh stack stopped before the next starts; per profile: ceiling, warm-up, offered rates ${RATES.join(', ')}/s, top-up to ${OPEN_TARGET} open conversations`,
    summary,
    ...Object.fromEntries(sections.map((s) => [s.profile, s])),
    machine: { cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model, memoryGb: round(os.totalmem() / 2 ** 30), node: process.version },
    totalSeconds: Math.round((Date.now() - started) / 1000),
  };
}

runBench(lifecycleBench, { failed: () => profileFailed });
