/**
 * npm run bench:automation
 *
 * What automation rules cost and how punctual their timers are, end to end on this machine (own
 * embedded PostgreSQL, own Temporal dev server, the API in this process, the product worker in a
 * child process):
 *
 *  1. Inbound -> assigned at BENCH_RATE msg/s (10) for an inbox whose account has no rules and one
 *     whose account has 50 enabled rules of realistic shape (45 on message_received with conditions
 *     that rarely hold, 3 that tag or raise the priority, 2 time-based ones that arm a timer), in
 *     the order none, 50, none, 50... (BENCH_PAIRS pairs) so the machine's drift hits both alike. Per phase: POST -> assigned
 *     (routing) and POST -> the automation pass over the message (its run row), p50/p99, and CPU.
 *     Per phase also the SQL statements per message (pg_stat_statements; the bench's own reads go
 *     through an observer role and are not counted) and the most frequent ones.
 *  2. BENCH_TIMERS (5,000) conversations, each with an armed "idle for N s" timer, all armed before the
 *     first comes due: a calibration round (200 conversations of another account) measures how fast
 *     this machine arms, N is the projected arming time x 1.5 + 30 s (at least BENCH_IDLE_SECONDS), and
 *     POSTs go at that rate (at most BENCH_FILL_RATE); see timersPart() for why. Reported: armed count,
 *     arming duration, how late each rule fired after its due time (p50/p95/p99/max, over the timers
 *     due after arming ended), the worker's RSS armed and while firing, and `valid`; and, from the
 *     histories of the 25 latest firings and 25 spread over the due times, where the lateness went
 *     (`stagesMs`: the timer's own fire time against the due time, the run time and clock of the task
 *     that armed it, the server's delay in firing it, the workflow task's wait for the worker, and
 *     task start -> firing recorded; see timerStages()).
 *
 * One JSON document on stdout, progress on stderr. Settings (env, or --name=value):
 *   BENCH_RATE=10  BENCH_SECONDS=60  BENCH_PAIRS=3  BENCH_TIMERS=5000  BENCH_FILL_RATE=100  BENCH_IDLE_SECONDS=90 (a floor)
 *   BENCH_PARTS=latency,timers (either or both)  BENCH_TOP_STATEMENTS=12  BENCH_WORKER_RUNTIME=node|ts-node
 *   BENCH_CPU_PROF_DIR=<dir> (the worker writes V8 CPU profiles there when it exits)
 */
import 'reflect-metadata';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Client } from '@temporalio/client';
import type { Client as PgClient } from 'pg';
import { createAgent, signUp } from './support/accounts';
import { distribution, round } from './support/distribution';
import { json } from './support/http';
import { AssignmentTracker, type InboundTarget, offer, type Sample, summarize } from './support/load';
import { type CpuProbe, cpuBetween, cpuSecondsOf, cpuSnapshot, memoryOf, thisProcessCpuSeconds, treeCpuSecondsOf } from './support/process-stats';
import { log, runBench, sleep } from './support/run';
import { positiveNumber, setting } from './support/settings';
import { BenchStack } from './support/stack';
import { StatementCounter } from './support/statement-count';
import { BenchWorker, prepareWorkerRuntime, type WorkerRuntime } from './support/worker-process';
import { type FiredTimer, timerStages } from './support/workflow-stages';

const RATE = positiveNumber('BENCH_RATE', 10);
/**
 * 60 s per phase: 1,800 messages per side over three pairs. At 20 s a phase's p99 is its second-slowest
 * message, and the machine's stalls (~100 ms, a few per minute, in both kinds of phase) decided it.
 */
const SECONDS = positiveNumber('BENCH_SECONDS', 60);
/** Phases none/50 alternate this many times: p99 over 200 samples of one phase swings with one stall. */
const PAIRS = positiveNumber('BENCH_PAIRS', 3);
const TIMERS = positiveNumber('BENCH_TIMERS', 5000);
const FILL_RATE = positiveNumber('BENCH_FILL_RATE', 100);
const IDLE_SECONDS = positiveNumber('BENCH_IDLE_SECONDS', 90);
const WORKER_RUNTIME = setting('BENCH_WORKER_RUNTIME', 'node') as WorkerRuntime;
/** Which parts run: latency (1), timers (2), or both. */
const PARTS = new Set(setting('BENCH_PARTS', 'latency,timers').split(',').map((p) => p.trim()));
const TOP_STATEMENTS = positiveNumber('BENCH_TOP_STATEMENTS', 12);
/** Fired timers whose histories the timer part reads to split their lateness into stages. */
const STAGE_SAMPLE = 25;

