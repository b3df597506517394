/**
 * The cluster profile (src/local-stack/cluster-stack.ts, what `npm run cluster` starts): Temporal's
 * real server on PostgreSQL with 4 history shards and its four services as separate processes, two
 * API replicas and three workers, each its own OS process, sharing nothing but PostgreSQL and
 * Temporal. Checked: a login throttle hit on replica 1 counts on replica 2; presence set through one
 * replica is seen by the other; a stream ticket from one replica opens a stream on the other; an
 * agent's logout on replica 1 unassigns their conversation after the grace period although the
 * worker that ran the agent's presence workflow was killed meanwhile (another worker takes over),
 * and a stream on replica 2 sees the assignment and the unassignment.
 *
 * It uses the run's PostgreSQL (DATABASE_URL of the jest setup) with Temporal databases of its own,
 * dropped afterwards, and the jest setup's dev server not at all. Temporal's server comes from the
 * cache (`npm run temporal:server` builds it once; without it this file builds it, ~6 minutes).
 */
import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { Client as PgClient } from 'pg';
import { Connection, Client as TemporalClient } from '@temporalio/client';
import { loadConfig } from '../../src/config/config';
import { type AppEntry, postgresServerOf, type RunningClusterStack, startClusterStack } from '../../src/local-stack/cluster-stack';
import { TEMPORAL_SERVICES } from '../../src/local-stack/temporal-cluster';
import { cachedServerDir } from '../../src/local-stack/temporal-server';
import { agentPresenceWorkflowId } from '../../workflows/contracts/agent-presence.contract';
import { httpFrom, randomClient } from '../support/client-address';
import { openSse, type SseClient } from '../support/sse-client';
import { eventually, http, signUp } from '../support/test-stack';

const ROOT = path.join(__dirname, '../..');
const MAX_FAILURES = 3;
const GRACE = 3;
const PASSWORD = 'correct horse battery';
const suffix = randomUUID().slice(0, 8);
const DATABASES = { main: `temporal_test_${suffix}`, visibility: `temporal_visibility_test_${suffix}` };
const built = fs.existsSync(path.join(cachedServerDir(), 'server')) || Boolean(process.env.TEMPORAL_SERVER_PATH);

let stack: RunningClusterStack;
let dataDir: string;
let db: PgClient;
let temporal: TemporalClient;
let temporalConnection: Connection;
const streams: SseClient[] = [];
let startedInMs = 0;

/** Two consecutive free ports on 127.0.0.1 (the replicas listen on PORT and PORT+1). */
async function consecutiveFreePorts(n: number): Promise<number> {
  const tryListen = (port: number) =>
    new Promise<net.Server | null>((resolve) => {
      const server = net.createServer();
      server.once('error', () => resolve(null));
      server.listen(port, '127.0.0.1', () => resolve(server));
    });
  for (let attempt = 0; attempt < 50; attempt++) {
    const first = 20000 + Math.floor(Math.random() * 30000);
    const held: net.Server[] = [];
    for (let i = 0; i < n; i++) {
      const s = await tryListen(first + i);
      if (!s) break;
      held.push(s);
    }
    await Promise.all(held.map((s) => new Promise((r) => s.close(r))));
    if (held.length === n) return first;
  }
  throw new Error('no consecutive free ports');
}

