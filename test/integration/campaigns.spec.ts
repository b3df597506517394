/**
 * Campaigns on the real stack: PostgreSQL, Temporal, the API in this process and the worker (both its
 * task queues) in a child process that is SIGKILLed mid-run; SMS goes out through the official `twilio`
 * client to a local fake of the Twilio REST API that records every call (test/support/fake-twilio.ts).
 * Each campaign sends a body with its own marker, so calls are counted per campaign and per recipient.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { Client } from 'pg';
import twilio from 'twilio';
import { startFakeTwilio, type FakeTwilio } from '../support/fake-twilio';
import { eventually, http, signUp, startTestStack, type TestStack } from '../support/test-stack';
import { spawnWorkerProcess, type WorkerProcess } from '../support/worker-process';
import { campaignRunWorkflowId } from '../../workflows/contracts/campaign.contract';

const PUBLIC_URL = 'https://cx.example.test';
const ACCOUNT_SID = `AC${randomBytes(16).toString('hex')}`;
const AUTH_TOKEN = randomBytes(16).toString('hex');
const FROM_NUMBER = '+15005550006';

interface CampaignView {
  id: string;
  inboxId: string;
  status: string;
  statusReason: string | null;
  audienceCount: number;
  template: string;
  startedAt: string | null;
}
interface Progress {
  status: string;
  total: number;
  sent: number;
  delivered: number;
  undelivered: number;
  failed: number;
  skipped: number;
  optedOut: number;
  sending: number;
  deferred: number;
  nextDeferredSendAt: string | null;
  remaining: number;
  rate: number;
  etaSeconds: number | null;
  workflow: { phase: string; counters: Record<string, number> } | null;
}
interface ErrorBody {
  message: string;
  details?: { field: string; problem: string }[];
}

let stack: TestStack;
let fake: FakeTwilio;
let db: Client;
let worker: WorkerProcess;
let admin: Awaited<ReturnType<typeof signUp>>;
let accountId: string;
let inboxId: string;
let numberBase = 1_000_000 + Math.floor(Math.random() * 1_000_000);

const asAdmin = <T>(method: string, path: string, body?: unknown) => http<T>(stack, method, path, body, admin.token);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** `n` SMS contacts (phone and sms identity) tagged with the attribute batch=<batch>; ids in id order. */
async function makeContacts(n: number, batch: string, extra: Record<string, string> = {}): Promise<{ id: string; phone: string }[]> {
  const contacts = Array.from({ length: n }, (_v, i) => ({ id: randomUUID(), phone: `+1555${String(numberBase + i).padStart(7, '0')}`, name: `Person ${i}` }));
  numberBase += n;
  for (let i = 0; i < contacts.length; i += 1000) {
    const chunk = contacts.slice(i, i + 1000);
    await db.query(
      `insert into contacts (id, account_id, name, phone, attributes) select u.id, $1, u.name, u.phone, jsonb_build_object('batch', $2::text) || $6::jsonb
         from unnest($3::uuid[], $4::text[], $5::text[]) as u(id, name, phone)`,
      [accountId, batch, chunk.map((c) => c.id), chunk.map((c) => c.name), chunk.map((c) => c.phone), JSON.stringify(extra)],
    );
    await db.query(
      `insert into contact_identities (id, account_id, contact_id, channel_type, address) select gen_random_uuid(), $1, u.id, 'sms', u.phone from unnest($2::uuid[], $3::text[]) as u(id, phone)`,
      [accountId, chunk.map((c) => c.id), chunk.map((c) => c.phone)],
    );
  }
  return contacts.sort((a, b) => (a.id < b.id ? -1 : 1)).map(({ id, phone }) => ({ id, phone }));
}

