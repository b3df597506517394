/**
 * Durability of the lifecycle workflows on the real Temporal server:
 *  - a worker process killed (SIGKILL) inside the auto-unassign grace window and a new worker started,
 *    and a worker shut down and restarted the same way: the unassign still happens on time;
 *  - the Temporal dev server stopped and started again on the same SQLite file inside the window: the
 *    worker and the API reconnect by themselves and the unassign still happens on time;
 *  - long-lived workflows continue-as-new when Temporal suggests it (a dev server told to suggest it
 *    after 40 events): across the runs every inbound message is handled exactly once, the welcome goes
 *    out once, changes signalled meanwhile are not lost and the search attributes stay current; the
 *    agent-presence workflow does the same, also while offline with nothing left to wait for.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { EntityManager } from '@mikro-orm/postgresql';
import type { WorkflowHandle } from '@temporalio/client';
import { freePort } from '../../src/local-stack/free-port';
import { resolveTemporalCli } from '../../src/local-stack/temporal-cli';
import { devServerArgs, type RunningTemporal, startTemporalDevServer, startTemporalDevServerOnFreePort, waitForTemporal } from '../../src/local-stack/temporal-dev-server';
import { stopWithParent } from '../../src/local-stack/orphan-guard';
import { agentPresenceWorkflowId } from '../../workflows/contracts/agent-presence.contract';
import { conversationWorkflowId, type ConversationWorkflowState, inboundMessageSignal } from '../../workflows/contracts/conversation.contract';
import { AssigneeId, Channel, ConversationStatus, InboxId, Vip } from '../../workflows/contracts/search-attributes';
import { assignedTo, createLifecycleFixture, sleep, type LifecycleFixture, unassignedAt } from '../support/lifecycle-fixture';
import { eventually, http, startTestStack, type TestStack } from '../support/test-stack';
import { spawnWorkerProcess, type WorkerProcess } from '../support/worker-process';

const ENV = { AUTO_UNASSIGN_MIN_GRACE_SECONDS: '1', PRESENCE_HEARTBEAT_TIMEOUT_SECONDS: '3600', LOGIN_MAX_FAILURES: '1000' };
const TOLERANCE_MS = 2000;
const report = (line: string) => process.stdout.write(`[lifecycle-restarts] ${line}\n`);


/** Two agents of one inbox with auto-unassign after `grace` s: A holds a `new` conversation, B is online. */
async function heldByA(stack: TestStack, grace: number, contact: string) {
  const fx = await createLifecycleFixture(stack, { agents: 2, settings: { autoUnassign: { enabled: true, graceSeconds: grace }, routing: { capacityPerAgent: 10 } } });
  const [a, b] = fx.agents;
  await fx.login(a);
  const c = await fx.inbound(contact, 'hello');
  await assignedTo(fx, c.conversationId, a.userId);
  await fx.login(b);
  return { fx, a, b, conversationId: c.conversationId };
}

async function expectUnassignedOnTime(fx: LifecycleFixture, conversationId: string, b: { userId: string }, loggedOutAt: number, grace: number, what: string) {
  await assignedTo(fx, conversationId, b.userId, (grace + 15) * 1000);
  const offset = (await unassignedAt(fx, conversationId)) - loggedOutAt - grace * 1000;
  report(`${what}: unassigned ${offset} ms off logout + ${grace} s`);
  expect(Math.abs(offset)).toBeLessThanOrEqual(TOLERANCE_MS);
  const decisions = await fx.decisions(conversationId);
  expect(decisions.filter((d) => d.kind === 'unassigned')).toHaveLength(1);
  expect(decisions.find((d) => d.kind === 'unassigned')!.summary).toMatch(new RegExp(`^unassigned from Agent A: logged out at .* not back within the ${grace} s grace period`));
  expect(decisions.filter((d) => d.kind === 'assigned').at(-1)!.summary).toMatch(/^assigned to Agent B/);
  return offset;
}

type HistoryEvent = NonNullable<Awaited<ReturnType<WorkflowHandle['fetchHistory']>>['events']>[number];