/** CPU ms per message of each probed process and their sum, between two snapshots. */
function cpuMsPer(a: ReturnType<typeof cpuSnapshot>, b: ReturnType<typeof cpuSnapshot>, messages: number): Record<string, number | null> {
  const out: Record<string, number | null> = {};
  let total = 0;
  for (const [label, secondsA] of Object.entries(a.per)) {
    const secondsB = b.per[label];
    const ms = secondsA === null || secondsB === null || secondsB === undefined ? null : ((secondsB - secondsA) * 1000) / Math.max(1, messages);
    out[label] = ms === null ? null : round(ms, 1);
    if (ms !== null) total += ms;
  }
  out.total = round(total, 1);
  return out;
}
const RUN = `a${Date.now().toString(36)}`;
const GOAL_RATIO = 1.2;
const GOAL_LATE_P99_MS = 1000;

/** 50 rules of the shapes managers write: most do not hold for an ordinary message. */
function fiftyRules(teamId: string) {
  const rules: Record<string, unknown>[] = [];
  const keywords = ['refund', 'cancel', 'invoice', 'broken', 'lawyer', 'urgent', 'complaint', 'password', 'shipping', 'discount'];
  for (let i = 0; i < 45; i++) {
    const k = keywords[i % keywords.length];
    rules.push({
      name: `Keyword ${i}: ${k}`,
      trigger: { event: 'message_received' },
      conditions: {
        all: [
          { attribute: 'message.content', operator: 'contains', value: `${k}-${i}` },
          { any: [{ attribute: 'contact.vip', operator: 'equals', value: true }, { attribute: 'conversation.priority', operator: 'greater_than', value: 2 }, { attribute: 'time.weekday', operator: 'in', value: ['sat', 'sun'] }] },
        ],
      },
      actions: [{ type: 'add_tag', tag: k }, { type: 'set_priority', priority: 3 }, { type: 'assign_team', teamId }],
    });
  }
  rules.push({ name: 'Order questions', trigger: { event: 'message_received' }, conditions: { all: [{ attribute: 'message.content', operator: 'contains', value: 'order' }] }, actions: [{ type: 'add_tag', tag: 'order' }] });
  rules.push({ name: 'Help', trigger: { event: 'message_received' }, conditions: { any: [{ attribute: 'message.content', operator: 'starts_with', value: 'hello' }, { attribute: 'message.content', operator: 'contains', value: 'help' }] }, actions: [{ type: 'set_priority', priority: 1 }] });
  rules.push({ name: 'New contacts', trigger: { event: 'conversation_created' }, conditions: { all: [{ attribute: 'contact.email', operator: 'is_absent' }] }, actions: [{ type: 'add_tag', tag: 'new-contact' }] });
  rules.push({ name: 'Idle a day', trigger: { event: 'conversation_idle', minutes: 24 * 60 }, conditions: { all: [] }, actions: [{ type: 'set_status', status: 'resolved' }] });
  rules.push({ name: 'First response SLA', trigger: { event: 'first_response_due', minutes: 8 * 60 }, conditions: { all: [] }, actions: [{ type: 'set_priority', priority: 4 }] });
  return rules;
}

async function insertRules(db: PgClient, accountId: string, rules: Record<string, unknown>[]): Promise<void> {
  for (const [position, r] of rules.entries()) {
    await db.query(
      `insert into automation_rules (id, account_id, name, enabled, position, trigger, conditions, actions) values (gen_random_uuid(), $1, $2, true, $3, $4, $5, $6)`,
      [accountId, r.name, position, JSON.stringify(r.trigger), JSON.stringify(r.conditions), JSON.stringify(r.actions)],
    );
  }
}

