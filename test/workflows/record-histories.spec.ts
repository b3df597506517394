/**
 * Records real workflow histories for the replay test (test/workflows/replay.spec.ts): the product
 * runs scenarios through its API on a Temporal dev server that suggests continue-as-new early, and each
 * workflow run's history is written to test/workflows/histories/<workflow>.<scenario>[.<run>].json.
 *
 *   npm run record:histories        (RECORD_WORKFLOW_HISTORIES=1; otherwise every test here is skipped)
 *
 * Record new fixtures after a change of workflow code has shipped (they are then what is running in
 * production); never re-record to make a failing replay pass — that failure is the point of the test.
 */
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Client, WorkflowHandle } from '@temporalio/client';
import { ImapFlow } from 'imapflow';
import { resolveTemporalCli } from '../../src/local-stack/temporal-cli';
import { type RunningTemporal, startTemporalDevServerOnFreePort } from '../../src/local-stack/temporal-dev-server';
import { agentPresenceStateQuery, agentPresenceWorkflowId } from '../../workflows/contracts/agent-presence.contract';
import { campaignRunWorkflowId } from '../../workflows/contracts/campaign.contract';
import { conversationStateQuery, conversationWorkflowId } from '../../workflows/contracts/conversation.contract';
import { mailboxStateQuery, mailboxWorkflowId } from '../../workflows/contracts/mailbox.contract';
import { webhookEndpointWorkflowId } from '../../workflows/contracts/webhook.contract';
import { type Dovecot, startDovecot } from '../support/dovecot';
import { freePort } from '../../src/local-stack/free-port';
import { insertRule } from '../support/automation';
import { createLifecycleFixture, sleep } from '../support/lifecycle-fixture';
import { startSmtpReceiver, type SmtpReceiver } from '../support/smtp-receiver';
import { eventually, http, signUp, startTestStack, type TestStack } from '../support/test-stack';
import { startWebhookReceiver } from '../support/webhook-receiver';

export const HISTORIES_DIR = path.join(__dirname, 'histories');
const RECORD = process.env.RECORD_WORKFLOW_HISTORIES === '1';
const maybe = RECORD ? describe : describe.skip;

/**
 * Writes every run of the workflow (oldest first) as one fixture each, in the JSON that
 * `temporal workflow show --output json` prints (what the SDK's replayer reads).
 */
async function save(client: Client, address: string, workflowId: string, name: string): Promise<number> {
  const cli = await resolveTemporalCli({ cliPath: process.env.TEMPORAL_CLI_PATH, allowBuild: false });
  if (!cli.path) throw new Error(`no temporal CLI: ${cli.detail}`);
  const runs: string[] = [];
  for await (const w of client.workflow.list({ query: `WorkflowId = '${workflowId}'` })) runs.push(w.runId);
  const handles = await Promise.all(runs.map(async (runId) => ({ runId, info: await client.workflow.getHandle(workflowId, runId).describe() })));
  handles.sort((a, b) => a.info.startTime.getTime() - b.info.startTime.getTime());
  fs.mkdirSync(HISTORIES_DIR, { recursive: true });
  for (const [i, { runId }] of handles.entries()) {
    const json = execFileSync(cli.path, ['workflow', 'show', '--address', address, '--workflow-id', workflowId, '--run-id', runId, '--output', 'json'], { encoding: 'utf8', maxBuffer: 64 << 20 });
    const events = (JSON.parse(json) as { events: unknown[] }).events.length;
    const file = path.join(HISTORIES_DIR, `${name}${handles.length > 1 ? `.run${i + 1}` : ''}.json`);
    fs.writeFileSync(file, json.trimEnd() + '\n');
    process.stdout.write(`[record] ${path.relative(process.cwd(), file)}: ${events} events\n`);
  }
  return handles.length;
}

const handled = (handle: WorkflowHandle, n: number) =>
  eventually(async () => ((await handle.query(conversationStateQuery)).inboundHandled >= n ? true : undefined), 20_000, `${n} messages handled`);

