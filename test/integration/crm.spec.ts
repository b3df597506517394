/**
 * The CRM connector on the real services (PostgreSQL, Temporal, the API and a worker) against a fake
 * CRM on 127.0.0.1 that can be slow, fail and answer malformed JSON: lookups on contact creation and
 * conversation start (with the cache TTL), "test with this contact", refresh, the per-contact call
 * log, CRM-managed attributes read-only for agents unless write-back is on, and write-back through the
 * webhooks pipeline (signed, retried after a timeout, applied once by its Idempotency-Key).
 */
import { randomUUID } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { eventually, http, signUp, startTestStack, type TestStack } from '../support/test-stack';
import { type FakeCrm, startFakeCrm } from '../support/fake-crm';

// Retry 5 s -> 5 ms; the connector's timeout is 500 ms.
const ENV = { WEBHOOK_RETRY_SCALE: '0.001', WEBHOOK_SWEEP_SECONDS: '2' };
const TIMEOUT_MS = 500;

interface Connector {
  id: string;
  headerNames: string[];
  writeBackEnabled: boolean;
  writeBack: { endpointId: string; enabled: boolean } | null;
  writeBackSecret?: string;
}
interface CrmCall {
  kind: string;
  reason: string;
  outcome: string;
  error: string | null;
  statusCode: number | null;
  requestUrl: string | null;
  responseExcerpt: string | null;
  messageId: string | null;
  deliveryStatus: string | null;
  deliveryAttempts: number | null;
}
interface ContactCrm {
  connectors: { connectorId: string; externalId: string | null; managedAttributes: string[]; writeBackEnabled: boolean }[];
  calls: CrmCall[];
}
interface ErrorBody {
  details?: { field: string; problem: string }[];
}
type User = { id: string; token: string };

let stack: TestStack;
let crm: FakeCrm;
let admin: Awaited<ReturnType<typeof signUp>>;
let agent: User;
let inboxId: string;
let connector: Connector;
const as = <T = unknown>(who: { token: string }, method: string, path: string, body?: unknown) => http<T>(stack, method, path, body, who.token);
const uniqueEmail = (tag: string) => `${tag}-${randomUUID().slice(0, 8)}@example.com`;
const lookupsOf = (email: string) => crm.requests.filter((r) => r.method === 'GET' && r.path === `/contacts?email=${encodeURIComponent(email)}`);
const contactCrm = async (contactId: string) => (await as<ContactCrm>(admin, 'GET', `/api/v1/contacts/${contactId}/crm`)).body;

/** The contact's custom attribute values that are set, by key. */
async function attributesOf(contactId: string): Promise<Record<string, string>> {
  const res = await as<{ attributes: { key: string; value: string | null }[] }>(admin, 'GET', `/api/v1/contacts/${contactId}`);
  return Object.fromEntries(res.body.attributes.filter((a) => a.value !== null).map((a) => [a.key, a.value as string]));
}

async function createContact(email: string): Promise<string> {
  const res = await as<{ id: string }>(admin, 'POST', '/api/v1/contacts', { name: 'Crm Contact', email });
  expect(res.status).toBe(201);
  return res.body.id;
}

beforeAll(async () => {
  stack = await startTestStack({ env: ENV });
  crm = await startFakeCrm();
  admin = await signUp(stack, 'CRM account');
  for (const key of ['plan', 'tier', 'city']) {
    expect((await as(admin, 'POST', '/api/v1/contact-attributes', { key, label: key, type: 'text' })).status).toBe(201);
  }
  const email = `crm-agent-${randomUUID().slice(0, 8)}@example.com`;
  const created = await as<{ id: string }>(admin, 'POST', '/api/v1/users', { name: 'Agent', email, password: 'correct horse battery' });
  const login = await http<{ token: string }>(stack, 'POST', '/api/v1/auth/login', { email, password: 'correct horse battery' });
  agent = { id: created.body.id, token: login.body.token };
  const inbox = await as<{ id: string }>(admin, 'POST', '/api/v1/inboxes', { name: 'CRM inbox', channelType: 'api' });
  inboxId = inbox.body.id;
  expect((await as(admin, 'PUT', `/api/v1/inboxes/${inboxId}/members/${agent.id}`, { role: 'member' })).status).toBe(200);

  const res = await as<Connector>(admin, 'POST', '/api/v1/crm-connectors', {
    name: 'Fake CRM',
    lookupAttribute: 'email',
    lookupUrl: `${crm.url}/contacts?email={{value}}`,
    headers: { Authorization: 'Bearer crm-s3cret' },
    writeBackUrl: null,
    timeoutMs: TIMEOUT_MS,
    cacheTtlSeconds: 3600,
    externalIdPointer: '/id',
    mapping: [
      { pointer: '/properties/plan', attribute: 'plan' },
      { pointer: '/properties/tier', attribute: 'tier' },
    ],
  });
  expect(res.status).toBe(201);
  connector = res.body;
}, 120_000);
afterAll(async () => {
  await stack?.close();
  await crm?.close();
});