/** An event's type, from the one `...EventAttributes` field it carries (e.g. `timerFired`). */
const eventName = (e: HistoryEvent) =>
  Object.keys(e).find((k) => k.endsWith('EventAttributes') && (e as Record<string, unknown>)[k])?.replace(/EventAttributes$/, '') ?? `type ${e.eventType}`;
const TIMEOUT_TYPES: Record<number, string> = { 1: 'START_TO_CLOSE', 2: 'SCHEDULE_TO_START', 3: 'SCHEDULE_TO_CLOSE', 4: 'HEARTBEAT' };

/** The presence workflow's timer and workflow-task events after `since`, as `+ms type (timeout type, queue kind)`. */
async function taskTimeouts(stack: TestStack, workflowId: string, since: number): Promise<string> {
  const history = await stack.temporal.workflow.getHandle(workflowId).fetchHistory();
  return (history.events ?? [])
    .map((e) => {
      const at = Number(e.eventTime?.seconds ?? 0) * 1000 + Math.round((e.eventTime?.nanos ?? 0) / 1e6);
      if (at < since) return undefined;
      const type = eventName(e);
      const scheduled = e.workflowTaskScheduledEventAttributes;
      const timedOut = e.workflowTaskTimedOutEventAttributes;
      const detail = scheduled ? ` (${scheduled.taskQueue?.kind === 2 ? 'sticky' : 'normal'} queue)` : timedOut ? ` (${TIMEOUT_TYPES[timedOut.timeoutType ?? 0] ?? timedOut.timeoutType})` : '';
      return `+${at - since} ${type}${detail}`;
    })
    .filter(Boolean)
    .join(', ');
}

/** The fatal line of a dead worker process's stderr. */
const diedOf = (w: WorkerProcess) => {
  const lines = (w.exitReason ?? '').split('\n');
  return `${lines[0].split(':')[0]}: ${lines.filter((l) => /fatal|corrupted|deadlock|Error:/i.test(l)).at(-1)?.trim() ?? lines.at(-1)}`;
};

const untilOffset = (start: number, ms: number) => sleep(Math.max(0, start + ms - Date.now()));

describe('worker stopped inside the grace window', () => {
  let stack: TestStack;
  const workers: WorkerProcess[] = [];

  beforeAll(async () => {
    stack = await startTestStack({ worker: false, env: ENV });
  }, 60_000);

  afterAll(async () => {
    for (const w of workers) await w.kill('SIGKILL');
    await stack?.close();
  });

  test('worker process SIGKILLed 2 s after logout, a new worker polls 2 s later: unassigned at logout + grace and given to B', async () => {
    const GRACE = 6;
    const first = spawnWorkerProcess(stack.config);
    workers.push(first);
    await first.ready;

    const { fx, a, b, conversationId } = await heldByA(stack, GRACE, 'kill-1');
    const loggedOutAt = Date.now();
    await fx.logout(a);
    // The presence workflow is waiting on its grace timer, cached in the worker process.
    await eventually(async () => ((await stack.temporal.workflow.getHandle(agentPresenceWorkflowId(a.userId)).query<{ nextDeadline: number | null }>('presenceState')).nextDeadline ? true : undefined), 4000, 'grace timer set');

    await untilOffset(loggedOutAt, 2000);
    await first.kill('SIGKILL');
    report(`worker pid ${first.pid} killed at logout + ${Date.now() - loggedOutAt} ms`);
    expect(first.exited).toBe(true);
    await untilOffset(loggedOutAt, 4000);
    await stack.startWorker();
    report(`new worker polling at logout + ${Date.now() - loggedOutAt} ms`);
    await assignedTo(fx, conversationId, b.userId, (GRACE + 15) * 1000);
    report(`presence history after the kill: ${await taskTimeouts(stack, agentPresenceWorkflowId(a.userId), loggedOutAt)}`);

    await expectUnassignedOnTime(fx, conversationId, b, loggedOutAt, GRACE, 'worker killed');
  }, 60_000);

  test('worker shut down 2 s after logout and a new one started 2 s later: unassigned at logout + grace and given to B', async () => {
    const GRACE = 6;
    await stack.stopWorker();
    await stack.startWorker();
    const { fx, a, b, conversationId } = await heldByA(stack, GRACE, 'restart-worker-1');
    const loggedOutAt = Date.now();
    await fx.logout(a);
    await untilOffset(loggedOutAt, 2000);
    await stack.stopWorker();
    report(`worker shut down at logout + ${Date.now() - loggedOutAt} ms`);
    await untilOffset(loggedOutAt, 4000);
    await stack.startWorker();
    report(`new worker polling at logout + ${Date.now() - loggedOutAt} ms`);
    await assignedTo(fx, conversationId, b.userId, (GRACE + 15) * 1000);
    report(`presence history after the shutdown: ${await taskTimeouts(stack, agentPresenceWorkflowId(a.userId), loggedOutAt)}`);
    await expectUnassignedOnTime(fx, conversationId, b, loggedOutAt, GRACE, 'worker shut down and restarted');
  }, 60_000);
});