maybe('record workflow histories', () => {
  let server: RunningTemporal;
  let stack: TestStack;

  beforeAll(async () => {
    server = await startTemporalDevServerOnFreePort(
      { fastSqlite: true, cliPath: process.env.TEMPORAL_CLI_PATH, dynamicConfig: { 'limit.historyCount.suggestContinueAsNew': 40 } },
      freePort,
    );
    stack = await startTestStack({
      env: {
        TEMPORAL_ADDRESS: server.address,
        AUTO_UNASSIGN_MIN_GRACE_SECONDS: '1',
        PRESENCE_HEARTBEAT_TIMEOUT_SECONDS: '2',
        LOGIN_MAX_FAILURES: '1000',
        CAMPAIGN_PAGE_SIZE: '10',
        CAMPAIGN_RUN_HISTORY_EVENTS: '20',
        EMAIL_MAILBOX_SESSION_SECONDS: '5',
        EMAIL_MAILBOX_CHECK_MS: '300',
        EMAIL_RECONNECT_MAX_SECONDS: '1',
        // The webhook retry schedule scaled down: 5 s -> 2.5 ms, 5 min -> 150 ms, 30 min -> 0.9 s.
        WEBHOOK_RETRY_SCALE: '0.0005',
        WEBHOOK_TIMEOUT_MS: '2000',
        AUTOMATION_MIN_DURATION_SECONDS: '1',
      },
    });
  }, 120_000);

  afterAll(async () => {
    await stack?.close();
    await server?.stop();
  });

  test('conversation: welcome, routing, reply, resolve, CSAT sent and rated; a reopen cancelling a survey; the queue drained by a freed seat; continue-as-new', async () => {
    const fx = await createLifecycleFixture(stack, {
      agents: 1,
      welcomeMessage: 'Hi {{contact.name}}, we will answer soon.',
      settings: { csat: { enabled: true, delaySeconds: 1 }, routing: { capacityPerAgent: 1 } },
    });
    const [agent] = fx.agents;
    await fx.login(agent);
    const asAgent = <T>(method: string, p: string, body?: unknown) => http<T>(stack, method, p, body, agent.token);

    // Routed, answered, resolved, surveyed and rated.
    const a = await fx.inbound('record-a', 'Hello, my parcel is late', { name: 'Ann' });
    const handleA = stack.temporal.workflow.getHandle(conversationWorkflowId(a.conversationId));
    await handled(handleA, 1);
    // The second conversation waits in the queue (capacity 1).
    const b = await fx.inbound('record-b', 'Me too', { name: 'Ben' });
    const handleB = stack.temporal.workflow.getHandle(conversationWorkflowId(b.conversationId));
    await handled(handleB, 1);
    expect((await asAgent('POST', `/api/v1/conversations/${a.conversationId}/messages`, { content: 'On its way!' })).status).toBe(201);
    expect((await asAgent('POST', `/api/v1/conversations/${a.conversationId}/resolve`)).status).toBe(200);
    // The freed seat goes to B; A's survey goes out after a second and is answered.
    await eventually(async () => ((await fx.conversation(b.conversationId)).assigneeId === agent.userId ? true : undefined), 15_000, 'B assigned');
    await eventually(async () => ((await fx.decisions(a.conversationId)).some((d) => d.kind === 'csat_sent') ? true : undefined), 15_000, 'survey sent');
    await fx.inbound('record-a', '5 great');
    await handled(handleA, 2);

    // B: resolved, then reopened by the customer before its survey is due (cancelled), resolved again.
    expect((await asAgent('POST', `/api/v1/conversations/${b.conversationId}/resolve`)).status).toBe(200);
    await eventually(async () => ((await fx.decisions(b.conversationId)).some((d) => d.kind === 'csat_scheduled') ? true : undefined), 15_000, 'B survey scheduled');
    await fx.inbound('record-b', 'One more question');
    await eventually(async () => ((await fx.decisions(b.conversationId)).some((d) => d.kind === 'csat_cancelled') ? true : undefined), 15_000, 'B survey cancelled');

    // C: many messages in bursts: the workflow continues as new (the server suggests it after 40 events).
    const c = await fx.inbound('record-c', 'message 1', { name: 'Cleo' });
    const handleC = stack.temporal.workflow.getHandle(conversationWorkflowId(c.conversationId));
    for (let burst = 0; burst < 6; burst++) {
      await Promise.all(Array.from({ length: 5 }, (_, i) => fx.inbound('record-c', `message ${2 + burst * 5 + i}`)));
    }
    await handled(handleC, 31);
    await sleep(1000);

    expect(await save(stack.temporal, server.address, handleA.workflowId, 'conversation.routed-resolved-csat')).toBeGreaterThanOrEqual(1);
    await save(stack.temporal, server.address, handleB.workflowId, 'conversation.queued-reopened');
    expect(await save(stack.temporal, server.address, handleC.workflowId, 'conversation.continue-as-new')).toBeGreaterThanOrEqual(2);
  }, 180_000);

  test('conversation inbound steps (one activity): welcome, out-of-office outside business hours and routing; a second message', async () => {
    const fx = await createLifecycleFixture(stack, {
      agents: 1,
      welcomeMessage: 'Hi {{contact.name}}, we will answer soon.',
      settings: {
        routing: { capacityPerAgent: 5 },
        businessHours: { enabled: true, timezone: 'UTC', intervals: {}, exceptions: {}, outOfOfficeMessage: 'We are closed, {{contact.name}}.' },
      },
    });
    const [agent] = fx.agents;
    await fx.login(agent);
    const s = await fx.inbound('record-steps', 'Hello, anyone there?', { name: 'Sam' });
    const handle = stack.temporal.workflow.getHandle(conversationWorkflowId(s.conversationId));
    await handled(handle, 1);
    await fx.inbound('record-steps', 'Still waiting');
    await handled(handle, 2);
    await sleep(500);
    expect(await save(stack.temporal, server.address, handle.workflowId, 'conversation.inbound-steps')).toBe(1);
  }, 120_000);

  test('conversation rules: a rule tags and resolves (its own change through the pass), a time-based rule on a timer', async () => {
    const fx = await createLifecycleFixture(stack, { agents: 1, settings: { csat: { enabled: true, delaySeconds: 3600 }, routing: { capacityPerAgent: 5 } } });
    const [agent] = fx.agents;
    await fx.login(agent);
    await insertRule(stack, {
      accountId: fx.admin.accountId,
      inboxId: fx.inboxId,
      name: 'Thanks closes',
      position: 0,
      trigger: { event: 'message_received' },
      conditions: { all: [{ attribute: 'message.content', operator: 'contains', value: 'solved' }] },
      actions: [{ type: 'add_tag', tag: 'solved' }, { type: 'set_status', status: 'resolved' }],
    });
    await insertRule(stack, { accountId: fx.admin.accountId, inboxId: fx.inboxId, name: 'Idle 2 s', position: 1, trigger: { event: 'conversation_idle', minutes: 2 / 60 }, actions: [{ type: 'add_tag', tag: 'idle' }] });
    const r = await fx.inbound('record-rules', 'Where is my parcel?', { name: 'Rita' });
    const handle = stack.temporal.workflow.getHandle(conversationWorkflowId(r.conversationId));
    await handled(handle, 1);
    // The idle timer fires (2 s), then the customer's "solved" makes the first rule resolve it.
    await eventually(async () => ((await fx.decisions(r.conversationId)).some((d) => d.kind === 'automation' && d.summary.includes('Idle 2 s')) ? true : undefined), 15_000, 'idle rule fired');
    await fx.inbound('record-rules', 'Arrived, solved, thanks');
    await eventually(async () => ((await fx.conversation(r.conversationId)).status === 'resolved' ? true : undefined), 15_000, 'resolved by the rule');
    await eventually(async () => ((await fx.decisions(r.conversationId)).some((d) => d.kind === 'csat_scheduled') ? true : undefined), 15_000, 'survey scheduled');
    await sleep(500);
    expect(await save(stack.temporal, server.address, handle.workflowId, 'conversation.rules-own-change-timer')).toBeGreaterThanOrEqual(1);
  }, 120_000);

  test('conversation rules, compact history: a rule that fires and two that do not, their values once per pass (AUTOMATION_COMPACT_HISTORY_PATCH)', async () => {
    const fx = await createLifecycleFixture(stack, { agents: 1, settings: { routing: { capacityPerAgent: 5 } } });
    const [agent] = fx.agents;
    await fx.login(agent);
    const rule = (name: string, position: number, value: string) =>
      insertRule(stack, {
        accountId: fx.admin.accountId,
        inboxId: fx.inboxId,
        name,
        position,
        trigger: { event: 'message_received' },
        conditions: { all: [{ attribute: 'message.content', operator: 'contains', value }, { any: [{ attribute: 'contact.vip', operator: 'equals', value: false }] }] },
        actions: [{ type: 'add_tag', tag: value }],
      });
    await rule('Refunds', 0, 'refund');
    await rule('Invoices', 1, 'invoice');
    await rule('Parcels', 2, 'parcel');
    await insertRule(stack, { accountId: fx.admin.accountId, inboxId: fx.inboxId, name: 'Idle 2 s', position: 3, trigger: { event: 'conversation_idle', minutes: 2 / 60 }, actions: [{ type: 'add_tag', tag: 'idle' }] });
    const r = await fx.inbound('record-compact', 'Where is my parcel?', { name: 'Paula' });
    const handle = stack.temporal.workflow.getHandle(conversationWorkflowId(r.conversationId));
    await handled(handle, 1);
    await eventually(async () => ((await fx.decisions(r.conversationId)).some((d) => d.kind === 'automation' && d.summary.includes('Idle 2 s')) ? true : undefined), 15_000, 'idle rule fired');
    await fx.inbound('record-compact', 'A refund then, please');
    await handled(handle, 2);
    await sleep(1000);
    expect(await save(stack.temporal, server.address, handle.workflowId, 'conversation.rules-compact-history')).toBeGreaterThanOrEqual(1);
  }, 120_000);

  test('conversation shape 1: a fresh run with one patch marker (CONVERSATION_SHAPE_PATCH); welcome, routing, a rule that fires, a time-based rule, a second message', async () => {
    const fx = await createLifecycleFixture(stack, { agents: 1, welcomeMessage: 'Hi {{contact.name}}!', settings: { routing: { capacityPerAgent: 5 } } });
    const [agent] = fx.agents;
    await fx.login(agent);
    await insertRule(stack, {
      accountId: fx.admin.accountId,
      inboxId: fx.inboxId,
      name: 'Refunds',
      position: 0,
      trigger: { event: 'message_received' },
      conditions: { all: [{ attribute: 'message.content', operator: 'contains', value: 'refund' }] },
      actions: [{ type: 'add_tag', tag: 'refund' }],
    });
    await insertRule(stack, { accountId: fx.admin.accountId, inboxId: fx.inboxId, name: 'Idle 2 s', position: 1, trigger: { event: 'conversation_idle', minutes: 2 / 60 }, actions: [{ type: 'add_tag', tag: 'idle' }] });
    const r = await fx.inbound('record-shape', 'Where is my parcel?', { name: 'Sina' });
    const handle = stack.temporal.workflow.getHandle(conversationWorkflowId(r.conversationId));
    await handled(handle, 1);
    await eventually(async () => ((await fx.decisions(r.conversationId)).some((d) => d.kind === 'automation' && d.summary.includes('Idle 2 s')) ? true : undefined), 15_000, 'idle rule fired');
    await fx.inbound('record-shape', 'A refund then, please');
    await handled(handle, 2);
    await sleep(1000);
    expect(await save(stack.temporal, server.address, handle.workflowId, 'conversation.shape-1')).toBeGreaterThanOrEqual(1);
  }, 120_000);

  test('agent presence: login, logout with the grace timer running out, a login inside the grace, a lost session; continue-as-new', async () => {
    const fx = await createLifecycleFixture(stack, { agents: 2, settings: { autoUnassign: { enabled: true, graceSeconds: 1 }, routing: { capacityPerAgent: 5 } } });
    const [a, b] = fx.agents;
    await fx.login(a);
    await fx.login(b);
    const conv = await fx.inbound('presence-1', 'hello');
    const handle = stack.temporal.workflow.getHandle(agentPresenceWorkflowId(a.userId));
    await eventually(async () => ((await fx.conversation(conv.conversationId)).assigneeId ? true : undefined), 15_000, 'assigned');
    // Logout: after the 1 s grace the conversation (still new) is unassigned.
    await fx.logout(a);
    await eventually(async () => ((await handle.query(agentPresenceStateQuery)).unassignedInboxes.length ? true : undefined), 15_000, 'grace ran out');
    // Back and away again within the grace: nothing unassigned.
    await fx.login(a);
    await fx.logout(a);
    await sleep(200);
    await fx.login(a);
    // Session lost: no heartbeat for 2 s.
    await eventually(async () => ((await handle.query(agentPresenceStateQuery)).offlineReason === 'session_lost' ? true : undefined), 15_000, 'session lost');
    // Many changes: continue-as-new.
    for (let i = 0; i < 12; i++) {
      await fx.login(a);
      await fx.logout(a);
    }
    await sleep(1500);
    await save(stack.temporal, server.address, handle.workflowId, 'agent-presence.grace-login-session-lost');
  }, 120_000);

  test('campaign: a scheduled start, a rate limit, pause and resume, pages and continue-as-new, completion', async () => {
    const admin = await signUp(stack, 'Record campaigns');
    const asAdmin = <T>(method: string, p: string, body?: unknown) => http<T>(stack, method, p, body, admin.token);
    const inbox = await asAdmin<{ id: string }>('POST', '/api/v1/inboxes', { name: 'Announcements', channelType: 'api' });
    const batch = `rec-${randomUUID().slice(0, 8)}`;
    for (let i = 0; i < 35; i++) {
      const res = await asAdmin('POST', `/api/v1/inboxes/${inbox.body.id}/inbound-messages`, { contact: { sourceId: `${batch}-${i}`, name: `Person ${i}` }, content: 'hi' });
      expect(res.status).toBe(201);
    }
    const contacts = await asAdmin<{ items: { id: string }[] }>('GET', `/api/v1/contacts?limit=100`);
    await Promise.all(contacts.body.items.map((c) => asAdmin('PATCH', `/api/v1/contacts/${c.id}`, { tags: [batch] })));
    const created = await asAdmin<{ id: string }>('POST', '/api/v1/campaigns', {
      name: 'Recorded',
      type: 'notification',
      inboxId: inbox.body.id,
      audience: { tags: [batch] },
      template: 'Hi {{contact.name}}, news for you.',
      rateLimitPerSecond: 10,
      scheduledAt: new Date(Date.now() + 2000).toISOString(),
    });
    expect(created.status).toBe(201);
    expect((await asAdmin('POST', `/api/v1/campaigns/${created.body.id}/start`)).status).toBe(200);
    const progress = () => asAdmin<{ status: string; sent: number }>('GET', `/api/v1/campaigns/${created.body.id}/progress`);
    await eventually(async () => ((await progress()).body.sent >= 5 ? true : undefined), 20_000, 'first sends');
    expect((await asAdmin('POST', `/api/v1/campaigns/${created.body.id}/pause`)).status).toBe(200);
    await sleep(1500);
    expect((await asAdmin('POST', `/api/v1/campaigns/${created.body.id}/resume`)).status).toBe(200);
    await eventually(async () => ((await progress()).body.status === 'completed' ? true : undefined), 60_000, 'completed');
    expect(await save(stack.temporal, server.address, campaignRunWorkflowId(created.body.id), 'campaign-run.scheduled-paused-paged')).toBeGreaterThanOrEqual(2);
  }, 120_000);

  test('mailbox: sessions one after another, mail fetched, continue-as-new', async () => {
    let dovecot: Dovecot | undefined;
    let smtp: SmtpReceiver | undefined;
    try {
      dovecot = await startDovecot();
      smtp = await startSmtpReceiver();
      const admin = await signUp(stack, 'Record mail');
      const asAdmin = <T>(method: string, p: string, body?: unknown) => http<T>(stack, method, p, body, admin.token);
      const inbox = await asAdmin<{ id: string }>('POST', '/api/v1/inboxes', { name: 'Mail', channelType: 'email' });
      const channel = {
        address: 'support@record.test',
        imapHost: '127.0.0.1',
        imapPort: dovecot.port,
        imapSecure: false,
        imapUser: 'support',
        imapPassword: dovecot.password,
        smtpHost: '127.0.0.1',
        smtpPort: smtp.port,
        smtpSecure: false,
        smtpUser: smtp.user,
        smtpPassword: smtp.password,
        enabled: true,
      };
      expect((await asAdmin('PUT', `/api/v1/inboxes/${inbox.body.id}/email-channel`, channel)).status).toBe(200);
      const client = new ImapFlow({ host: dovecot.host, port: dovecot.port, secure: false, doSTARTTLS: false, auth: { user: 'support', pass: dovecot.password }, logger: false });
      await client.connect();
      for (let i = 0; i < 2; i++) {
        await client.append('INBOX', `From: c${i}@customer.test\r\nTo: support@record.test\r\nSubject: Hi ${i}\r\nMessage-ID: <rec-${randomUUID()}@customer.test>\r\n\r\nHello ${i}\r\n`);
      }
      await client.logout();
      const handle = stack.temporal.workflow.getHandle(mailboxWorkflowId(inbox.body.id));
      // Five-second sessions: the server suggests continue-as-new after 40 events (~7 sessions).
      await eventually(async () => ((await handle.query(mailboxStateQuery)).sessions >= 8 ? true : undefined), 90_000, 'eight sessions');
      expect((await handle.query(mailboxStateQuery)).stored).toBe(2);
      expect((await asAdmin('PUT', `/api/v1/inboxes/${inbox.body.id}/email-channel`, { ...channel, enabled: false })).status).toBe(200);
      await sleep(500);
      expect(await save(stack.temporal, server.address, handle.workflowId, 'mailbox.sessions-continue-as-new')).toBeGreaterThanOrEqual(2);
    } finally {
      await smtp?.close();
      await dovecot?.stop();
    }
  }, 120_000);

  test('webhook endpoint: failed attempts retried on timers, rounds woken by new events, continue-as-new, disabled by a 410', async () => {
    const receiver = await startWebhookReceiver();
    try {
      const admin = await signUp(stack, 'Record webhooks');
      const asAdmin = <T>(method: string, p: string, body?: unknown) => http<T>(stack, method, p, body, admin.token);
      let gone = false;
      // The first three attempts fail (500): the retry schedule's timers; then 2xx until told to answer 410.
      receiver.answer = (_req, countOnPath) => (gone ? { status: 410 } : countOnPath < 3 ? { status: 500 } : { status: 204 });
      const endpoint = await asAdmin<{ id: string }>('POST', '/api/v1/webhook-endpoints', { url: `${receiver.url}/record`, eventTypes: ['contact.created'] });
      expect(endpoint.status).toBe(201);
      // One event at a time, each waking the idle workflow: enough rounds for the server's continue-as-new suggestion (40 events).
      for (let i = 0; i < 16; i++) {
        expect((await asAdmin('POST', '/api/v1/contacts', { name: `Hooked ${i}` })).status).toBe(201);
        await eventually(async () => (receiver.received.length >= i + 4 ? true : undefined), 15_000, `event ${i} delivered`);
      }
      gone = true;
      expect((await asAdmin('POST', '/api/v1/contacts', { name: 'The last one' })).status).toBe(201);
      const handle = stack.temporal.workflow.getHandle(webhookEndpointWorkflowId(endpoint.body.id));
      expect(await handle.result()).toEqual({ stopped: 'disabled' });
      expect(await save(stack.temporal, server.address, handle.workflowId, 'webhook-endpoint.retries-woken-disabled')).toBeGreaterThanOrEqual(2);
    } finally {
      await receiver.close();
    }
  }, 120_000);
});