beforeAll(async () => {
  const t = Date.now();
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cx-cluster-'));
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    TEMPORAL_ADDRESS: undefined,
    LOG_LEVEL: 'warn',
    TRUST_PROXY: 'loopback',
    LOGIN_MAX_FAILURES: String(MAX_FAILURES),
    LOGIN_WINDOW_SECONDS: '600',
    SIGNUP_MAX_PER_HOUR: '1000000',
    USER_CREATE_MAX_PER_HOUR: '1000000',
    AUTO_UNASSIGN_MIN_GRACE_SECONDS: '1',
    PRESENCE_HEARTBEAT_TIMEOUT_SECONDS: '3600',
    SMTP_INGRESS_PORT: '0',
  };
  delete env.TEMPORAL_ADDRESS;
  const config = loadConfig(env);
  stack = await startClusterStack({
    config,
    env,
    apiReplicas: 2,
    workers: 3,
    dataDir,
    firstPort: await consecutiveFreePorts(2),
    temporal: { databases: DATABASES, portLayout: 'free', historyShards: 4, logLevel: 'warn' },
    // The TypeScript sources through ts-node with SWC (as test/support/worker-process.ts does): no build needed.
    nodeArgs: (entry: AppEntry) => ['-r', 'ts-node/register', path.join(ROOT, 'src', `${entry}.ts`)],
    // The run's workflow bundles (test/setup/global-setup.ts), as the profile's own would be.
    workflowBundleDir: path.dirname((JSON.parse(process.env.TEST_WORKFLOW_BUNDLES!) as { conversations: string }).conversations),
    childEnv: { TS_NODE_PROJECT: path.join(ROOT, 'test/support/worker-process.tsconfig.json') },
    log: (line) => process.stdout.write(`[cluster-test] +${((Date.now() - t) / 1000).toFixed(1)} s ${line}\n`),
    output: (name, line) => /error|fail/i.test(line) && process.stdout.write(`[${name}] ${line}\n`),
  });
  startedInMs = Date.now() - t;
  process.stdout.write(`[cluster-test] cluster profile up in ${(startedInMs / 1000).toFixed(1)} s\n`);
  const pg = postgresServerOf(stack.databaseUrl);
  db = new PgClient({ ...pg, database: new URL(stack.databaseUrl).pathname.slice(1) });
  await db.connect();
  temporalConnection = await Connection.connect({ address: stack.temporal.address });
  temporal = new TemporalClient({ connection: temporalConnection, namespace: stack.temporal.namespace });
}, built ? 240_000 : 900_000);

afterAll(async () => {
  for (const s of streams) s.close();
  await temporalConnection?.close();
  await db?.end();
  await stack?.stop();
  if (stack) {
    const admin = new PgClient({ ...postgresServerOf(stack.databaseUrl), database: 'postgres' });
    await admin.connect();
    for (const name of Object.values(DATABASES)) await admin.query(`drop database if exists "${name}" with (force)`);
    await admin.end();
  }
  if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
}, 120_000);

const isAlive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