async function createCampaign(batch: string, extra: Record<string, unknown> = {}): Promise<CampaignView> {
  const res = await asAdmin<CampaignView>('POST', '/api/v1/campaigns', {
    name: `Campaign ${batch}`,
    type: 'promotional',
    inboxId,
    audience: { attributes: { batch } },
    template: `[${batch}] Hi {{contact.name}}, our sale starts today.`,
    ...extra,
  });
  if (res.status !== 201) throw new Error(`campaign creation failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

/** The fake's calls carrying this campaign's marker, counted by To number. */
function callsByNumber(batch: string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const r of fake.requests) {
    if (r.method === 'POST' && r.form.Body?.startsWith(`[${batch}]`)) counts.set(r.form.To, (counts.get(r.form.To) ?? 0) + 1);
  }
  return counts;
}
const callCount = (batch: string) => [...callsByNumber(batch).values()].reduce((a, b) => a + b, 0);

const progress = async (id: string) => {
  const res = await asAdmin<Progress>('GET', `/api/v1/campaigns/${id}/progress`);
  expect(res.status).toBe(200);
  return res.body;
};
const waitForStatus = (id: string, status: string, timeoutMs = 60_000) =>
  eventually(async () => ((await progress(id)).status === status ? true : undefined), timeoutMs, `campaign ${id} ${status}`);

/** A signed inbound SMS webhook, as Twilio sends it. */
async function inboundSms(from: string, body: string): Promise<number> {
  const path = `/webhooks/twilio/sms/${inboxId}`;
  const sid = `SM${randomBytes(16).toString('hex')}`;
  const params = { MessageSid: sid, SmsSid: sid, AccountSid: ACCOUNT_SID, From: from, To: FROM_NUMBER, Body: body, NumMedia: '0' };
  const res = await fetch(stack.baseUrl + path, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': twilio.getExpectedTwilioSignature(AUTH_TOKEN, PUBLIC_URL + path, params) },
    body: new URLSearchParams(params).toString(),
  });
  await res.text();
  return res.status;
}

function startWorker(): Promise<void> {
  worker = spawnWorkerProcess(stack.config);
  return worker.ready;
}

beforeAll(async () => {
  fake = await startFakeTwilio();
  // Small pages and short runs: the 2,000-recipient run pages 14 times and continues as new several times.
  stack = await startTestStack({
    worker: false,
    env: { TWILIO_API_BASE_URL: fake.baseUrl, PUBLIC_URL, LOG_LEVEL: 'error', CAMPAIGN_PAGE_SIZE: '150', CAMPAIGN_RUN_HISTORY_EVENTS: '40' },
  });
  db = new Client({ connectionString: stack.config.database.url });
  await db.connect();
  admin = await signUp(stack, 'Campaign Co');
  accountId = admin.accountId;
  const inbox = await asAdmin<{ id: string }>('POST', '/api/v1/inboxes', { name: 'Promotions', channelType: 'sms' });
  expect(inbox.status).toBe(201);
  inboxId = inbox.body.id;
  const put = await asAdmin('PUT', `/api/v1/inboxes/${inboxId}/sms-channel`, { accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN, fromNumber: FROM_NUMBER });
  expect(put.status).toBe(200);
  await startWorker();
}, 120_000);

afterAll(async () => {
  await worker?.kill('SIGKILL');
  await db?.end();
  await stack?.close();
  await fake?.close();
});

test('2,000 recipients with the worker SIGKILLed mid-run: exactly one provider call per eligible recipient, opted-out contacts skipped', async () => {
  const contacts = await makeContacts(2000, 'kill');
  const optedOut = contacts.filter((_c, i) => i % 40 === 7); // 50 contacts, spread over the pages
  await db.query(`insert into contact_opt_outs (id, contact_id, channel_type, source) select gen_random_uuid(), unnest($1::uuid[]), 'sms', 'manual:test'`, [optedOut.map((c) => c.id)]);

  const campaign = await createCampaign('kill', { rateLimitPerSecond: 200 });
  expect(campaign.audienceCount).toBe(2000);
  const preview = await asAdmin<{ count: number; optedOut: number }>('POST', `/api/v1/campaigns/${campaign.id}/audience-preview`);
  expect(preview).toEqual({ status: 200, body: { count: 2000, optedOut: 50 } });
  expect((await asAdmin('POST', `/api/v1/campaigns/${campaign.id}/start`)).status).toBe(200);

  // Kill in the middle of a wave, after a few hundred were sent: some recipients are claimed and
  // unanswered then (their calls may or may not have reached the provider).
  let sentAtKill = 0;
  let sendingAtKill = 0;
  for (const deadline = Date.now() + 60_000; Date.now() < deadline; ) {
    const [{ sending, done }] = (
      await db.query<{ sending: string; done: string }>(
        `select count(*) filter (where status = 'sending') as sending, count(*) filter (where status <> 'sending') as done from campaign_recipients where campaign_id = $1`,
        [campaign.id],
      )
    ).rows;
    if (Number(done) >= 400 && Number(sending) > 0) {
      await worker.kill('SIGKILL');
      sentAtKill = callCount('kill');
      sendingAtKill = Number(sending);
      break;
    }
    await sleep(3);
  }
  const killedAt = Date.now();
  expect(worker.exited).toBe(true);
  expect(sentAtKill).toBeGreaterThanOrEqual(380);
  expect(sentAtKill).toBeLessThan(1800);
  await sleep(1500);
  expect(callCount('kill')).toBe(sentAtKill); // nothing is sent while no worker runs

  await startWorker();
  await waitForStatus(campaign.id, 'completed', 90_000);

  const calls = callsByNumber('kill');
  const optedOutPhones = new Set(optedOut.map((c) => c.phone));
  const eligible = contacts.filter((c) => !optedOutPhones.has(c.phone));
  expect(eligible.filter((c) => calls.get(c.phone) !== 1)).toEqual([]);
  expect(optedOut.filter((c) => calls.has(c.phone))).toEqual([]);
  expect(callCount('kill')).toBe(1950);

  const final = await progress(campaign.id);
  expect(final).toMatchObject({ status: 'completed', total: 2000, sent: 1950, failed: 0, skipped: 0, optedOut: 50, sending: 0, remaining: 0 });
  expect(final.workflow?.counters).toEqual({ sent: 1950, failed: 0, skipped: 0, optedOut: 50, deferred: 0 });
  // Each sent recipient has its message in its conversation in the sending inbox, with Twilio's SID.
  const [{ n }] = (
    await db.query<{ n: string }>(
      `select count(*) as n from campaign_recipients r join messages m on m.id = r.message_id join conversations c on c.id = m.conversation_id
        where r.campaign_id = $1 and r.status = 'sent' and m.direction = 'outbound' and m.provider_message_id like 'SM%' and c.inbox_id = $2`,
      [campaign.id, inboxId],
    )
  ).rows;
  expect(Number(n)).toBe(1950);
  // It paged and continued as new across the kill: several runs of one workflow id.
  const runs = await eventually(
    async () => {
      let n = 0;
      for await (const _run of stack.temporal.workflow.list({ query: `WorkflowId = '${campaignRunWorkflowId(campaign.id)}'` })) n += 1;
      return n >= 3 ? n : undefined;
    },
    10_000,
    'the runs of the campaign workflow',
  );
  const lookups = fake.requests.filter((r) => r.method === 'GET' && r.at >= killedAt).length;
  console.log(JSON.stringify({ exactlyOnce: { recipients: 2000, eligible: eligible.length, providerCalls: callCount('kill'), sentBeforeKill: sentAtKill, claimedUnansweredAtKill: sendingAtKill, providerLookupsAfterRestart: lookups, workflowRuns: runs } }));
}, 150_000);

test('worker SIGKILLed during a provider call that Twilio accepted: found in Twilio\'s message log after the restart, not sent again', async () => {
  const contacts = await makeContacts(40, 'stall');
  fake.stallNext(1, '[stall]'); // the campaign's first call is accepted and never answered
  // At 40/s a wave holds the 10 recipients due within 250 ms: the other 9 of the first wave are
  // answered and written while the stalled call hangs (the client's timeout is 15 s).
  const campaign = await createCampaign('stall', { rateLimitPerSecond: 40 });
  expect((await asAdmin('POST', `/api/v1/campaigns/${campaign.id}/start`)).status).toBe(200);
  const stalled = await eventually(async () => fake.stalled.find((s) => s.form.Body?.startsWith('[stall]')), 20_000, 'the stalled call');
  await eventually(
    async () => {
      const { rows } = await db.query<{ n: string }>(`select count(*) as n from campaign_recipients where campaign_id = $1 and status = 'sent'`, [campaign.id]);
      return Number(rows[0].n) === 9 ? true : undefined;
    },
    10_000,
    'the rest of the first wave',
  );
  expect(callCount('stall')).toBe(10);
  const killedAt = Date.now();
  await worker.kill('SIGKILL');
  const [row] = (
    await db.query<{ status: string; delivery_status: string; provider_message_id: string | null }>(
      `select r.status, m.delivery_status, m.provider_message_id from campaign_recipients r join messages m on m.idempotency_key = 'campaign-recipient:' || r.id
        where r.campaign_id = $1 and r.contact_id = (select id from contacts where phone = $2 and account_id = $3)`,
      [campaign.id, stalled.form.To, accountId],
    )
  ).rows;
  expect(row).toEqual({ status: 'sending', delivery_status: 'queued', provider_message_id: null }); // in doubt

  await startWorker();
  await waitForStatus(campaign.id, 'completed', 60_000);
  const calls = callsByNumber('stall');
  expect(contacts.filter((c) => calls.get(c.phone) !== 1)).toEqual([]);
  // The retried batch asked Twilio's log for the in-doubt number and took the SID it found there.
  expect(fake.requests.filter((r) => r.method === 'GET' && r.at >= killedAt && r.form.To === stalled.form.To && r.form.From === FROM_NUMBER)).toHaveLength(1);
  const [after] = (
    await db.query<{ status: string; delivery_status: string; provider_message_id: string | null }>(
      `select r.status, m.delivery_status, m.provider_message_id from campaign_recipients r join messages m on m.id = r.message_id
        where r.campaign_id = $1 and r.contact_id = (select id from contacts where phone = $2 and account_id = $3)`,
      [campaign.id, stalled.form.To, accountId],
    )
  ).rows;
  expect(after).toEqual({ status: 'sent', delivery_status: 'sent', provider_message_id: stalled.sid });
  expect(await progress(campaign.id)).toMatchObject({ status: 'completed', total: 40, sent: 40, failed: 0, sending: 0 });
}, 90_000);

test('an interrupted send whose text matches an earlier message to the same number is not taken for it: sent after the lookup', async () => {
  const [contact] = await makeContacts(1, 'dupe');
  const first = await createCampaign('dupe');
  expect((await asAdmin('POST', `/api/v1/campaigns/${first.id}/start`)).status).toBe(200);
  await waitForStatus(first.id, 'completed', 20_000);
  // The same text again: Twilio answers the first try with a 503 (it never created the message), the
  // batch is retried, the message is in doubt and looked up: the log holds the first campaign's
  // message with the same body, but its SID is that message's.
  const second = await createCampaign('dupe');
  fake.answerNext({ status: 503, code: 20500, message: 'Service unavailable' });
  expect((await asAdmin('POST', `/api/v1/campaigns/${second.id}/start`)).status).toBe(200);
  await waitForStatus(second.id, 'completed', 30_000);
  const posts = fake.requests.filter((r) => r.method === 'POST' && r.form.To === contact.phone);
  expect(posts.map((r) => (r.sid ? 'created' : 'refused'))).toEqual(['created', 'refused', 'created']);
  expect(fake.requests.filter((r) => r.method === 'GET' && r.form.To === contact.phone)).toHaveLength(1);
  const { rows } = await db.query<{ campaign_id: string; status: string; provider_message_id: string }>(
    `select r.campaign_id, r.status, m.provider_message_id from campaign_recipients r join messages m on m.id = r.message_id where r.contact_id = $1 order by r.created_at`,
    [contact.id],
  );
  expect(rows).toEqual([
    { campaign_id: first.id, status: 'sent', provider_message_id: posts[0].sid },
    { campaign_id: second.id, status: 'sent', provider_message_id: posts[2].sid },
  ]);
}, 60_000);

test('20/s is held within ±10%; a contact replying STOP mid-run gets nothing afterwards; replies thread into the campaign conversation', async () => {
  const contacts = await makeContacts(200, 'rate');
  const stopper = contacts[contacts.length - 1]; // last in id order: reached last
  const replier = contacts[0];
  const campaign = await createCampaign('rate', { rateLimitPerSecond: 20 });
  expect((await asAdmin('POST', `/api/v1/campaigns/${campaign.id}/start`)).status).toBe(200);

  // Measure from the steady state (two seconds in), not the start-up.
  await eventually(async () => (callCount('rate') >= 40 ? true : undefined), 20_000, 'the first sends');
  expect(await inboundSms(stopper.phone, 'STOP')).toBe(200);
  expect((await db.query(`select 1 from contact_opt_outs where contact_id = $1 and channel_type = 'sms'`, [stopper.id])).rowCount).toBe(1);

  const t0 = Date.now();
  const c0 = callCount('rate');
  await sleep(5000);
  const c1 = callCount('rate');
  const rate = (c1 - c0) / ((Date.now() - t0) / 1000);
  console.log(JSON.stringify({ rateLimit: 20, measuredPerSecond: Math.round(rate * 100) / 100, window: '5 s' }));
  expect(rate).toBeGreaterThanOrEqual(18);
  expect(rate).toBeLessThanOrEqual(22);

  const mid = await progress(campaign.id);
  expect(mid.status).toBe('running');
  expect(mid.remaining).toBeGreaterThan(0);
  expect(mid.etaSeconds).toBeGreaterThan(0);
  expect(mid.workflow?.phase).toBe('sending');

  // The first recipient answers: the reply lands in the conversation that holds the campaign message.
  expect(await inboundSms(replier.phone, 'Is the sale online too?')).toBe(200);
  const threaded = await db.query<{ campaign_conv: string; reply_conv: string; status: string }>(
    `select m.conversation_id as campaign_conv, (select conversation_id from messages where direction = 'inbound' and content = 'Is the sale online too?' and conversation_id = m.conversation_id) as reply_conv, c.status
       from campaign_recipients r join messages m on m.id = r.message_id join conversations c on c.id = m.conversation_id where r.campaign_id = $1 and r.contact_id = $2`,
    [campaign.id, replier.id],
  );
  expect(threaded.rows[0].reply_conv).toBe(threaded.rows[0].campaign_conv);
  expect(threaded.rows[0].status).toBe('new');

  await waitForStatus(campaign.id, 'completed', 30_000);
  const calls = callsByNumber('rate');
  expect(calls.has(stopper.phone)).toBe(false);
  expect(contacts.filter((c) => c !== stopper && calls.get(c.phone) !== 1)).toEqual([]);
  expect(await progress(campaign.id)).toMatchObject({ status: 'completed', sent: 199, optedOut: 1, remaining: 0 });
}, 60_000);

test('pause holds sending, resume continues where it stopped', async () => {
  const contacts = await makeContacts(150, 'pause');
  const campaign = await createCampaign('pause', { rateLimitPerSecond: 50 });
  expect((await asAdmin('POST', `/api/v1/campaigns/${campaign.id}/start`)).status).toBe(200);
  await eventually(async () => (callCount('pause') >= 30 ? true : undefined), 20_000, 'some sends');

  const paused = await asAdmin<CampaignView>('POST', `/api/v1/campaigns/${campaign.id}/pause`);
  expect(paused.status).toBe(200);
  expect(paused.body.status).toBe('paused');
  await sleep(1500); // the round in flight (at most a second of paced sends) finishes
  const held = callCount('pause');
  await sleep(2000);
  expect(callCount('pause')).toBe(held);
  expect(held).toBeLessThan(150);
  const during = await progress(campaign.id);
  expect(during).toMatchObject({ status: 'paused', sent: held, remaining: 150 - held });
  expect(during.workflow?.phase).toBe('paused');

  const frozen = await asAdmin<ErrorBody>('PATCH', `/api/v1/campaigns/${campaign.id}`, { template: 'changed' });
  expect(frozen.status).toBe(409);
  expect(frozen.body.details).toEqual([{ field: 'template', problem: 'frozen while the campaign is paused' }]);

  const resumed = await asAdmin<CampaignView>('POST', `/api/v1/campaigns/${campaign.id}/resume`);
  expect(resumed.status).toBe(200);
  expect(resumed.body.status).toBe('running');
  await waitForStatus(campaign.id, 'completed', 30_000);
  const calls = callsByNumber('pause');
  expect(contacts.filter((c) => calls.get(c.phone) !== 1)).toEqual([]);
  expect(await progress(campaign.id)).toMatchObject({ status: 'completed', sent: 150, remaining: 0 });
}, 60_000);

test("Twilio's delivery receipts for campaign messages: progress counts delivered and undelivered, the reason is on the message", async () => {
  const contacts = await makeContacts(4, 'receipts');
  const campaign = await createCampaign('receipts');
  expect((await asAdmin('POST', `/api/v1/campaigns/${campaign.id}/start`)).status).toBe(200);
  await waitForStatus(campaign.id, 'completed', 20_000);
  const created = fake.requests.filter((r) => r.method === 'POST' && r.form.Body?.startsWith('[receipts]'));
  expect(created).toHaveLength(4);
  // Each message carried its own StatusCallback URL; Twilio calls it, signed, as the message progresses.
  const receipt = async (to: string, status: string, extra: Record<string, string> = {}) => {
    const call = created.find((c) => c.form.To === to)!;
    const url = new URL(call.form.StatusCallback);
    expect(url.origin).toBe(PUBLIC_URL);
    const params = { MessageSid: call.sid!, MessageStatus: status, AccountSid: ACCOUNT_SID, To: to, From: FROM_NUMBER, ...extra };
    const res = await fetch(stack.baseUrl + url.pathname + url.search, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': twilio.getExpectedTwilioSignature(AUTH_TOKEN, call.form.StatusCallback, params) },
      body: new URLSearchParams(params).toString(),
    });
    await res.text();
    expect(res.status).toBe(200);
  };
  await receipt(contacts[0].phone, 'delivered');
  await receipt(contacts[1].phone, 'sent');
  await receipt(contacts[1].phone, 'delivered');
  await receipt(contacts[2].phone, 'undelivered', { ErrorCode: '30003', ErrorMessage: 'Unreachable destination handset' });
  expect(await progress(campaign.id)).toMatchObject({ status: 'completed', total: 4, sent: 4, delivered: 2, undelivered: 1, failed: 0 });
  const { rows } = await db.query<{ delivery_status: string; error: string | null }>(
    `select m.delivery_status, m.error from campaign_recipients r join messages m on m.id = r.message_id where r.campaign_id = $1 and r.contact_id = $2`,
    [campaign.id, contacts[2].id],
  );
  expect(rows).toEqual([{ delivery_status: 'failed', error: expect.stringContaining('30003') }]);
});

test('cancel stops the run and reports what was sent', async () => {
  await makeContacts(300, 'cancel');
  const campaign = await createCampaign('cancel', { rateLimitPerSecond: 50 });
  expect((await asAdmin('POST', `/api/v1/campaigns/${campaign.id}/start`)).status).toBe(200);
  await eventually(async () => (callCount('cancel') >= 20 ? true : undefined), 20_000, 'some sends');
  expect((await asAdmin('POST', `/api/v1/campaigns/${campaign.id}/cancel`)).status).toBe(200);
  await waitForStatus(campaign.id, 'cancelled', 20_000);
  const sent = callCount('cancel');
  await sleep(1500);
  expect(callCount('cancel')).toBe(sent);
  expect(sent).toBeLessThan(300);
  const report = await progress(campaign.id);
  expect(report).toMatchObject({ status: 'cancelled', total: 300, sent, remaining: 300 - sent, sending: 0 });
  const view = await asAdmin<CampaignView>('GET', `/api/v1/campaigns/${campaign.id}`);
  expect(view.body.statusReason).toBe('cancelled by a manager');
  const again = await asAdmin<ErrorBody>('POST', `/api/v1/campaigns/${campaign.id}/pause`);
  expect(again.status).toBe(409);
  expect(again.body.details).toEqual([{ field: 'status', problem: 'is cancelled' }]);
}, 60_000);

test('a campaign scheduled a few seconds ahead waits through a worker restart, then starts on time', async () => {
  const contacts = await makeContacts(5, 'later');
  // Room for the new worker to start before the time: a worker process took up to 8 s from spawn to
  // polling under CI's load (the run cannot send before a worker polls; that start is not the timer's lateness).
  const at = Date.now() + 12_000;
  const campaign = await createCampaign('later', { scheduledAt: new Date(at).toISOString() });
  const started = await asAdmin<CampaignView>('POST', `/api/v1/campaigns/${campaign.id}/start`);
  expect(started.body.status).toBe('scheduled');
  await sleep(1500);
  expect((await progress(campaign.id)).workflow?.phase).toBe('waiting');
  // The worker dies while the run waits for its time and a new one comes up before it.
  await worker.kill('SIGKILL');
  await sleep(1500);
  const spawned = Date.now();
  await startWorker();
  const readyAt = Date.now();
  process.stdout.write(`[campaigns] new worker polling ${readyAt - spawned} ms after its spawn, ${at - readyAt} ms before the scheduled time\n`);
  // The premise: a worker polls when the run comes due (else this measures the worker's start).
  expect(readyAt).toBeLessThan(at);
  await eventually(async () => (callCount('later') === 5 ? true : undefined), 15_000, 'the scheduled sends');
  const firstAt = Math.min(...fake.requests.filter((r) => r.method === 'POST' && r.form.Body?.startsWith('[later]')).map((r) => r.at));
  expect(firstAt).toBeGreaterThanOrEqual(at);
  expect(firstAt - at).toBeLessThan(2500);
  await waitForStatus(campaign.id, 'completed');
  expect(contacts.every((c) => callsByNumber('later').get(c.phone) === 1)).toBe(true);
}, 45_000);

test('the company name prefix is used when the account setting is on', async () => {
  const settings = await asAdmin('PATCH', '/api/v1/account', { companyName: 'Acme', settings: { companyNameInsertion: true } });
  expect(settings.status).toBe(200);
  const [contact] = await makeContacts(1, 'prefix');
  const campaign = await createCampaign('prefix', { companyNamePrefix: true, template: '[prefix] hello {{contact.name}}' });
  await asAdmin('POST', `/api/v1/campaigns/${campaign.id}/start`);
  await waitForStatus(campaign.id, 'completed');
  const call = fake.requests.find((r) => r.form.To === contact.phone);
  expect(call?.form.Body).toBe('Acme: [prefix] hello Person 0');
}, 30_000);

test("quiet hours defer recipients inside their local window to its end; the others are sent", async () => {
  // Tokyo (UTC+9, no DST): a window from an hour ago to two hours ahead of Tokyo's wall clock.
  // São Paulo (UTC-3, no DST) is 12 h behind, and contacts without a zone use the inbox's (UTC): both outside.
  const tokyoNow = new Date(Date.now() + 9 * 3_600_000);
  const hhmm = (h: number) => `${String(((h % 24) + 24) % 24).padStart(2, '0')}:${String(tokyoNow.getUTCMinutes()).padStart(2, '0')}`;
  const quietHours = { start: hhmm(tokyoNow.getUTCHours() - 1), end: hhmm(tokyoNow.getUTCHours() + 2) };
  const tokyo = await makeContacts(3, 'quiet', { timezone: 'Asia/Tokyo' });
  const saoPaulo = await makeContacts(3, 'quiet', { timezone: 'America/Sao_Paulo' });
  const zoneless = await makeContacts(2, 'quiet');
  const campaign = await createCampaign('quiet', { quietHours });
  expect((await asAdmin('POST', `/api/v1/campaigns/${campaign.id}/start`)).status).toBe(200);

  const report = await eventually(async () => {
    const p = await progress(campaign.id);
    return p.sent === 5 && p.deferred === 3 && p.workflow?.phase === 'quiet-hours' ? p : undefined;
  }, 20_000, 'the sends outside quiet hours');
  // The window ends in two hours, Tokyo time (minute precision: the window was built from minutes).
  const expectedEnd = Math.floor((Date.now() + 2 * 3_600_000) / 60_000) * 60_000;
  expect(Math.abs(Date.parse(report.nextDeferredSendAt!) - expectedEnd)).toBeLessThanOrEqual(60_000);
  expect(report).toMatchObject({ status: 'running', total: 8, sent: 5, deferred: 3, remaining: 3 });
  const calls = callsByNumber('quiet');
  expect([...saoPaulo, ...zoneless].filter((c) => calls.get(c.phone) !== 1)).toEqual([]);
  expect(tokyo.filter((c) => calls.has(c.phone))).toEqual([]);
  const rows = await db.query<{ status: string; next_send_at: Date; error: string }>(`select status, next_send_at, error from campaign_recipients where campaign_id = $1 and contact_id = any($2::uuid[])`, [
    campaign.id,
    tokyo.map((c) => c.id),
  ]);
  expect(rows.rows.map((r) => [r.status, r.next_send_at.toISOString(), r.error])).toEqual(
    tokyo.map(() => ['deferred', report.nextDeferredSendAt, `quiet hours ${quietHours.start}-${quietHours.end} in Asia/Tokyo`]),
  );

  // Cancelled while they wait: the deferred recipients are never sent.
  expect((await asAdmin('POST', `/api/v1/campaigns/${campaign.id}/cancel`)).status).toBe(200);
  await waitForStatus(campaign.id, 'cancelled', 20_000);
  expect(tokyo.filter((c) => callsByNumber('quiet').has(c.phone))).toEqual([]);
  expect(await progress(campaign.id)).toMatchObject({ status: 'cancelled', sent: 5, deferred: 3, remaining: 3 });
}, 40_000);

test('deferred recipients are sent when their quiet window ends, then the run completes', async () => {
  // A window of a few seconds on Berlin's wall clock (HH:MM:SS); New York is 6 h behind: outside it.
  const local = (t: number, zone: string) =>
    new Intl.DateTimeFormat('en-GB', { timeZone: zone, hourCycle: 'h23', hour: '2-digit', minute: '2-digit', second: '2-digit' }).format(new Date(t));
  const windowEnd = Math.ceil((Date.now() + 5000) / 1000) * 1000;
  const quietHours = { start: local(Date.now() - 2000, 'Europe/Berlin'), end: local(windowEnd, 'Europe/Berlin') };
  const berlin = await makeContacts(3, 'morning', { timezone: 'Europe/Berlin' });
  const newYork = await makeContacts(2, 'morning', { timezone: 'America/New_York' });
  const campaign = await createCampaign('morning', { quietHours });
  expect(campaign).toMatchObject({ status: 'draft' });
  expect((await asAdmin('POST', `/api/v1/campaigns/${campaign.id}/start`)).status).toBe(200);

  const waiting = await eventually(async () => {
    const p = await progress(campaign.id);
    return p.sent === 2 && p.deferred === 3 ? p : undefined;
  }, 10_000, 'the New York sends and the Berlin deferrals');
  expect(Date.parse(waiting.nextDeferredSendAt!)).toBe(windowEnd);
  expect(berlin.filter((c) => callsByNumber('morning').has(c.phone))).toEqual([]);

  await waitForStatus(campaign.id, 'completed', 20_000);
  const calls = callsByNumber('morning');
  expect([...berlin, ...newYork].filter((c) => calls.get(c.phone) !== 1)).toEqual([]);
  const berlinPhones = new Set(berlin.map((c) => c.phone));
  const berlinCalls = fake.requests.filter((r) => r.method === 'POST' && r.form.Body?.startsWith('[morning]') && berlinPhones.has(r.form.To));
  // Not before the window's end, and soon after it (the run waits on a timer for it; the bound leaves room for a loaded CI machine).
  expect(berlinCalls.filter((r) => r.at < windowEnd)).toEqual([]);
  expect(Math.max(...berlinCalls.map((r) => r.at)) - windowEnd).toBeLessThan(5000);
  expect(await progress(campaign.id)).toMatchObject({ status: 'completed', total: 5, sent: 5, deferred: 0, remaining: 0, nextDeferredSendAt: null });
  const rows = await db.query<{ status: string; next_send_at: Date | null }>(`select status, next_send_at from campaign_recipients where campaign_id = $1`, [campaign.id]);
  expect(rows.rows).toEqual(Array.from({ length: 5 }, () => ({ status: 'sent', next_send_at: null })));
}, 40_000);

describe('validation', () => {
  const valid = () => ({ name: 'V', type: 'one_off', inboxId, audience: {}, template: 'Hello' });

  test.each([
    ['an unknown variable', { template: 'Hi {{contact.shoe_size}}' }, 'template', 'unknown variable {{contact.shoe_size}} (GET /api/v1/variables lists the known ones)'],
    ['a rate limit of 0', { rateLimitPerSecond: 0 }, 'rateLimitPerSecond', 'rateLimitPerSecond must not be less than 1'],
    ['an unknown type', { type: 'spam' }, 'type', 'type must be one of the following values: one_off, promotional, notification'],
    ['a schedule in the past', { scheduledAt: '2020-01-01T00:00:00Z' }, 'scheduledAt', 'is in the past (leave it out to send when started)'],
    ['an unknown contact', { audience: { contactIds: [randomUUID()] } }, 'audience.contactIds', '1 of the contacts do not exist in this account'],
    ['an empty template', { template: '' }, 'template', 'template should not be empty'],
    ['quiet hours that are not a time', { quietHours: { start: '25:00', end: '08:00' } }, 'quietHours.start', 'must be a time HH:MM or HH:MM:SS (00:00-23:59:59)'],
    ['an empty quiet window', { quietHours: { start: '08:00', end: '08:00:00' } }, 'quietHours.end', 'must differ from quietHours.start'],
  ])('%s → 400 naming the field', async (_name, patch, field, problem) => {
    const res = await asAdmin<ErrorBody>('POST', '/api/v1/campaigns', { ...valid(), ...patch });
    expect(res.status).toBe(400);
    expect(res.body.details).toEqual([{ field, problem }]);
  });

  test('drafts are editable; the edited template is checked too', async () => {
    const created = await asAdmin<CampaignView>('POST', '/api/v1/campaigns', valid());
    expect(created.status).toBe(201);
    expect(created.body.status).toBe('draft');
    const edited = await asAdmin<CampaignView>('PATCH', `/api/v1/campaigns/${created.body.id}`, { template: 'Hello {{contact.first_name}}' });
    expect(edited.status).toBe(200);
    expect(edited.body.template).toBe('Hello {{contact.first_name}}');
    const bad = await asAdmin<ErrorBody>('PATCH', `/api/v1/campaigns/${created.body.id}`, { template: '{{nope}}' });
    expect(bad.status).toBe(400);
    expect(bad.body.details?.[0].field).toBe('template');
    // The edit DTO validates like the create DTO, and the sending inbox cannot change.
    const slow = await asAdmin<ErrorBody>('PATCH', `/api/v1/campaigns/${created.body.id}`, { rateLimitPerSecond: 0 });
    expect(slow.status).toBe(400);
    expect(slow.body.details?.[0].field).toBe('rateLimitPerSecond');
    const moved = await asAdmin<ErrorBody>('PATCH', `/api/v1/campaigns/${created.body.id}`, { inboxId: created.body.inboxId });
    expect(moved.status).toBe(400);
    expect(moved.body.details?.[0].field).toBe('inboxId');
    const after = await asAdmin<CampaignView>('GET', `/api/v1/campaigns/${created.body.id}`);
    expect(after.body.template).toBe('Hello {{contact.first_name}}');
  });
});