describe('Temporal server stopped and restarted inside the grace window', () => {
  let dir: string;
  let server: RunningTemporal | undefined;
  let stack: TestStack;
  let serverOpts: Parameters<typeof startTemporalDevServer>[0];

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cx-restart-'));
    const cli = await resolveTemporalCli({ cliPath: process.env.TEMPORAL_CLI_PATH, allowBuild: false });
    server = await startTemporalDevServerOnFreePort({ dbFile: path.join(dir, 'temporal.db'), fastSqlite: false, cliPath: cli.path }, freePort);
    // The restart reuses this port and file.
    serverOpts = { port: Number(server.address.split(':')[1]), dbFile: path.join(dir, 'temporal.db'), fastSqlite: false, cliPath: cli.path };
    stack = await startTestStack({ env: { ...ENV, TEMPORAL_ADDRESS: server.address } });
  }, 60_000);

  afterAll(async () => {
    await stack?.close();
    await server?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }, 30_000);

  test('server down from logout + 2 s, back on the same SQLite file and port: the worker and API reconnect, unassigned on time and given to B', async () => {
    const GRACE = 10;
    const { fx, a, b, conversationId } = await heldByA(stack, GRACE, 'restart-1');
    const loggedOutAt = Date.now();
    await fx.logout(a);

    await untilOffset(loggedOutAt, 2000);
    const old = server!;
    server = undefined;
    await old.stop();
    report(`Temporal stopped at logout + ${Date.now() - loggedOutAt} ms`);
    await sleep(1500);
    server = await startTemporalDevServer(serverOpts);
    report(`Temporal answering again at logout + ${Date.now() - loggedOutAt} ms (same file, port ${serverOpts.port})`);

    await expectUnassignedOnTime(fx, conversationId, b, loggedOutAt, GRACE, 'server restarted');

    // The API's client reconnected too: presence and inbound still go through it.
    // The unassign commits in the activity before the workflow task that records it in the
    // workflow's state completes, so the query may briefly lag the database.
    const presence = stack.temporal.workflow.getHandle(agentPresenceWorkflowId(a.userId));
    const state = await eventually(async () => {
      const s = await presence.query<{ online: boolean; unassignedInboxes: string[] }>('presenceState');
      return s.unassignedInboxes.length > 0 ? s : undefined;
    }, 10_000, 'the presence workflow to record the unassign');
    expect(state).toMatchObject({ online: false, unassignedInboxes: [fx.inboxId] });
    const next = await fx.inbound('restart-2', 'after the restart');
    await assignedTo(fx, next.conversationId, b.userId);
  }, 60_000);
});