async function ok<T>(base: { url: string }, method: string, route: string, body: unknown, token?: string): Promise<T> {
  const res = await http<T>({ baseUrl: base.url }, method, route, body, token);
  if (res.status >= 300) throw new Error(`${method} ${route}: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

test('Temporal runs as four processes on PostgreSQL with 4 history shards; the app as 2 API and 3 worker processes', async () => {
  const pids = TEMPORAL_SERVICES.map((s) => stack.temporal.processes[s].pid);
  const appPids = [...stack.apis, ...stack.workers].map((p) => p.pid);
  expect(new Set([...pids, ...appPids, process.pid]).size).toBe(pids.length + appPids.length + 1);
  for (const pid of [...pids, ...appPids]) expect(isAlive(pid)).toBe(true);
  expect(stack.apis).toHaveLength(2);
  expect(stack.workers).toHaveLength(3);
  expect(stack.apis[1].port).toBe(stack.apis[0].port + 1);

  const temporalDb = new PgClient({ ...postgresServerOf(stack.databaseUrl), database: DATABASES.main });
  await temporalDb.connect();
  try {
    expect((await temporalDb.query<{ n: string }>('select count(*)::text as n from shards')).rows[0].n).toBe('4');
    // Each service registered itself in the membership table (how the processes find each other).
    const roles = await temporalDb.query<{ role: number }>('select distinct role from cluster_membership where last_heartbeat > now() - interval \'1 minute\'');
    expect(roles.rows.length).toBeGreaterThanOrEqual(4);
  } finally {
    await temporalDb.end();
  }
  const attributes = await temporalConnection.operatorService.listSearchAttributes({ namespace: stack.temporal.namespace });
  expect(Object.keys(attributes.customAttributes ?? {})).toEqual(expect.arrayContaining(['InboxId', 'ConversationStatus', 'AssigneeId', 'Channel', 'Vip']));
  process.stdout.write(`[cluster-test] figures: start ${(startedInMs / 1000).toFixed(1)} s\n`);
});

test('a login throttle hit on replica 1 counts on replica 2', async () => {
  const [one, two] = stack.apis.map((a) => ({ baseUrl: a.url }));
  const user = await signUp(one);
  const client = randomClient();
  const login = (on: { baseUrl: string }, password: string) => httpFrom<{ message?: string }>(on, client, 'POST', '/api/v1/auth/login', { email: user.email, password });
  // MAX_FAILURES - 1 failures on replica 1 and one on replica 2 reach the limit together ...
  for (let i = 0; i < MAX_FAILURES - 1; i++) expect((await login(one, 'wrong password, sorry')).status).toBe(401);
  expect((await login(two, 'wrong password, sorry')).status).toBe(401);
  // ... so both replicas refuse this client now, even with the right password.
  const refused = await login(two, PASSWORD);
  expect(refused.status).toBe(429);
  expect(refused.body.message).toMatch(/^too many failed logins; try again in \d+ s$/);
  expect((await login(one, PASSWORD)).status).toBe(429);
  // Another client is not affected, on either replica.
  expect((await httpFrom(two, randomClient(), 'POST', '/api/v1/auth/login', { email: user.email, password: PASSWORD })).status).toBe(200);
});

test('one contact import per account across replicas: a second one on replica 2 while replica 1 imports is a 429', async () => {
  const [one, two] = stack.apis;
  const admin = await signUp({ baseUrl: one.url });
  const importCsv = async (on: { url: string }, csv: string) => {
    const res = await fetch(`${on.url}/api/v1/contacts/import`, { method: 'POST', headers: { authorization: `Bearer ${admin.token}`, 'content-type': 'text/csv' }, body: csv });
    return { status: res.status, retryAfter: res.headers.get('retry-after'), body: (await res.json()) as { created?: number; message?: string } };
  };
  const rows = 1000;
  const big = importCsv(one, `name,email\n${Array.from({ length: rows }, (_, i) => `Bulk ${i},bulk-${suffix}-${i}@example.com`).join('\n')}\n`);
  // Wait until replica 1 holds the account's import slot (a lease row in PostgreSQL).
  await eventually(async () => ((await db.query(`select 1 from work_slots where kind = 'contact-import' and account_id = $1`, [admin.accountId])).rowCount ? true : undefined), 20_000, 'the import slot');
  const second = await importCsv(two, 'name\nMeanwhile\n');
  expect(second.status).toBe(429);
  expect(second.retryAfter).toMatch(/^\d+$/);
  expect(second.body.message).toBe('an account may run at most 1 contact import at once; try again when it has finished');
  expect(await big).toMatchObject({ status: 200, body: { created: rows } });
  // Done: the slot is gone and replica 2 imports.
  expect((await db.query(`select 1 from work_slots where account_id = $1`, [admin.accountId])).rowCount).toBe(0);
  expect(await importCsv(two, 'name\nAfterwards\n')).toMatchObject({ status: 200, body: { created: 1 } });
}, 120_000);

test('an agent logs out on replica 1: after the grace period the conversation is unassigned by whichever worker is left, and a stream on replica 2 sees it', async () => {
  const [one, two] = stack.apis;
  const admin = await signUp({ baseUrl: one.url });
  const inbox = await ok<{ id: string }>(one, 'POST', '/api/v1/inboxes', {
    name: 'Cluster',
    channelType: 'api',
    welcomeMessage: null,
    settings: { autoUnassign: { enabled: true, graceSeconds: GRACE } },
  }, admin.token);
  const email = `agent-${suffix}-${Date.now()}@example.com`;
  const agent = await ok<{ id: string }>(one, 'POST', '/api/v1/users', { name: 'Agent A', email, password: PASSWORD }, admin.token);
  await ok(two, 'PUT', `/api/v1/inboxes/${inbox.id}/members/${agent.id}`, { role: 'member' }, admin.token);
  const agentToken = (await ok<{ token: string }>(one, 'POST', '/api/v1/auth/login', { email, password: PASSWORD })).token;

  // Presence and tickets live in PostgreSQL: online via replica 1, seen on replica 2; a ticket from replica 1 opens a stream on replica 2.
  await eventually(async () => {
    const view = await ok<{ agents: { userId: string; online: boolean }[] }>(two, 'GET', `/api/v1/inboxes/${inbox.id}/agents`, undefined, admin.token);
    return view.agents.find((a) => a.userId === agent.id)?.online ? true : undefined;
  }, 15_000, 'the agent online on replica 2');
  const ticket = await ok<{ ticket: string }>(one, 'POST', '/api/v1/events/ticket', undefined, admin.token);
  const sse = await openSse(`${two.url}/api/v1/events?ticket=${encodeURIComponent(ticket.ticket)}`);
  streams.push(sse);
  expect(sse.status).toBe(200);
  await sse.next((e) => e.event === 'ready');

  const { conversationId } = await ok<{ conversationId: string }>(one, 'POST', `/api/v1/inboxes/${inbox.id}/inbound-messages`, { contact: { sourceId: `c-${suffix}`, name: 'Jane' }, content: 'Hello', externalId: `m-${suffix}` }, admin.token);
  const about = (type: string) => (e: { event: string; data: { data?: Record<string, unknown> } }) => e.event === type && e.data.data?.conversationId === conversationId;
  await sse.next(about('conversation.assigned'), 20_000);
  const assignee = async () => (await ok<{ assigneeId: string | null }>(two, 'GET', `/api/v1/conversations/${conversationId}`, undefined, admin.token)).assigneeId;
  expect(await assignee()).toBe(agent.id);

  const loggedOutAt = Date.now();
  const out = await http({ baseUrl: one.url }, 'POST', '/api/v1/auth/logout', undefined, agentToken);
  expect(out.status).toBeLessThan(300);

  // The worker that ran the presence workflow's last task (its sticky worker) dies during the grace period.
  const presence = temporal.workflow.getHandle(agentPresenceWorkflowId(agent.id));
  type HistoryEvent = {
    workflowExecutionSignaledEventAttributes?: unknown;
    timerStartedEventAttributes?: unknown;
    timerFiredEventAttributes?: unknown;
    workflowTaskStartedEventAttributes?: { identity?: string | null } | null;
    activityTaskStartedEventAttributes?: { identity?: string | null } | null;
  };
  const events = async () => ((await presence.fetchHistory()).events ?? []) as HistoryEvent[];
  // The logout's workflow task started the grace timer: the worker that ran that task holds the workflow (sticky).
  const lastWorkflowWorker = await eventually(async () => {
    const all = await events();
    const signalled = all.map((e) => Boolean(e.workflowExecutionSignaledEventAttributes)).lastIndexOf(true);
    const timer = all.findIndex((e, i) => i > signalled && e.timerStartedEventAttributes);
    if (signalled < 0 || timer < 0) return undefined;
    return all.slice(0, timer).map((e) => e.workflowTaskStartedEventAttributes?.identity).filter((x): x is string => Boolean(x)).at(-1);
  }, 10_000, 'the grace timer started after the logout');
  const victim = stack.workers.find((w) => lastWorkflowWorker.startsWith(`${w.pid}@`));
  expect(victim).toBeDefined();
  await victim!.kill('SIGKILL');

  await sse.next(about('conversation.unassigned'), (GRACE + 15) * 1000);
  const unassignedAfter = Date.now() - loggedOutAt;
  expect(await assignee()).toBeNull();
  const decision = await db.query<{ summary: string; created_at: Date }>(`select summary, created_at from conversation_decisions where conversation_id = $1 and kind = 'unassigned'`, [conversationId]);
  expect(decision.rows[0].summary).toMatch(/^unassigned from Agent A: logged out at .* not back within the 3 s grace period/);
  const lateMs = new Date(decision.rows[0].created_at).getTime() - loggedOutAt - GRACE * 1000;
  // Another worker ran the workflow task after the grace timer fired and the unassign activity (its
  // started event is written with its completion, a moment after the unassign committed).
  const { workflowWorker, activityWorker } = await eventually(async () => {
    const all = await events();
    const afterTimer = all.slice(all.map((e) => Boolean(e.timerFiredEventAttributes)).lastIndexOf(true));
    const activity = afterTimer.map((e) => e.activityTaskStartedEventAttributes?.identity).find((x): x is string => Boolean(x));
    return activity ? { workflowWorker: afterTimer.map((e) => e.workflowTaskStartedEventAttributes?.identity).find(Boolean), activityWorker: activity } : undefined;
  }, 10_000, 'the unassign activity in the history');
  expect(workflowWorker?.startsWith(`${victim!.pid}@`)).toBe(false);
  expect(activityWorker).toBeDefined();
  expect(activityWorker!.startsWith(`${victim!.pid}@`)).toBe(false);
  expect(stack.workers.some((w) => w !== victim && activityWorker!.startsWith(`${w.pid}@`))).toBe(true);
  process.stdout.write(`[cluster-test] figures: unassigned ${unassignedAfter} ms after the logout (grace ${GRACE} s; decision ${lateMs} ms after the grace ended), worker ${victim!.pid} killed, the workflow task after the timer ran on ${workflowWorker}, the unassign on ${activityWorker}\n`);
  expect(lateMs).toBeLessThan(5000);
}, 90_000);
