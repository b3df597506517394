/**
 * Outgoing webhooks on the real services: endpoints API, enqueueing at commit, Standard Webhooks
 * signatures checked by the official `standardwebhooks` library as a receiver would, the retry
 * schedule (scaled down), 410, disabling after failing too long, per-conversation order, the delivery
 * log, redelivery and test events, and a worker SIGKILLed between attempts.
 */
import { Webhook } from 'standardwebhooks';
import { eventually, http, signUp, startTestStack, type TestStack } from '../support/test-stack';
import { firings } from '../support/automation';
import { spawnWorkerProcess, type WorkerProcess } from '../support/worker-process';
import { type ReceivedWebhook, startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver';

// 5 s -> 2.5 ms, 5 min -> 150 ms, 30 min -> 0.9 s, 2 h -> 3.6 s
const ENV = { WEBHOOK_RETRY_SCALE: '0.0005', WEBHOOK_DISABLE_AFTER_FAILING_SECONDS: '3', WEBHOOK_TIMEOUT_MS: '2000', WEBHOOK_SWEEP_SECONDS: '2' };

interface EndpointWithSecret {
  id: string;
  secret: string;
  enabled: boolean;
  disabledReason: string | null;
  eventTypes: string[];
}
interface Delivery {
  id: string;
  messageId: string;
  eventType: string;
  status: string;
  attempts: number;
  sequence: number | null;
  conversationId: string | null;
}
interface DeliveryDetail extends Delivery {
  body: string;
  attemptLog: { statusCode: number | null; succeeded: boolean; durationMs: number; responseExcerpt: string | null; error: string | null; attemptedAt: string }[];
}

let stack: TestStack;
let receiver: WebhookReceiver;
let admin: { token: string; accountId: string; userId: string };
const api = <T>(method: string, path: string, body?: unknown, token = admin.token) => http<T>(stack, method, path, body, token);

beforeAll(async () => {
  stack = await startTestStack({ env: ENV });
  receiver = await startWebhookReceiver();
  admin = await signUp(stack, 'Webhooks account');
});
afterAll(async () => {
  await stack?.close();
  await receiver?.close();
});

let pathN = 0;
/** A fresh receiver path (answers programmed per path). */
const newPath = () => `/hook-${++pathN}-${Date.now()}`;
const on = (path: string) => receiver.received.filter((r) => r.path === path);

async function createEndpoint(body: Record<string, unknown>, token = admin.token): Promise<EndpointWithSecret> {
  const res = await api<EndpointWithSecret>('POST', '/api/v1/webhook-endpoints', body, token);
  if (res.status !== 201) throw new Error(`endpoint creation failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

function verify(secret: string, got: ReceivedWebhook): unknown {
  return new Webhook(secret).verify(got.body, got.headers);
}

async function newConversation(accountToken = admin.token): Promise<{ conversationId: string; inboxId: string; contactId: string }> {
  const inbox = await api<{ id: string }>('POST', '/api/v1/inboxes', { name: `Hooks inbox ${Date.now()}`, channelType: 'api' }, accountToken);
  const res = await api<{ conversationId: string; contactId: string }>('POST', `/api/v1/inboxes/${inbox.body.id}/inbound-messages`, {
    contact: { sourceId: `hook-contact-${Date.now()}-${Math.random()}`, name: 'Hook Contact' },
    content: 'first',
  }, accountToken);
  if (res.status !== 201) throw new Error(JSON.stringify(res.body));
  return { ...res.body, inboxId: inbox.body.id };
}

describe('endpoints API', () => {
  test('create answers a whsec_ secret once; list and get never show it; validation names the fields', async () => {
    const created = await createEndpoint({ url: receiver.url + newPath(), description: 'CRM', eventTypes: ['message.created'] });
    expect(created.secret).toMatch(/^whsec_[A-Za-z0-9+/]+=*$/);
    const bytes = Buffer.from(created.secret.slice(6), 'base64').length;
    expect(bytes).toBeGreaterThanOrEqual(24);
    expect(bytes).toBeLessThanOrEqual(64);
    const list = await api<Record<string, unknown>[]>('GET', '/api/v1/webhook-endpoints');
    expect(list.status).toBe(200);
    expect(JSON.stringify(list.body)).not.toContain(created.secret.slice(6));
    expect(list.body.find((e) => e.id === created.id)).toMatchObject({ description: 'CRM', eventTypes: ['message.created'], enabled: true });
    expect(Object.keys(list.body[0])).not.toContain('secret');

    const bad = await api<{ details: { field: string; problem: string }[] }>('POST', '/api/v1/webhook-endpoints', { url: 'ftp://x', eventTypes: ['nope'], includeNotes: 'yes' });
    expect(bad.status).toBe(400);
    const fields = bad.body.details.map((d) => d.field);
    expect(fields).toEqual(expect.arrayContaining(['eventTypes', 'includeNotes']));
    const ftp = await api<{ details: { field: string; problem: string }[] }>('POST', '/api/v1/webhook-endpoints', { url: 'ftp://example.com/x' });
    expect(ftp.status).toBe(400);
    expect(ftp.body.details).toEqual([{ field: 'url', problem: expect.stringContaining('http') }]);
    const missing = await api<{ details: { field: string }[] }>('POST', '/api/v1/webhook-endpoints', {});
    expect(missing.status).toBe(400);
    expect(missing.body.details.map((d) => d.field)).toContain('url');
    const metadata = await api<{ details: { field: string }[] }>('POST', '/api/v1/webhook-endpoints', { url: 'http://169.254.169.254/latest' });
    expect(metadata.status).toBe(422);
    expect(metadata.body.details[0].field).toBe('url');
    const creds = await api<{ details: { field: string }[] }>('POST', '/api/v1/webhook-endpoints', { url: 'https://u:p@example.com/' });
    expect(creds.status).toBe(400);

    const patched = await api<EndpointWithSecret>('PATCH', `/api/v1/webhook-endpoints/${created.id}`, { eventTypes: [], enabled: false });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ eventTypes: [], enabled: false });
    expect(patched.body).not.toHaveProperty('secret');
    expect((await api('DELETE', `/api/v1/webhook-endpoints/${created.id}`)).status).toBe(204);
    expect((await api('GET', `/api/v1/webhook-endpoints/${created.id}`)).status).toBe(404);
  });

  test('the secret is sealed at rest', async () => {
    const created = await createEndpoint({ url: receiver.url + newPath(), enabled: false });
    const { MikroORM } = await import('@mikro-orm/postgresql');
    const { ormOptions } = await import('../../src/database/mikro-orm.config');
    const orm = await MikroORM.init(ormOptions(stack.config.database.url, { pool: { min: 0, max: 1 } }));
    try {
      const [row] = await orm.em.getConnection().execute<{ secret_sealed: string }[]>('select secret_sealed from webhook_endpoints where id = ?', [created.id]);
      expect(row.secret_sealed).toMatch(/^v1:/);
      expect(row.secret_sealed).not.toContain(created.secret.slice(6));
    } finally {
      await orm.close(true);
    }
  });
});

describe('delivery', () => {
  test('500 three times then 200: one 2xx delivery, four attempts logged; signatures verify with standardwebhooks, a tampered body does not', async () => {
    const path = newPath();
    receiver.answer = (req, n) => (req.path === path && n < 3 ? { status: 500, body: `boom ${n}` } : { status: 200, body: 'thanks' });
    const endpoint = await createEndpoint({ url: receiver.url + path });
    const sent = await api<{ messageId: string; deliveryId: string }>('POST', `/api/v1/webhook-endpoints/${endpoint.id}/test`);
    expect(sent.status).toBe(202);
    const detail = await eventually(async () => {
      const d = await api<DeliveryDetail>('GET', `/api/v1/webhook-endpoints/${endpoint.id}/deliveries/${sent.body.deliveryId}`);
      return d.body.status === 'succeeded' ? d.body : undefined;
    }, 20_000, 'the delivery to succeed');
    expect(detail.attemptLog.map((a) => a.statusCode)).toEqual([500, 500, 500, 200]);
    expect(detail.attemptLog.map((a) => a.succeeded)).toEqual([false, false, false, true]);
    expect(detail.attemptLog[0].responseExcerpt).toBe('boom 0');
    expect(detail.attemptLog[0].error).toContain('HTTP 500');
    expect(detail.attempts).toBe(4);
    // The receiver saw four requests with the same webhook-id, and only one was answered 2xx.
    const got = on(path);
    expect(got).toHaveLength(4);
    expect(new Set(got.map((g) => g.headers['webhook-id']))).toEqual(new Set([sent.body.messageId]));
    for (const g of got) expect(verify(endpoint.secret, g)).toMatchObject({ type: 'webhook.test', data: { endpointId: endpoint.id } });
    const body = JSON.parse(got[3].body) as { type: string; timestamp: string; data: unknown };
    expect(Object.keys(body).sort()).toEqual(['data', 'timestamp', 'type']);
    expect(new Date(body.timestamp).toISOString()).toBe(body.timestamp);
    expect(() => new Webhook(endpoint.secret).verify(got[3].body.replace('webhook.test', 'webhook.tesT'), got[3].headers)).toThrow();
    expect(() => new Webhook(endpoint.secret).verify(got[3].body, { ...got[3].headers, 'webhook-id': 'msg_other' })).toThrow();
    // Nothing more arrives after the 2xx.
    await new Promise((r) => setTimeout(r, 1500));
    expect(on(path)).toHaveLength(4);
  });

  test('events are enqueued at commit: conversation, messages (notes only when chosen), assignment, status, contact', async () => {
    const path = newPath();
    const notesPath = newPath();
    receiver.answer = () => ({ status: 204 });
    const endpoint = await createEndpoint({ url: receiver.url + path });
    const withNotes = await createEndpoint({ url: receiver.url + notesPath, eventTypes: ['message.created'], includeNotes: true });
    const c = await newConversation();
    const calls = [
      await api('PUT', `/api/v1/conversations/${c.conversationId}/assignee`, { assigneeId: admin.userId }),
      await api('POST', `/api/v1/conversations/${c.conversationId}/notes`, { content: 'internal only' }),
      await api('POST', `/api/v1/conversations/${c.conversationId}/messages`, { content: 'hello from us' }),
      await api('POST', `/api/v1/conversations/${c.conversationId}/resolve`, {}),
      await api('PATCH', `/api/v1/contacts/${c.contactId}`, { name: 'Renamed Contact' }),
    ];
    expect(calls.filter((r) => r.status >= 300)).toEqual([]);
    const types = await eventually(async () => {
      const t = on(path).map((g) => (verify(endpoint.secret, g) as { type: string }).type);
      return t.includes('contact.updated') && t.includes('conversation.status_changed') && t.filter((x) => x === 'message.created').length >= 2 ? t : undefined;
    }, 20_000, 'the events');
    expect(types).toEqual(expect.arrayContaining(['contact.created', 'conversation.created', 'message.created', 'conversation.assigned', 'conversation.status_changed', 'contact.updated']));
    const bodies = on(path).map((g) => JSON.parse(g.body) as { type: string; data: { message?: { private: boolean; direction: string; content: string } } });
    const messages = bodies.filter((b) => b.type === 'message.created').map((b) => b.data.message!);
    expect(messages.map((m) => m.direction)).toEqual(expect.arrayContaining(['inbound', 'outbound']));
    expect(messages.some((m) => m.private)).toBe(false);
    const noted = await eventually(async () => {
      const m = on(notesPath).map((g) => (JSON.parse(g.body) as { data: { message: { private: boolean; content: string } } }).data.message);
      return m.some((x) => x.private) ? m : undefined;
    }, 20_000, 'the note on the endpoint that chose notes');
    expect(noted.find((x) => x.private)?.content).toBe('internal only');
    expect(on(notesPath).every((g) => (JSON.parse(g.body) as { type: string }).type === 'message.created')).toBe(true);
    void withNotes;
  });

  test('the rule action "call webhook" posts the rule\'s payload through the same pipeline, once', async () => {
    const path = newPath();
    receiver.answer = () => ({ status: 200 });
    // A separate account, so this rule fires on no other test's conversations.
    const owner = await signUp(stack, 'Rule webhooks');
    const endpoint = await createEndpoint({ url: receiver.url + path, eventTypes: ['rule.fired'] }, owner.token);
    const bad = await api<{ details: { field: string; problem: string }[] }>('POST', '/api/v1/automation-rules', {
      name: 'bad', trigger: { event: 'message_received' }, actions: [{ type: 'call_webhook', payload: 'x' }],
    }, owner.token);
    expect(bad.status).toBe(400);
    expect(bad.body.details).toEqual([{ field: 'actions.0.payload', problem: expect.stringContaining('JSON object') }]);
    const rule = await api<{ id: string }>('POST', '/api/v1/automation-rules', {
      name: 'Tell the CRM', enabled: true, trigger: { event: 'message_received' }, actions: [{ type: 'call_webhook', payload: { crm: 'lead', score: 3 } }],
    }, owner.token);
    expect(rule.status).toBe(201);
    const catalog = await api<{ actionTypes: string[] }>('GET', '/api/v1/automation-rules/catalog', undefined, owner.token);
    expect(catalog.body.actionTypes).toContain('call_webhook');
    const c = await newConversation(owner.token);
    const got = await eventually(async () => on(path)[0], 20_000, 'the rule.fired event').catch(async (err) => {
      throw new Error(`${(err as Error).message}; firings: ${JSON.stringify(await firings(stack, c.conversationId))}`);
    });
    const event = verify(endpoint.secret, got) as { type: string; data: { rule: { id: string; name: string }; payload: unknown; conversation: { id: string }; sequence: number } };
    expect(event.type).toBe('rule.fired');
    expect(event.data).toMatchObject({ rule: { id: rule.body.id, name: 'Tell the CRM' }, payload: { crm: 'lead', score: 3 }, conversation: { id: c.conversationId } });
    expect(event.data.sequence).toBeGreaterThan(0);
    await new Promise((r) => setTimeout(r, 1000));
    expect(on(path)).toHaveLength(1);
  });

  test('contact created, updated and deleted; an endpoint receives only the types it chose', async () => {
    const path = newPath();
    receiver.answer = () => ({ status: 200 });
    const owner = await signUp(stack, 'Contact webhooks');
    const endpoint = await createEndpoint({ url: receiver.url + path, eventTypes: ['contact.created', 'contact.deleted'] }, owner.token);
    const contact = await api<{ id: string }>('POST', '/api/v1/contacts', { name: 'Carla Contact', email: `carla-${Date.now()}@example.com` }, owner.token);
    expect(contact.status).toBe(201);
    expect((await api('PATCH', `/api/v1/contacts/${contact.body.id}`, { name: 'Carla Changed' }, owner.token)).status).toBe(200);
    expect((await api('DELETE', `/api/v1/contacts/${contact.body.id}`, undefined, owner.token)).status).toBe(204);
    const events = await eventually(async () => {
      const e = on(path).map((g) => verify(endpoint.secret, g) as { type: string; data: { contact: { id: string; name?: string } } });
      return e.length >= 2 ? e : undefined;
    }, 15_000, 'the contact events');
    await new Promise((r) => setTimeout(r, 500));
    expect(on(path).map((g) => (JSON.parse(g.body) as { type: string }).type)).toEqual(['contact.created', 'contact.deleted']);
    expect(events[0].data.contact).toMatchObject({ id: contact.body.id, name: 'Carla Contact' });
    expect(events[1].data.contact).toEqual({ id: contact.body.id });
  });

  test('50 events on one conversation arrive with strictly increasing sequence numbers', async () => {
    const path = newPath();
    // A receiver with uneven latency: order must come from the pipeline, not from luck.
    receiver.answer = () => ({ status: 200, delayMs: Math.floor(Math.random() * 15) });
    const endpoint = await createEndpoint({ url: receiver.url + path, eventTypes: ['message.created'] });
    const c = await newConversation();
    expect((await api('PUT', `/api/v1/conversations/${c.conversationId}/assignee`, { assigneeId: admin.userId })).status).toBe(200);
    // 50 replies, ten at a time concurrently (their commits interleave).
    for (let i = 0; i < 50; i += 10) {
      const res = await Promise.all(Array.from({ length: 10 }, (_, j) => api('POST', `/api/v1/conversations/${c.conversationId}/messages`, { content: `m${i + j}` })));
      expect(res.filter((r) => r.status !== 201)).toEqual([]);
    }
    const seqs = await eventually(async () => {
      const s = on(path)
        .map((g) => verify(endpoint.secret, g) as { data: { conversation: { id: string }; sequence: number } })
        .filter((b) => b.data.conversation.id === c.conversationId)
        .map((b) => b.data.sequence);
      return s.length >= 50 ? s : undefined;
    }, 30_000, '50 deliveries');
    for (let i = 1; i < seqs.length; i++) expect(seqs[i]).toBeGreaterThan(seqs[i - 1]);
    expect(new Set(on(path).map((g) => g.headers['webhook-id'])).size).toBe(on(path).length);
  });

  test('a 410 disables the endpoint and admins see why', async () => {
    const path = newPath();
    receiver.answer = (req) => (req.path === path ? { status: 410 } : { status: 200 });
    const endpoint = await createEndpoint({ url: receiver.url + path });
    await api('POST', `/api/v1/webhook-endpoints/${endpoint.id}/test`);
    const after = await eventually(async () => {
      const e = await api<EndpointWithSecret>('GET', `/api/v1/webhook-endpoints/${endpoint.id}`);
      return e.body.enabled ? undefined : e.body;
    }, 15_000, 'the endpoint to be disabled');
    expect(after.disabledReason).toContain('410');
    expect(on(path)).toHaveLength(1);
    const test = await api<{ message: string }>('POST', `/api/v1/webhook-endpoints/${endpoint.id}/test`);
    expect(test.status).toBe(422);
  });

  test('an endpoint failing for longer than WEBHOOK_DISABLE_AFTER_FAILING_SECONDS is disabled with the reason', async () => {
    const path = newPath();
    receiver.answer = (req) => (req.path === path ? { status: 503, body: 'down' } : { status: 200 });
    const endpoint = await createEndpoint({ url: receiver.url + path });
    await api('POST', `/api/v1/webhook-endpoints/${endpoint.id}/test`);
    const after = await eventually(async () => {
      const e = await api<EndpointWithSecret>('GET', `/api/v1/webhook-endpoints/${endpoint.id}`);
      return e.body.enabled ? undefined : e.body;
    }, 20_000, 'the endpoint to be disabled');
    expect(after.disabledReason).toMatch(/failed since .* \(over 3 s\).*HTTP 503/);
    // Re-enabled: pending deliveries resume.
    receiver.answer = () => ({ status: 200 });
    const before = on(path).length;
    await api('PATCH', `/api/v1/webhook-endpoints/${endpoint.id}`, { enabled: true });
    await eventually(async () => (on(path).length > before ? true : undefined), 15_000, 'the pending delivery to resume');
    const e = await api<EndpointWithSecret>('GET', `/api/v1/webhook-endpoints/${endpoint.id}`);
    expect(e.body).toMatchObject({ enabled: true, disabledReason: null });
  });

  test('Retry-After on 429 is honoured', async () => {
    const path = newPath();
    receiver.answer = (req, n) => (req.path === path && n === 0 ? { status: 429, headers: { 'retry-after': '2' } } : { status: 200 });
    const endpoint = await createEndpoint({ url: receiver.url + path });
    await api('POST', `/api/v1/webhook-endpoints/${endpoint.id}/test`);
    await eventually(async () => (on(path).length >= 2 ? true : undefined), 15_000, 'the retry');
    const [first, second] = on(path);
    expect(second.at - first.at).toBeGreaterThanOrEqual(1900);
  });

  test('rotation: both secrets sign during the overlap (two v1 entries), then only the new one', async () => {
    const path = newPath();
    receiver.answer = () => ({ status: 200 });
    const endpoint = await createEndpoint({ url: receiver.url + path });
    const rotated = await api<EndpointWithSecret & { previousSecretExpiresAt: string }>('POST', `/api/v1/webhook-endpoints/${endpoint.id}/rotate-secret`, { overlapSeconds: 3600 });
    expect(rotated.status).toBe(200);
    expect(rotated.body.secret).not.toBe(endpoint.secret);
    expect(rotated.body.previousSecretExpiresAt).not.toBeNull();
    await api('POST', `/api/v1/webhook-endpoints/${endpoint.id}/test`);
    const got = await eventually(async () => on(path)[0], 15_000, 'the delivery');
    expect(got.headers['webhook-signature'].split(' ')).toHaveLength(2);
    expect(verify(endpoint.secret, got)).toBeTruthy();
    expect(verify(rotated.body.secret, got)).toBeTruthy();
    const again = await api<EndpointWithSecret>('POST', `/api/v1/webhook-endpoints/${endpoint.id}/rotate-secret`, { overlapSeconds: 0 });
    await api('POST', `/api/v1/webhook-endpoints/${endpoint.id}/test`);
    const second = await eventually(async () => on(path)[1], 15_000, 'the second delivery');
    expect(second.headers['webhook-signature'].split(' ')).toHaveLength(1);
    expect(verify(again.body.secret, second)).toBeTruthy();
    expect(() => verify(rotated.body.secret, second)).toThrow();
  });

  test('delivery log, redeliver one, redeliver the failed ones of a time range', async () => {
    const path = newPath();
    let fail = true;
    receiver.answer = (req) => (req.path === path && fail ? { status: 400, body: 'x'.repeat(5000) } : { status: 200 });
    const endpoint = await createEndpoint({ url: receiver.url + path });
    const a = await api<{ deliveryId: string; messageId: string }>('POST', `/api/v1/webhook-endpoints/${endpoint.id}/test`);
    const b = await api<{ deliveryId: string }>('POST', `/api/v1/webhook-endpoints/${endpoint.id}/test`);
    await eventually(async () => (on(path).length >= 4 ? true : undefined), 15_000, 'a few attempts');
    const page = await api<{ deliveries: Delivery[]; nextBefore: string | null }>('GET', `/api/v1/webhook-endpoints/${endpoint.id}/deliveries?status=pending`);
    expect(page.status).toBe(200);
    expect(page.body.deliveries.map((d) => d.id).sort()).toEqual([a.body.deliveryId, b.body.deliveryId].sort());
    const detail = await api<DeliveryDetail>('GET', `/api/v1/webhook-endpoints/${endpoint.id}/deliveries/${a.body.deliveryId}`);
    expect(detail.body.attemptLog[0].responseExcerpt!.length).toBeLessThanOrEqual(1024);
    expect(detail.body.attemptLog[0].statusCode).toBe(400);
    expect(detail.body.attemptLog[0].durationMs).toBeGreaterThanOrEqual(0);
    const byMessage = await api<{ deliveries: Delivery[] }>('GET', `/api/v1/webhook-endpoints/${endpoint.id}/deliveries?messageId=${a.body.messageId}`);
    expect(byMessage.body.deliveries.map((d) => d.id)).toEqual([a.body.deliveryId]);

    fail = false;
    const one = await api<{ scheduled: number }>('POST', `/api/v1/webhook-endpoints/${endpoint.id}/deliveries/${a.body.deliveryId}/redeliver`);
    expect(one.body.scheduled).toBe(1);
    await eventually(async () => {
      const d = await api<DeliveryDetail>('GET', `/api/v1/webhook-endpoints/${endpoint.id}/deliveries/${a.body.deliveryId}`);
      return d.body.status === 'succeeded' ? d.body : undefined;
    }, 15_000, 'the redelivery');
    const badRange = await api<{ details: { field: string }[] }>('POST', `/api/v1/webhook-endpoints/${endpoint.id}/redeliver-failed`, { from: 'yesterday' });
    expect(badRange.status).toBe(400);
    expect(badRange.body.details.map((d) => d.field)).toEqual(expect.arrayContaining(['from', 'to']));
    void b;
  });

  test('redeliver every failed delivery of a time range (a 410 failed it; the endpoint is enabled again)', async () => {
    const path = newPath();
    receiver.answer = (req, n) => (req.path === path && n === 0 ? { status: 410 } : { status: 200 });
    const endpoint = await createEndpoint({ url: receiver.url + path });
    const from = new Date(Date.now() - 1000).toISOString();
    const sent = await api<{ deliveryId: string }>('POST', `/api/v1/webhook-endpoints/${endpoint.id}/test`);
    await eventually(async () => ((await api<EndpointWithSecret>('GET', `/api/v1/webhook-endpoints/${endpoint.id}`)).body.enabled ? undefined : true), 15_000, 'disabled');
    const failed = await api<{ deliveries: Delivery[] }>('GET', `/api/v1/webhook-endpoints/${endpoint.id}/deliveries?status=failed`);
    expect(failed.body.deliveries.map((d) => d.id)).toEqual([sent.body.deliveryId]);
    await api('PATCH', `/api/v1/webhook-endpoints/${endpoint.id}`, { enabled: true });
    const outside = await api<{ scheduled: number }>('POST', `/api/v1/webhook-endpoints/${endpoint.id}/redeliver-failed`, { from: '2020-01-01T00:00:00Z', to: from });
    expect(outside.body.scheduled).toBe(0);
    const range = await api<{ scheduled: number }>('POST', `/api/v1/webhook-endpoints/${endpoint.id}/redeliver-failed`, { from, to: new Date(Date.now() + 60_000).toISOString() });
    expect(range).toMatchObject({ status: 202, body: { scheduled: 1 } });
    const done = await eventually(async () => {
      const d = await api<DeliveryDetail>('GET', `/api/v1/webhook-endpoints/${endpoint.id}/deliveries/${sent.body.deliveryId}`);
      return d.body.status === 'succeeded' ? d.body : undefined;
    }, 15_000, 'the redelivery');
    expect(done.attemptLog.map((a) => a.statusCode)).toEqual([410, 200]);
    expect(new Set(on(path).map((g) => g.headers['webhook-id'])).size).toBe(1);
  });

  test('an admin of another account sees none of it; non-admins are refused', async () => {
    const other = await signUp(stack, 'Other webhooks account');
    const endpoint = await createEndpoint({ url: receiver.url + newPath(), enabled: false });
    expect((await api('GET', `/api/v1/webhook-endpoints/${endpoint.id}`, undefined, other.token)).status).toBe(404);
    expect((await api<unknown[]>('GET', '/api/v1/webhook-endpoints', undefined, other.token)).body).toEqual([]);
  });
});

describe('a worker SIGKILLed between attempts', () => {
  let restartStack: TestStack;
  let worker: WorkerProcess | undefined;
  afterAll(async () => {
    await worker?.kill('SIGKILL');
    await restartStack?.close();
  });

  test('the schedule continues on the next worker; nothing is sent twice after the 2xx', async () => {
    restartStack = await startTestStack({ worker: false, env: ENV });
    const owner = await signUp(restartStack, 'Restart webhooks');
    const path = newPath();
    receiver.answer = (req, n) => (req.path === path && n === 0 ? { status: 503, headers: { 'retry-after': '4' } } : { status: 200 });
    worker = spawnWorkerProcess(restartStack.config);
    await worker.ready;
    const created = await http<EndpointWithSecret>(restartStack, 'POST', '/api/v1/webhook-endpoints', { url: receiver.url + path }, owner.token);
    const sent = await http<{ deliveryId: string }>(restartStack, 'POST', `/api/v1/webhook-endpoints/${created.body.id}/test`, undefined, owner.token);
    await eventually(async () => (on(path).length === 1 ? true : undefined), 20_000, 'the first attempt');
    // Between attempts: the first one is recorded (the workflow then sleeps until the Retry-After).
    await eventually(async () => {
      const d = await http<DeliveryDetail>(restartStack, 'GET', `/api/v1/webhook-endpoints/${created.body.id}/deliveries/${sent.body.deliveryId}`, undefined, owner.token);
      return d.body.attemptLog.length === 1 && d.body.status === 'pending' ? true : undefined;
    }, 10_000, 'the first attempt recorded');
    await new Promise((r) => setTimeout(r, 300));
    await worker.kill('SIGKILL');
    const killedAt = Date.now();
    await new Promise((r) => setTimeout(r, 1000));
    expect(on(path)).toHaveLength(1);
    worker = spawnWorkerProcess(restartStack.config);
    await worker.ready;
    await eventually(async () => (on(path).length === 2 ? true : undefined), 30_000, 'the second attempt on the new worker');
    expect(on(path)[1].at - on(path)[0].at).toBeGreaterThanOrEqual(3900);
    void killedAt;
    const detail = await eventually(async () => {
      const d = await http<DeliveryDetail>(restartStack, 'GET', `/api/v1/webhook-endpoints/${created.body.id}/deliveries/${sent.body.deliveryId}`, undefined, owner.token);
      return d.body.status === 'succeeded' ? d.body : undefined;
    }, 10_000, 'success recorded');
    expect(detail.attemptLog.map((a) => a.statusCode)).toEqual([503, 200]);
    await new Promise((r) => setTimeout(r, 1500));
    expect(on(path)).toHaveLength(2);
  });
});