describe('connectors API', () => {
  test('admins only; header values sealed and never shown; bad input is 400 naming the field', async () => {
    expect(connector.headerNames).toEqual(['authorization']);
    expect(JSON.stringify(connector)).not.toContain('crm-s3cret');
    const list = await as<Connector[]>(admin, 'GET', '/api/v1/crm-connectors');
    expect(list.status).toBe(200);
    expect(JSON.stringify(list.body)).not.toContain('crm-s3cret');
    expect((await as(agent, 'GET', '/api/v1/crm-connectors')).status).toBe(403);
    expect((await as(agent, 'POST', '/api/v1/crm-connectors', { name: 'x', lookupAttribute: 'email', lookupUrl: `${crm.url}/c?e={{value}}` })).status).toBe(403);

    const cases: [Record<string, unknown>, string][] = [
      [{ lookupUrl: `${crm.url}/contacts` }, 'lookupUrl'],
      [{ lookupUrl: 'ftp://example.com/{{value}}' }, 'lookupUrl'],
      [{ lookupAttribute: 'name' }, 'lookupAttribute'],
      [{ mapping: [{ pointer: '/x', attribute: 'nope' }] }, 'mapping[0].attribute'],
      [{ mapping: [{ pointer: 'x', attribute: 'plan' }] }, 'mapping[0].pointer'],
      [{ headers: { 'Bad Header': 'x' } }, 'headers.Bad Header'],
      [{ headers: { 'idempotency-key': 'x' } }, 'headers.idempotency-key'],
      [{ timeoutMs: 5 }, 'timeoutMs'],
      [{ writeBackEnabled: true }, 'writeBackUrl'],
    ];
    for (const [patch, field] of cases) {
      const bad = await as<ErrorBody>(admin, 'POST', '/api/v1/crm-connectors', { name: 'Bad', lookupAttribute: 'email', lookupUrl: `${crm.url}/contacts?email={{value}}`, ...patch });
      expect([bad.status, bad.body.details?.map((d) => d.field)]).toEqual([400, [field]]);
    }
    const metadata = await as<ErrorBody>(admin, 'POST', '/api/v1/crm-connectors', { name: 'Meta', lookupAttribute: 'email', lookupUrl: 'http://169.254.169.254/latest?e={{value}}' });
    expect(metadata.status).toBe(422);
    expect(metadata.body.details?.[0].field).toBe('lookupUrl');
  });
});