/** POST start -> the automation pass's run row for the conversation's message event, per sample. */
async function automationLatency(db: PgClient, samples: Sample[]): Promise<ReturnType<typeof distribution>> {
  const ids = samples.filter((s) => s.conversationId).map((s) => s.conversationId!);
  const { rows } = await db.query<{ conversation_id: string; at_ms: string }>(
    `select e.conversation_id, min(extract(epoch from r.created_at) * 1000)::float8 as at_ms
       from conversation_events e join automation_runs r on r.event_id = e.id
      where e.type = 'message_received' and e.conversation_id = any($1::uuid[]) group by e.conversation_id`,
    [ids],
  );
  const at = new Map(rows.map((r) => [r.conversation_id, Number(r.at_ms)]));
  return distribution(samples.filter((s) => at.has(s.conversationId!)).map((s) => at.get(s.conversationId!)! - s.postStart));
}

async function waitForRuns(db: PgClient, samples: Sample[], timeoutMs: number): Promise<void> {
  const ids = samples.filter((s) => s.conversationId).map((s) => s.conversationId!);
  for (const deadline = Date.now() + timeoutMs; Date.now() < deadline; await sleep(200)) {
    const { rows } = await db.query<{ n: string }>(`select count(*) as n from conversation_events where conversation_id = any($1::uuid[]) and processed_at is null`, [ids]);
    if (Number(rows[0].n) === 0) return;
  }
  log('  automation passes still pending at the deadline');
}

/** Conversations armed first, in an account of their own, to measure how fast this machine arms timers. */
const CALIBRATION = 200;

/** An account with an inbox, enough agents for `conversations` and one "idle for `idleSeconds`" rule (add tag `idle`). */
async function timerAccount(base: string, db: PgClient, tracker: AssignmentTracker, label: string, conversations: number, idleSeconds: number) {
  const admin = await signUp(base, `Automation bench ${label}`, `admin-${label}-${RUN}@example.com`);
  const inbox = await json<{ id: string }>(base, 'POST', '/api/v1/inboxes', admin.token, { name: label, channelType: 'api', settings: { routing: { capacityPerAgent: 1000 } } });
  // Capacity is at most 1,000 per agent: enough agents for every conversation to be assigned.
  for (let i = 0; i < Math.ceil(conversations / 1000); i++) {
    await createAgent(base, admin.token, { name: `${label} agent ${i}`, email: `agent-${label}-${i}-${RUN}@example.com`, inboxIds: [inbox.id] });
  }
  const [{ id: ruleId }] = (
    await db.query<{ id: string }>(
      `insert into automation_rules (id, account_id, name, enabled, position, trigger, conditions, actions) values (gen_random_uuid(), $1, 'Idle', true, 0, $2, '{"all":[]}', '[{"type":"add_tag","tag":"idle"}]') returning id`,
      [admin.accountId, JSON.stringify({ event: 'conversation_idle', minutes: idleSeconds / 60 })],
    )
  ).rows;
  const target: InboundTarget = { base, token: admin.token, inboxId: inbox.id, run: `${RUN}-${label}`, tracker };
  return { target, ruleId };
}

/**
 * Arms one idle timer per sample's conversation (POSTs at `rate`) and waits until the automation pass
 * over every message ran (that pass answers the due time, and the workflow arms its timer on it).
 * Answers the samples and, from Postgres, when the first POST left and the last pass ended.
 */
async function arm(db: PgClient, tracker: AssignmentTracker, target: InboundTarget, label: string, rate: number, count: number, timeoutMs: number) {
  const samples = await offer(target, label, rate, count);
  await tracker.settle(samples, timeoutMs);
  await waitForRuns(db, samples, timeoutMs);
  const ids = samples.filter((s) => s.conversationId).map((s) => s.conversationId!);
  const { rows } = await db.query<{ armed: string; last_ms: string | null; first_message_ms: string | null; last_message_ms: string | null }>(
    `select count(distinct e.conversation_id) as armed, max(extract(epoch from r.created_at) * 1000)::float8 as last_ms,
            (select min(extract(epoch from created_at) * 1000)::float8 from messages where conversation_id = any($1::uuid[])) as first_message_ms,
            (select max(extract(epoch from created_at) * 1000)::float8 from messages where conversation_id = any($1::uuid[])) as last_message_ms
       from conversation_events e join automation_runs r on r.event_id = e.id
      where e.type = 'message_received' and e.conversation_id = any($1::uuid[])`,
    [ids],
  );
  const firstPost = Math.min(...samples.map((s) => s.postStart));
  const lastArmed = rows[0].last_ms === null ? Date.now() : Number(rows[0].last_ms);
  return {
    samples,
    ok: ids.length,
    errors: samples.filter((s) => s.error).length,
    armed: Number(rows[0].armed),
    firstPost,
    lastArmed,
    seconds: round((lastArmed - firstPost) / 1000, 1),
    firstMessageAt: Number(rows[0].first_message_ms),
    lastMessageAt: Number(rows[0].last_message_ms),
  };
}