describe('continue-as-new', () => {
  const SUGGEST_AFTER_EVENTS = 40;
  let child: ChildProcess | undefined;
  let stack: TestStack;
  // The worker runs in its own process: a workflow that spins must not take the test runner down with it.
  let worker: WorkerProcess | undefined;

  beforeAll(async () => {
    // startTemporalDevServer takes no extra arguments: run the same command line with one more dynamic config value.
    const cli = await resolveTemporalCli({ cliPath: process.env.TEMPORAL_CLI_PATH, allowBuild: false });
    if (!cli.path) throw new Error(`no temporal CLI to start a dev server with: ${cli.detail}`);
    const port = await freePort();
    const args = [...devServerArgs({ port, fastSqlite: true }), '--dynamic-config-value', `limit.historyCount.suggestContinueAsNew=${SUGGEST_AFTER_EVENTS}`];
    child = spawn(cli.path, args, { stdio: 'ignore' });
    stopWithParent(child.pid);
    let exited = false;
    child.on('exit', () => (exited = true));
    await waitForTemporal(`127.0.0.1:${port}`, 'default', 60, () => !exited);
    stack = await startTestStack({ worker: false, env: { ...ENV, TEMPORAL_ADDRESS: `127.0.0.1:${port}` } });
    worker = spawnWorkerProcess(stack.config);
    await worker.ready;
  }, 60_000);

  afterAll(async () => {
    await worker?.kill('SIGKILL');
    await stack?.close();
    if (child && child.exitCode === null && child.signalCode === null) {
      const gone = new Promise((r) => child!.once('exit', r));
      process.kill(child.pid!, 'SIGTERM');
      await gone;
    }
  }, 30_000);

  test('40 inbound messages in concurrent bursts with resolve/reopen between: several runs, each message handled once, one welcome, search attributes current', async () => {
    const fx = await createLifecycleFixture(stack, { agents: 1, welcomeMessage: 'Welcome! We will be right with you.', settings: { routing: { capacityPerAgent: 10 } } });
    const [a] = fx.agents;
    await fx.login(a);
    const first = await fx.inbound('can-1', 'message 1');
    const conversationId = first.conversationId;
    const handle = stack.temporal.workflow.getHandle(conversationWorkflowId(conversationId));
    const firstRunId = (await handle.describe()).runId;

    const sent = [first.messageId];
    let n = 1;
    const burst = async (size: number) => {
      const got = await Promise.all(Array.from({ length: size }, () => fx.inbound('can-1', `message ${++n}`)));
      for (const g of got) {
        expect(g.conversationId).toBe(conversationId);
        sent.push(g.messageId);
      }
    };
    const change = async (what: 'resolve' | 'reopen') => {
      const res = await http<{ status: string }>(stack, 'POST', `/api/v1/conversations/${conversationId}/${what}`, undefined, fx.admin.token);
      expect(res.status).toBe(200);
    };
    // A failed run loses its state (the next message starts a fresh one): stop waiting at the first failure.
    const failedRuns = async () => {
      const failed: string[] = [];
      for await (const w of stack.temporal.workflow.list({ query: `WorkflowId = '${conversationWorkflowId(conversationId)}' AND ExecutionStatus = 'Failed'` })) {
        const events = (await stack.temporal.workflow.getHandle(conversationWorkflowId(conversationId), w.runId).fetchHistory()).events ?? [];
        const failure = events.at(-1)?.workflowExecutionFailedEventAttributes?.failure;
        failed.push(`run ${w.runId} FAILED: ${failure?.message}${failure?.cause ? ` <- ${failure.cause.message}` : ''}`);
      }
      return failed;
    };
    let last: ConversationWorkflowState | undefined;
    const settled = async (done: (s: ConversationWorkflowState, runId: string) => boolean, what: string) => {
      const got = await eventually(async () => {
        const failed = await failedRuns();
        if (failed.length) return `${failed.length} failed run(s): ${failed.join('; ')}`;
        const runId = (await handle.describe()).runId;
        const s = (last = await handle.query<ConversationWorkflowState>('state'));
        return done(s, runId) ? s : undefined;
      }, 45_000, what).catch((err: Error) => {
        throw new Error(`${err.message}; last state ${JSON.stringify({ ...last, snapshot: undefined })}; worker ${worker!.exited ? `died: ${diedOf(worker!)}` : 'alive'}`);
      });
      if (typeof got === 'string') throw new Error(`the conversation workflow failed: ${got}`);
      return got;
    };
    // Bursts land while the previous one is still being handled; changes are signalled in between. The
    // workflow continues as new once its inbound queue is drained (Temporal suggests it from event 40 on),
    // so a full drain in the middle makes a switch happen there, and the next burst lands right after it.
    const partly = () => settled((s) => s.inboundHandled >= sent.length - 4, `${sent.length - 4} handled`);
    const drainedIntoNewRun = (previousRunId: string) =>
      settled(
        (s, runId) => runId !== previousRunId && s.inboundHandled >= sent.length && !s.changePending && (s.pendingMessages ?? []).length === 0,
        `${sent.length} handled and a run after ${previousRunId}`,
      );
    await burst(9);
    await change('resolve');
    await change('reopen');
    await partly();
    await burst(10);
    await drainedIntoNewRun(firstRunId);
    const secondRunId = (await handle.describe()).runId;
    await Promise.all([burst(10), change('resolve')]);
    await partly();
    await burst(10);
    await change('resolve');
    expect(sent).toHaveLength(40);
    expect(new Set(sent).size).toBe(40);

    // Done: every message handled, the last change seen, and the run that handled the last ones continued as new.
    await drainedIntoNewRun(secondRunId);
    const state = await settled((s) => s.snapshot?.status === 'resolved', 'the last resolve seen');
    expect(state.inboundHandled).toBe(sent.length);
    expect(state.welcomeHandled).toBe(true);
    expect(sent).toContain(state.lastInboundMessageId);

    // It continued as new (at least twice), only the latest run is running, and each earlier run continued as new.
    const runs: { runId: string; status: string; events: number; suggestedFrom?: number }[] = [];
    for await (const w of stack.temporal.workflow.list({ query: `WorkflowId = '${conversationWorkflowId(conversationId)}'` })) {
      const events = (await stack.temporal.workflow.getHandle(conversationWorkflowId(conversationId), w.runId).fetchHistory()).events ?? [];
      const suggestedFrom = events.find((e) => e.workflowTaskStartedEventAttributes?.suggestContinueAsNew)?.eventId;
      runs.push({ runId: w.runId, status: w.status.name, events: events.length, suggestedFrom: suggestedFrom ? Number(suggestedFrom) : undefined });
    }
    runs.reverse();
    const latest = await handle.describe();
    report(`conversation workflow runs (oldest first): ${runs.map((r) => `${r.status} ${r.events} events${r.suggestedFrom ? ` (suggested from event ${r.suggestedFrom})` : ''}`).join('; ')}`);
    expect(runs.length).toBeGreaterThanOrEqual(3);
    expect(runs.filter((r) => r.status === 'RUNNING').map((r) => r.runId)).toEqual([latest.runId]);
    expect(runs.filter((r) => r.runId !== latest.runId).map((r) => r.status)).toEqual(runs.slice(1).map(() => 'CONTINUED_AS_NEW'));
    expect((await stack.temporal.workflow.getHandle(conversationWorkflowId(conversationId), firstRunId).describe()).status.name).toBe('CONTINUED_AS_NEW');

    // One welcome for the whole conversation.
    const welcomes = await fx.sql<{ n: string }>(`select count(*) as n from messages where idempotency_key = ?`, [`welcome:${conversationId}`]);
    expect(Number(welcomes[0].n)).toBe(1);
    const stored = await fx.sql<{ n: string }>(`select count(*) as n from messages where conversation_id = ? and direction = 'inbound'`, [conversationId]);
    expect(Number(stored[0].n)).toBe(40);

    // The latest run's search attributes say what Postgres says.
    const row = (await fx.rows()).find((r) => r.id === conversationId)!;
    expect(row.status).toBe('resolved');
    const attrs = latest.typedSearchAttributes;
    expect(attrs.get(ConversationStatus)).toBe('resolved');
    expect(attrs.get(AssigneeId)).toBe(row.assignee_id ?? 'unassigned');
    expect(attrs.get(InboxId)).toBe(fx.inboxId);
    expect(attrs.get(Channel)).toBe('api');
    expect(attrs.get(Vip)).toBe(false);
  }, 60_000);

  test('a message routed while another transaction holds the conversation row is handled once that transaction ends (the workflow keeps running)', async () => {
    const fx = await createLifecycleFixture(stack, { agents: 1, settings: { routing: { capacityPerAgent: 10 } } });
    const [a] = fx.agents;
    await fx.login(a);
    const c = await fx.inbound('locked-1', 'hello');
    const handle = stack.temporal.workflow.getHandle(conversationWorkflowId(c.conversationId));
    await eventually(async () => ((await handle.query<ConversationWorkflowState>('state')).inboundHandled === 1 ? true : undefined), 10_000, 'first message handled');
    // A second message whose signal reaches the workflow while another writer (an agent's assignment, a
    // concurrent inbound message, a queue pass) holds the conversation row for a moment.
    const [{ id: messageId }] = await fx.sql<{ id: string }>(
      `insert into messages (conversation_id, direction, sender_type, content, delivery_status) values (?, 'inbound', 'contact', 'second', 'received') returning id`,
      [c.conversationId],
    );
    await stack.api.get(EntityManager).fork().transactional(async (em) => {
      await em.execute('select id from conversations where id = ? for update', [c.conversationId]);
      await handle.signal(inboundMessageSignal, { messageId: String(messageId) });
      await sleep(1500);
    });
    const outcome = await eventually(async () => {
      const d = await handle.describe();
      if (d.status.name !== 'RUNNING') {
        const events = (await handle.fetchHistory()).events ?? [];
        const failure = events.at(-1)?.workflowExecutionFailedEventAttributes?.failure;
        return `run ${d.status.name}: ${failure?.message}${failure?.cause ? ` <- ${failure.cause.message}` : ''}`;
      }
      return (await handle.query<ConversationWorkflowState>('state')).inboundHandled === 2 ? 'handled' : undefined;
    }, 10_000, 'the second message handled');
    expect(outcome).toBe('handled');
    expect((await fx.rows()).find((r) => r.id === c.conversationId)!.assignee_id).toBe(a.userId);
  }, 30_000);

  test('agent-presence continues as new too, also while offline with no grace deadline left, and still answers a login', async () => {
    // Auto-unassign off: once offline, the presence workflow has no deadline to wait for, so it waits for a
    // signal alone; when Temporal suggests continue-as-new there, it must continue as new (not spin).
    const fx = await createLifecycleFixture(stack, { agents: 1, settings: { autoUnassign: { enabled: false, graceSeconds: 30 } } });
    const [a] = fx.agents;
    const handle = stack.temporal.workflow.getHandle(agentPresenceWorkflowId(a.userId));
    const online = async (want: boolean, what: string) => {
      const seen = await eventually(async () => (worker!.exited ? 'worker died' : (await stack.temporal.connection.withDeadline(Date.now() + 2000, () => handle.query<{ online: boolean }>('presenceState'))).online === want ? true : undefined), 8000, what);
      if (seen !== true) throw new Error(`${what}: ${seen}`);
    };
    let stuck: string | undefined;
    try {
      for (let i = 1; i <= 4; i++) {
        await fx.login(a);
        await online(true, `online after login ${i}`);
        await fx.logout(a);
        await online(false, `offline after logout ${i}`);
        await sleep(300);
      }
      // A customer writes while A is away; A logs in again and gets it.
      const c = await fx.inbound('presence-can', 'anyone there?');
      await eventually(async () => ((await fx.rows()).find((r) => r.id === c.conversationId)?.queued_at ? true : undefined), 10_000, 'queued while nobody is online');
      await fx.login(a);
      await online(true, 'online after the last login');
      await assignedTo(fx, c.conversationId, a.userId, 8000);
    } catch (err) {
      const events = (await handle.fetchHistory()).events ?? [];
      const failures = events.filter((e) => e.workflowTaskFailedEventAttributes).map((e) => e.workflowTaskFailedEventAttributes!.failure?.message);
      const lastStarted = events.filter((e) => e.workflowTaskStartedEventAttributes).at(-1)?.workflowTaskStartedEventAttributes;
      const last = events.at(-1);
      stuck =
        `${(err as Error).message}; latest run: ${events.length} events, last ${last ? eventName(last) : 'none'}, ` +
        `last workflow task started with suggestContinueAsNew=${lastStarted?.suggestContinueAsNew}, workflow task failures: ${failures.length} (${[...new Set(failures)].join(' | ')}); ` +
        `worker process ${worker!.exited ? `DIED (${diedOf(worker!)})` : 'alive'}`;
    }
    expect(stuck).toBeUndefined();
    const runs: string[] = [];
    for await (const w of stack.temporal.workflow.list({ query: `WorkflowId = '${agentPresenceWorkflowId(a.userId)}'` })) runs.push(w.status.name);
    report(`agent-presence runs: ${runs.join(', ')}`);
    expect(runs.length).toBeGreaterThan(1);
  }, 60_000);
});