describe('lookup', () => {
  test("a new contact's attributes are filled from the CRM within 2 s; the external id is stored; the sealed header is sent", async () => {
    const email = uniqueEmail('gold');
    crm.records.set(email, { id: 'crm-1001', email, properties: { plan: 'gold', tier: 2 } });
    const started = Date.now();
    const contactId = await createContact(email);
    const filled = await eventually(async () => {
      const a = await attributesOf(contactId);
      return a.plan ? a : undefined;
    }, 2000, 'the attributes from the CRM');
    expect(Date.now() - started).toBeLessThan(2000);
    expect(filled).toMatchObject({ plan: 'gold', tier: '2' });
    expect(lookupsOf(email)[0].headers.authorization).toBe('Bearer crm-s3cret');
    const view = await contactCrm(contactId);
    expect(view.connectors).toEqual([expect.objectContaining({ connectorId: connector.id, externalId: 'crm-1001', managedAttributes: ['plan', 'tier'], writeBackEnabled: false })]);
    expect(view.calls[0]).toMatchObject({ kind: 'lookup', reason: 'contact_created', outcome: 'ok', statusCode: 200 });
  });

  test('a conversation start looks a new contact up once; a later conversation within the cache TTL makes no call', async () => {
    const email = uniqueEmail('silver');
    crm.records.set(email, { id: 'crm-1002', email, properties: { plan: 'silver' } });
    const sourceId = `crm-${randomUUID()}`;
    const first = await as<{ contactId: string; conversationId: string }>(admin, 'POST', `/api/v1/inboxes/${inboxId}/inbound-messages`, { contact: { sourceId, email }, content: 'hello' });
    expect(first.status).toBe(201);
    await eventually(async () => ((await contactCrm(first.body.contactId)).calls.some((c) => c.outcome === 'ok') ? true : undefined), 5000, 'the lookup');
    const other = await as<{ id: string }>(admin, 'POST', '/api/v1/inboxes', { name: 'Second CRM inbox', channelType: 'api' });
    const second = await as<{ contactId: string }>(admin, 'POST', `/api/v1/inboxes/${other.body.id}/inbound-messages`, { contact: { sourceId, email }, content: 'again' });
    expect(second.status).toBe(201);
    const calls = await eventually(async () => {
      const c = (await contactCrm(first.body.contactId)).calls;
      return c.some((x) => x.outcome === 'cached') ? c : undefined;
    }, 5000, 'the cached lookup');
    expect(calls.filter((c) => c.outcome === 'ok')).toHaveLength(1);
    expect(calls.find((c) => c.outcome === 'cached')).toMatchObject({ reason: 'conversation_started', requestUrl: null });
    expect(lookupsOf(email)).toHaveLength(1);
    // Refresh ignores the cache.
    crm.records.set(email, { id: 'crm-1002', email, properties: { plan: 'gold' } });
    const refreshed = await as<{ outcome: string; values: Record<string, string> }[]>(admin, 'POST', `/api/v1/contacts/${first.body.contactId}/crm/refresh`);
    expect(refreshed.status).toBe(200);
    expect(refreshed.body).toEqual([expect.objectContaining({ outcome: 'ok', values: { plan: 'gold' } })]);
    expect((await attributesOf(first.body.contactId)).plan).toBe('gold');
    expect(lookupsOf(email)).toHaveLength(2);
  });

  test('a slow CRM, a failing one and malformed JSON are logged in our words and change nothing', async () => {
    const slow = uniqueEmail('slow');
    const failing = uniqueEmail('failing');
    const malformed = uniqueEmail('malformed');
    const notFound = uniqueEmail('unknown');
    crm.behaviour.set(slow, { delayMs: TIMEOUT_MS * 3, raw: '{"id":"late","properties":{"plan":"late"}}' });
    crm.behaviour.set(failing, { status: 500 });
    crm.behaviour.set(malformed, { raw: '{"id": "x", "properties": {"plan": ' });
    const ids = await Promise.all([slow, failing, malformed, notFound].map(createContact));
    const logged = await Promise.all(
      ids.map((id) => eventually(async () => (await contactCrm(id)).calls.find((c) => c.kind === 'lookup'), 10_000, 'the logged lookup')),
    );
    expect(logged[0]).toMatchObject({ outcome: 'failed', error: `no answer within ${TIMEOUT_MS} ms`, statusCode: null });
    expect(logged[1]).toMatchObject({ outcome: 'failed', error: 'the CRM answered HTTP 500', statusCode: 500 });
    expect(logged[2]).toMatchObject({ outcome: 'failed', error: 'the answer is not valid JSON', statusCode: 200, responseExcerpt: '{"id": "x", "properties": {"plan": ' });
    expect(logged[3]).toMatchObject({ outcome: 'not_found', statusCode: 404 });
    await new Promise((r) => setTimeout(r, TIMEOUT_MS * 3));
    for (const id of ids) expect(await attributesOf(id)).toEqual({});
  });

  test('a slow CRM does not slow the inbound path: the message is accepted before the CRM answers', async () => {
    const email = uniqueEmail('slow-inbound');
    crm.behaviour.set(email, { delayMs: TIMEOUT_MS * 3, raw: '{"id":"late"}' });
    const started = Date.now();
    const res = await as<{ contactId: string }>(admin, 'POST', `/api/v1/inboxes/${inboxId}/inbound-messages`, { contact: { sourceId: `slow-${randomUUID()}`, email }, content: 'hello' });
    const took = Date.now() - started;
    expect(res.status).toBe(201);
    expect(took).toBeLessThan(TIMEOUT_MS);
    const call = await eventually(async () => (await contactCrm(res.body.contactId)).calls.find((c) => c.kind === 'lookup'), 10_000, 'the lookup');
    expect(call).toMatchObject({ outcome: 'failed', error: `no answer within ${TIMEOUT_MS} ms` });
  });

  test('test with this contact shows the raw request (header values masked) and answer, and applies nothing', async () => {
    const email = uniqueEmail('tested');
    const contactId = await createContact(email);
    await eventually(async () => ((await contactCrm(contactId)).calls.length ? true : undefined), 5000, 'the first lookup');
    crm.records.set(email, { id: 'crm-2001', email, properties: { plan: 'bronze', tier: { nested: true } } });
    const res = await as<{ outcome: string; request: { url: string; headers: Record<string, string> }; response: { status: number; body: string }; values: Record<string, string>; problems: { attribute: string }[]; externalId: string }>(
      admin, 'POST', `/api/v1/crm-connectors/${connector.id}/test`, { contactId },
    );
    expect(res.status).toBe(200);
    expect(res.body.request.url).toBe(`${crm.url}/contacts?email=${encodeURIComponent(email)}`);
    expect(res.body.request.headers.authorization).not.toContain('s3cret');
    expect(JSON.parse(res.body.response.body)).toEqual({ id: 'crm-2001', email, properties: { plan: 'bronze', tier: { nested: true } } });
    expect(res.body).toMatchObject({ outcome: 'ok', externalId: 'crm-2001', values: { plan: 'bronze' }, problems: [{ attribute: 'tier' }] });
    expect(await attributesOf(contactId)).toEqual({});
    expect((await contactCrm(contactId)).calls[0]).toMatchObject({ reason: 'test', outcome: 'ok' });
    const bad = await as<ErrorBody>(admin, 'POST', `/api/v1/crm-connectors/${connector.id}/test`, { contactId: 'x' });
    expect([bad.status, bad.body.details?.[0].field]).toEqual([400, 'contactId']);
  });
});