/**
 * Part 2: how late rule timers fire while TIMERS of them are armed. Every timer must be armed before the
 * first one comes due, else the early ones fire while arming still loads the machine and the figure mixes
 * the two (the run before this check: 90 s timers, 245.7 s of arming, p99 138 s late).
 *
 * Two ways: (a) derive the idle span from the arming time measured on this machine, or (b) arm with a
 * long fixed span and count only timers due after arming ended. (b) needs a span guessed long enough
 * anyway (too short: timers dropped from the figure, which then speaks of fewer than TIMERS; too long: a
 * bench that waits for nothing), so (a): a calibration round (CALIBRATION conversations in an account of
 * their own whose idle rule waits a day, so they never fire here) measures the rate this machine arms at;
 * the span is the projected arming time x 1.5 + 30 s, at least BENCH_IDLE_SECONDS. POSTs are paced at
 * that rate (at most BENCH_FILL_RATE): offering more than the machine arms only queues work, it does not
 * arm sooner. The check of (b) stays as a guard: timers due before arming ended are counted
 * (dueDuringArming), left out of the lateness, and `valid` is false if there are any.
 */
async function timersPart(base: string, db: PgClient, owner: PgClient, tracker: AssignmentTracker, worker: BenchWorker, probes: CpuProbe[], client: Client): Promise<Record<string, unknown>> {
  const calibrationCount = Math.min(CALIBRATION, TIMERS);
  const calibration = await timerAccount(base, owner, tracker, 'calibration', calibrationCount, 24 * 3600);
  log(`calibrating: arming ${calibrationCount} idle timers at ${FILL_RATE}/s`);
  const cal = await arm(db, tracker, calibration.target, 'calibration', FILL_RATE, calibrationCount, 300_000);
  const measuredRate = cal.armed > 1 ? cal.armed / Math.max(0.001, (cal.lastArmed - cal.firstPost) / 1000) : 1;
  const armRate = round(Math.min(FILL_RATE, measuredRate * 1.2), 1);
  const projectedSeconds = TIMERS / Math.min(FILL_RATE, measuredRate);
  const idleSeconds = Math.max(IDLE_SECONDS, Math.ceil(projectedSeconds * 1.5 + 30));
  log(`  ${cal.armed} armed in ${cal.seconds} s (${round(measuredRate, 1)}/s); ${TIMERS} timers projected to take ${Math.round(projectedSeconds)} s: idle span ${idleSeconds} s, POSTs at ${armRate}/s`);

  const { target, ruleId } = await timerAccount(base, owner, tracker, 'timers', TIMERS, idleSeconds);
  log(`arming ${TIMERS} idle timers (${idleSeconds} s) at ${armRate}/s`);
  const armTimeout = Math.max(300_000, projectedSeconds * 3000 + 120_000);
  const armed = await arm(db, tracker, target, 'timers', armRate, TIMERS, armTimeout);
  // The earliest timer is due no sooner than its conversation's first message + the span (the anchor is its last message).
  const firstDueAt = armed.firstMessageAt + idleSeconds * 1000;
  const armedBeforeFirstDue = armed.lastArmed < firstDueAt;
  const rssArmed = memoryOf(worker.pid);
  const memArmed = await worker.memory();
  log(
    `  ${armed.armed} of ${TIMERS} armed in ${armed.seconds} s (${armed.errors} POST errors); first due ${round((firstDueAt - armed.lastArmed) / 1000, 1)} s after the last was armed; worker RSS ${rssArmed?.rssMb} MB (${memArmed.cachedWorkflows} cached workflows); waiting for them to come due`,
  );
  let peakRss = rssArmed?.rssMb ?? 0;
  const rssTimer = setInterval(() => (peakRss = Math.max(peakRss, memoryOf(worker.pid)?.rssMb ?? 0)), 1000);
  const c0 = cpuSnapshot(probes);
  for (const deadline = armed.lastMessageAt + (idleSeconds + 300) * 1000; Date.now() < deadline; await sleep(2000)) {
    const { rows } = await db.query<{ n: string }>(`select count(*) as n from automation_firings where rule_id = $1`, [ruleId]);
    if (Number(rows[0].n) >= armed.armed) break;
  }
  clearInterval(rssTimer);
  const c1 = cpuSnapshot(probes);
  const { rows: late } = await db.query<{ late_ms: string; due_ms: string; fired_ms: string; conversation_id: string }>(
    `select (extract(epoch from f.created_at) * 1000 - extract(epoch from (r.trigger->>'dueAt')::timestamptz) * 1000)::float8 as late_ms,
            (extract(epoch from (r.trigger->>'dueAt')::timestamptz) * 1000)::float8 as due_ms,
            (extract(epoch from f.created_at) * 1000)::float8 as fired_ms, f.conversation_id
       from automation_firings f join automation_runs r on r.id = f.run_id where f.rule_id = $1`,
    [ruleId],
  );
  const counted = late.filter((r) => Number(r.due_ms) > armed.lastArmed);
  const lateness = distribution(counted.map((r) => Number(r.late_ms)));
  const valid = armedBeforeFirstDue && counted.length === late.length && armed.armed === TIMERS;
  log(`  ${late.length} of ${armed.armed} fired (${late.length - counted.length} were due during arming); late p50 ${lateness.p50} p95 ${lateness.p95} p99 ${lateness.p99} max ${lateness.max} ms; peak RSS ${peakRss} MB`);
  // Where the lateness goes: the latest STAGE_SAMPLE firings, and as many spread over the due times.
  const toTimer = (r: (typeof counted)[number]): FiredTimer => ({ conversationId: r.conversation_id, dueMs: Number(r.due_ms), firedMs: Number(r.fired_ms) });
  const byLateness = [...counted].sort((a, b) => Number(b.late_ms) - Number(a.late_ms));
  const byDue = [...counted].sort((a, b) => Number(a.due_ms) - Number(b.due_ms));
  const spread = byDue.filter((_, i) => i % Math.max(1, Math.floor(byDue.length / STAGE_SAMPLE)) === 0).slice(0, STAGE_SAMPLE);
  const stages = { latest: await timerStages(client, byLateness.slice(0, STAGE_SAMPLE).map(toTimer)), spread: await timerStages(client, spread.map(toTimer)) };
  log(`  stages ${JSON.stringify(stages)}`);
  return {
    what: `${TIMERS} conversations, each with an armed "idle ${idleSeconds} s" rule timer (a Temporal timer in its workflow); lateness = firing recorded - due, over the timers due after the last one was armed`,
    calibration: { conversations: cal.armed, seconds: cal.seconds, armedPerSecond: round(measuredRate, 1) },
    idleSeconds,
    offeredPerSecond: armRate,
    armed: armed.armed,
    postErrors: armed.errors,
    armingSeconds: armed.seconds,
    armedPerSecond: armed.seconds > 0 ? round(armed.armed / armed.seconds, 1) : null,
    firstDueAfterArmingSeconds: round((firstDueAt - armed.lastArmed) / 1000, 1),
    fired: late.length,
    dueDuringArming: late.length - counted.length,
    latenessMs: lateness,
    workerRssMbArmed: rssArmed?.rssMb ?? null,
    workerPeakRssMbWhileFiring: peakRss,
    cachedWorkflows: memArmed.cachedWorkflows,
    maxCachedWorkflows: memArmed.maxCachedWorkflows,
    cpuPercentOfOneCoreWhileFiring: cpuBetween(c0, c1),
    stagesMs: stages,
    valid,
    goalP99Under1s: { p99Ms: lateness.p99, met: valid && lateness.p99 !== null && lateness.p99 < GOAL_LATE_P99_MS && late.length === armed.armed },
  };
}

async function automationBench() {
  const started = Date.now();
  const loadAtStart = os.loadavg().map((l) => round(l, 2));
  const stack = new BenchStack('automation');
  try {
    await stack.startPostgres({ countStatements: true });
    const temporal = await stack.startTemporal();
    const bundles = await stack.workflowBundles();
    const env = stack.serviceEnv({ TEMPORAL_TASK_QUEUE: `bench-automation-${RUN}`, LOG_LEVEL: 'error', PRESENCE_HEARTBEAT_TIMEOUT_SECONDS: '86400', LOGIN_MAX_FAILURES: '1000', NODE_ENV: 'production', SIGNUP_MAX_PER_HOUR: '1000' });
    const { base } = await stack.startApi(env);
    const runtime = prepareWorkerRuntime(WORKER_RUNTIME, path.join(stack.tmp, 'build'));
    const worker = await BenchWorker.start('worker', { ...env, BENCH_WORKER_MODE: 'product', BENCH_WORKFLOW_BUNDLES: JSON.stringify(bundles) }, runtime);
    stack.defer('product worker', () => worker.stop());
    // The bench's own reads go through an observer role, left out of the statement counts; its writes (rules) as the owner.
    const owner = await stack.database();
    const counter = await StatementCounter.start(stack, owner);
    const db = counter.observer;
    const tracker = new AssignmentTracker(db, 20);
    tracker.start();
    stack.defer('assignment poller', () => tracker.stop());
    const postmaster = stack.postgresPid();
    const probes: CpuProbe[] = [
      { label: 'apiAndLoadGenerator', seconds: thisProcessCpuSeconds },
      { label: 'worker', seconds: () => cpuSecondsOf(worker.pid) },
      { label: 'temporal', seconds: () => (temporal.pid ? cpuSecondsOf(temporal.pid) : null) },
      { label: 'postgres', seconds: () => treeCpuSecondsOf(postmaster) },
    ];

    // Two accounts alike but for their rules.
    const targets: Record<'none' | 'fifty', InboundTarget> = {} as never;
    for (const which of ['none', 'fifty'] as const) {
      const admin = await signUp(base, `Automation bench ${which}`, `admin-${which}-${RUN}@example.com`);
      const inbox = await json<{ id: string }>(base, 'POST', '/api/v1/inboxes', admin.token, { name: `Bench ${which}`, channelType: 'api', settings: { routing: { capacityPerAgent: 1000 } } });
      const agents = [];
      for (let i = 0; i < 5; i++) agents.push(await createAgent(base, admin.token, { name: `Agent ${which} ${i}`, email: `agent-${which}-${i}-${RUN}@example.com`, inboxIds: [inbox.id] }));
      const team = await json<{ id: string }>(base, 'POST', '/api/v1/teams', admin.token, { name: 'Billing' });
      await json(base, 'PUT', `/api/v1/teams/${team.id}/members/${agents[0].id}`, admin.token);
      if (which === 'fifty') await insertRules(owner, admin.accountId, fiftyRules(team.id));
      targets[which] = { base, token: admin.token, inboxId: inbox.id, run: `${RUN}-${which}`, tracker };
    }

    let latency: Record<string, unknown> | null = null;
    if (PARTS.has('latency')) {
      log('warm-up: 20 messages each');
      for (const which of ['none', 'fifty'] as const) await tracker.settle(await offer(targets[which], 'warmup', 10, 20), 60_000);

      // --- 1. latency with none and with 50 rules, interleaved -------------------------------------
      const phases: Record<string, unknown>[] = [];
      const byRules: Record<'none' | 'fifty', { assigned: number[] }> = { none: { assigned: [] }, fifty: { assigned: [] } };
      const order = Array.from({ length: PAIRS }, () => ['none', 'fifty'] as const).flat();
      for (const [round_, which] of order.entries()) {
        const count = Math.round(RATE * SECONDS);
        log(`phase ${round_ + 1}: ${which === 'none' ? 'no rules' : '50 rules'}, ${count} messages at ${RATE}/s`);
        await counter.reset();
        const c0 = cpuSnapshot(probes);
        const samples = await offer(targets[which], `p${round_}`, RATE, count);
        const c1 = cpuSnapshot(probes);
        await tracker.settle(samples, 120_000);
        await waitForRuns(db, samples, 120_000);
        const c2 = cpuSnapshot(probes);
        const counts = await counter.read();
        const created = Math.max(1, samples.filter((x) => x.conversationId).length);
        const perMessage = {
          // From the first POST until every pass ran (the bench's own polling is in apiAndLoadGenerator).
          cpuMs: cpuMsPer(c0, c2, created),
          statements: round(counts.statements / created, 1),
          explicitTransactions: round(counts.transactions / created, 2),
          // The database's time per message in the product's statements: executing them, and planning them.
          serverMs: { execute: round(counts.execMs / created, 2), plan: round(counts.planMs / created, 2) },
          topStatements: counts.top.slice(0, TOP_STATEMENTS).map((t) => ({ perMessage: round(t.calls / created, 2), query: t.query })),
          // Where the database's time goes (ms of execution per message): a statement that grows with the data shows here.
          topStatementsByTime: counts.topByTime.slice(0, TOP_STATEMENTS).map((t) => ({ msPerMessage: round(t.ms / created, 2), planMsPerMessage: round(t.planMs / created, 2), perMessage: round(t.calls / created, 2), query: t.query })),
        };
        const summary = summarize(RATE, SECONDS, samples, true);
        const automated = await automationLatency(db, samples);
        const cpu = cpuBetween(c0, c1);
        // The tail's samples: when in the phase, how long the POST took and how long until assigned
        // (a stall hits several neighbours; one slow POST is the API's, one slow assignment after a quick POST the worker's).
        const t0 = samples[0]?.postStart ?? 0;
        const slowest = samples
          .filter((x) => x.assignedAt && x.postEnd)
          .sort((a, b) => b.assignedAt! - b.postStart - (a.assignedAt! - a.postStart))
          .slice(0, 6)
          .map((x) => ({ atS: round((x.postStart - t0) / 1000, 2), postMs: round(x.postEnd! - x.postStart, 1), assignedMs: round(x.assignedAt! - x.postStart, 1) }));
        phases.push({ rules: which === 'none' ? 0 : 50, assignedMs: summary.latencyMs, automationPassMs: automated, errors: summary.errors, notAssigned: summary.notAssigned, cpuPercentOfOneCore: cpu, slowest, perMessage });
        byRules[which].assigned.push(...samples.filter((s) => s.assignedAt).map((s) => s.assignedAt! - s.postStart));
        log(`  slowest ${JSON.stringify(slowest)}`);
        log(`  assigned p50 ${summary.latencyMs.p50} p99 ${summary.latencyMs.p99} ms; automation pass p50 ${automated.p50} p99 ${automated.p99} ms; cpu ${JSON.stringify(cpu)}; ${perMessage.statements} statements (server ms ${JSON.stringify(perMessage.serverMs)}) and CPU ms ${JSON.stringify(perMessage.cpuMs)} per message`);
        await sleep(2000);
      }
      const none = distribution(byRules.none.assigned);
      const fifty = distribution(byRules.fifty.assigned);
      const ratio = none.p99 && fifty.p99 ? round(fifty.p99 / none.p99, 2) : null;
      // Each pair's own ratio too: a stall in one phase shows as one outlier pair, not as the whole result.
      const pairRatios = [];
      for (let i = 0; i + 1 < phases.length; i += 2) {
        const [a, b] = [phases[i].assignedMs as { p99: number | null }, phases[i + 1].assignedMs as { p99: number | null }];
        pairRatios.push(a.p99 && b.p99 ? round(b.p99 / a.p99, 2) : null);
      }
      latency = {
        what: `inbound POST -> assigned (routing's decision) and -> the automation pass over the message (its run row), ${RATE} msg/s, ${SECONDS} s per phase, phases none/50 alternating ${PAIRS} times`,
        phases,
        p99RatioPerPair: pairRatios,
        assignedNoRules: none,
        assignedFiftyRules: fifty,
        p99RatioFiftyToNone: ratio,
        goalRatioAtMost1_2: { ratio, met: ratio !== null && ratio <= GOAL_RATIO },
      };
    }

    // --- 2. 5,000 armed idle timers ---------------------------------------------------------
    let timers: Record<string, unknown> | null = null;
    if (PARTS.has('timers')) timers = await timersPart(base, db, owner, tracker, worker, probes, await stack.temporalClient());

    return {
      benchmark: 'automation',
      unit: 'ms',
      latency,
      timers,
      machine: { cpus: os.cpus().length, loadAverageAtStart: loadAtStart, loadAverageAtEnd: os.loadavg().map((l) => round(l, 2)), node: process.version },
      totalSeconds: Math.round((Date.now() - started) / 1000),
    };
  } finally {
    await stack.stop();
  }
}

runBench(automationBench);