describe('CRM-managed attributes and write-back', () => {
  test("an agent's edit of a CRM-managed attribute is refused unless write-back is on; with it on, the change reaches the CRM once after resolve, also when the first attempt times out", async () => {
    const email = uniqueEmail('writeback');
    crm.records.set(email, { id: 'crm-3001', email, properties: { plan: 'gold', tier: '1' } });
    const inbound = await as<{ contactId: string; conversationId: string }>(admin, 'POST', `/api/v1/inboxes/${inboxId}/inbound-messages`, { contact: { sourceId: `wb-${randomUUID()}`, email }, content: 'hi' });
    const { contactId, conversationId } = inbound.body;
    await eventually(async () => ((await contactCrm(contactId)).connectors[0]?.externalId === 'crm-3001' ? true : undefined), 5000, 'the lookup');

    const refused = await as<ErrorBody>(agent, 'PATCH', `/api/v1/contacts/${contactId}`, { attributes: { plan: 'platinum' } });
    expect(refused.status).toBe(403);
    expect(refused.body.details).toEqual([{ field: 'attributes.plan', problem: expect.stringContaining('Fake CRM') }]);
    expect((await as(agent, 'PATCH', `/api/v1/contacts/${contactId}`, { attributes: { city: 'Oslo' } })).status).toBe(200);
    // Sending a managed value back unchanged is no edit.
    expect((await as(agent, 'PATCH', `/api/v1/contacts/${contactId}`, { attributes: { plan: 'gold', city: 'Bergen' } })).status).toBe(200);

    const on = await as<Connector>(admin, 'PATCH', `/api/v1/crm-connectors/${connector.id}`, { writeBackEnabled: true, writeBackUrl: `${crm.url}/write-back` });
    expect(on.status).toBe(200);
    expect(on.body.writeBackSecret).toMatch(/^whsec_/);
    expect(on.body.writeBack).toMatchObject({ enabled: true });
    // The connector's endpoint is not one of the webhooks API's.
    const hooks = await as<{ id: string }[]>(admin, 'GET', '/api/v1/webhook-endpoints');
    expect(hooks.body.map((h) => h.id)).not.toContain(on.body.writeBack!.endpointId);
    expect((await as(admin, 'GET', `/api/v1/webhook-endpoints/${on.body.writeBack!.endpointId}`)).status).toBe(404);

    expect((await as(agent, 'PATCH', `/api/v1/contacts/${contactId}`, { attributes: { plan: 'platinum' } })).status).toBe(200);
    // The first write-back attempt gets no answer within the timeout (the CRM applies it anyway); the retry is answered.
    crm.writeBackDelays.push(TIMEOUT_MS * 3);
    expect((await as(agent, 'POST', `/api/v1/conversations/${conversationId}/resolve`, {})).status).toBeLessThan(300);

    const call = await eventually(async () => (await contactCrm(contactId)).calls.find((c) => c.kind === 'write_back' && c.deliveryStatus === 'succeeded'), 15_000, 'the write-back');
    expect(call.deliveryAttempts).toBe(2);
    const posts = crm.requests.filter((r) => r.path === '/write-back');
    expect(posts).toHaveLength(2);
    expect(new Set(posts.map((p) => p.headers['idempotency-key']))).toEqual(new Set([call.messageId]));
    expect(new Set(posts.map((p) => p.headers['webhook-id']))).toEqual(new Set([call.messageId]));
    expect(posts[0].headers.authorization).toBe('Bearer crm-s3cret');
    const verified = new Webhook(on.body.writeBackSecret!).verify(posts[1].body, posts[1].headers) as { type: string; data: Record<string, unknown> };
    expect(verified).toMatchObject({ type: 'crm.write_back', data: { contactId, conversationId, externalId: 'crm-3001', status: 'resolved', attributes: { plan: 'platinum' } } });
    expect(crm.applied).toHaveLength(1);

    // Another status change with nothing changed writes nothing back.
    expect((await as(agent, 'POST', `/api/v1/conversations/${conversationId}/reopen`, {})).status).toBeLessThan(300);
    await new Promise((r) => setTimeout(r, 1500));
    expect(crm.requests.filter((r) => r.path === '/write-back')).toHaveLength(2);
    expect(crm.applied).toHaveLength(1);
  });
});
