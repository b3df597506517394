/**
 * The CRM connector on the real services (PostgreSQL, Temporal, the API and a worker) against a fake
 * CRM on 127.0.0.1 that can be slow, fail and answer malformed JSON: lookups on contact creation and
 * conversation start (with the cache TTL), "test with this contact", refresh, the per-contact call
 * log, CRM-managed attributes read-only for agents unless write-back is on, write-back through the
 * webhooks pipeline (signed, retried after a timeout, applied once by its Idempotency-Key) with its
 * attempts in the API, and the lookups of a CSV import held to the connector's concurrency.
 */
import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { Webhook } from 'standardwebhooks';
import { CrmLookupDispatcher } from '../../src/modules/crm/crm-lookup-dispatcher';
import { CrmWorkflows } from '../../src/temporal/crm-workflows';
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
  idempotencyKey: string | null;
  attempts: Attempt[] | null;
}
interface Attempt {
  at: string;
  statusCode: number | null;
  durationMs: number;
  error: string | null;
  succeeded: boolean;
}
interface ContactCrm {
  connectors: { connectorId: string; externalId: string | null; managedAttributes: string[]; writeBackEnabled: boolean }[];
  attributes: { key: string; managedBy: string[]; editable: boolean; hint: string }[];
  calls: CrmCall[];
}
interface WriteBackPage {
  writeBacks: { callId: string; contactId: string; conversationId: string | null; idempotencyKey: string; status: string | null; attributes: Record<string, string | null>; attempts: Attempt[] }[];
  nextBefore: string | null;
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
    expect(connector).toMatchObject({ maxConcurrentLookups: 4 });
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
      [{ maxConcurrentLookups: 0 }, 'maxConcurrentLookups'],
      [{ maxConcurrentLookups: 51 }, 'maxConcurrentLookups'],
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

    // The API says which attributes are CRM-managed and whether the caller may edit them (the console's form).
    const forAgent = (await as<ContactCrm>(agent, 'GET', `/api/v1/contacts/${contactId}/crm`)).body.attributes;
    expect(forAgent).toEqual([
      { key: 'plan', managedBy: ['Fake CRM'], editable: false, hint: 'managed by "Fake CRM": read-only (write-back is off)' },
      { key: 'tier', managedBy: ['Fake CRM'], editable: false, hint: 'managed by "Fake CRM": read-only (write-back is off)' },
    ]);
    expect((await contactCrm(contactId)).attributes.map((a) => a.editable)).toEqual([true, true]);
    const refused = await as<ErrorBody>(agent, 'PATCH', `/api/v1/contacts/${contactId}`, { attributes: { plan: 'platinum' } });
    expect(refused.status).toBe(403);
    expect(refused.body.details).toEqual([{ field: 'attributes.plan', problem: expect.stringContaining('Fake CRM') }]);
    const both = await as<ErrorBody>(agent, 'PATCH', `/api/v1/contacts/${contactId}`, { attributes: { tier: '9', plan: 'platinum' } });
    expect(both.body.details?.map((d) => d.field)).toEqual(['attributes.tier', 'attributes.plan']);
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

    expect((await as<ContactCrm>(agent, 'GET', `/api/v1/contacts/${contactId}/crm`)).body.attributes[0]).toMatchObject({ key: 'plan', editable: true, hint: expect.stringContaining('written back') });
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

    // The attempts are in the contact's call log and in the connector's write-back log.
    expect(call.idempotencyKey).toBe(call.messageId);
    expect(call.attempts).toEqual([
      expect.objectContaining({ statusCode: null, error: `timed out after ${TIMEOUT_MS} ms`, succeeded: false }),
      expect.objectContaining({ statusCode: 200, error: null, succeeded: true }),
    ]);
    expect(call.attempts![0].durationMs).toBeGreaterThanOrEqual(TIMEOUT_MS - 50);
    expect(Date.parse(call.attempts![1].at)).toBeGreaterThan(Date.parse(call.attempts![0].at));
    const log = await as<WriteBackPage>(admin, 'GET', `/api/v1/crm-connectors/${connector.id}/write-backs?contactId=${contactId}`);
    expect(log.status).toBe(200);
    expect(log.body).toEqual({
      writeBacks: [expect.objectContaining({ contactId, conversationId, idempotencyKey: call.messageId, status: 'succeeded', attributes: { plan: 'platinum' }, attempts: call.attempts })],
      nextBefore: null,
    });
    const all = await as<WriteBackPage>(admin, 'GET', `/api/v1/crm-connectors/${connector.id}/write-backs?limit=1`);
    expect(all.body.writeBacks.map((w) => w.idempotencyKey)).toEqual([call.messageId]);
    for (const [query, field] of [['limit=0', 'limit'], ['contactId=x', 'contactId'], ['before=abc', 'before']]) {
      const bad = await as<ErrorBody>(admin, 'GET', `/api/v1/crm-connectors/${connector.id}/write-backs?${query}`);
      expect([bad.status, bad.body.details?.[0].field]).toEqual([400, field]);
    }
    expect((await as(agent, 'GET', `/api/v1/crm-connectors/${connector.id}/write-backs`)).status).toBe(403);

    // Another status change with nothing changed writes nothing back.
    expect((await as(agent, 'POST', `/api/v1/conversations/${conversationId}/reopen`, {})).status).toBeLessThan(300);
    await new Promise((r) => setTimeout(r, 1500));
    expect(crm.requests.filter((r) => r.path === '/write-back')).toHaveLength(2);
    expect(crm.applied).toHaveLength(1);
  });
});

describe('lookups of a contacts import', () => {
  test("a CSV import of many contacts reaches the CRM at most the connector's maxConcurrentLookups at once, across two dispatchers, and every contact gets its attributes", async () => {
    const N = 150;
    const BOUND = 3;
    const bulk = await startFakeCrm();
    bulk.lookupDelayMs = 100;
    const db = new Client({ connectionString: stack.config.database.url });
    await db.connect();
    // A second dispatcher on the same queue, as a second worker process has.
    const second = new CrmLookupDispatcher(stack.config, new CrmWorkflows(stack.temporal, stack.config));
    try {
      const owner = await signUp(stack, 'CRM import account');
      expect((await as(owner, 'POST', '/api/v1/contact-attributes', { key: 'plan', label: 'Plan', type: 'text' })).status).toBe(201);
      const created = await as<Connector & { maxConcurrentLookups: number }>(owner, 'POST', '/api/v1/crm-connectors', {
        name: 'Bulk CRM',
        lookupAttribute: 'email',
        lookupUrl: `${bulk.url}/contacts?email={{value}}`,
        maxConcurrentLookups: BOUND,
        mapping: [{ pointer: '/properties/plan', attribute: 'plan' }],
      });
      expect([created.status, created.body.maxConcurrentLookups]).toEqual([201, BOUND]);
      second.onApplicationBootstrap();
      const tag = randomUUID().slice(0, 8);
      const emails = Array.from({ length: N }, (_, i) => `bulk-${i}-${tag}@example.com`);
      emails.forEach((email, i) => bulk.records.set(email, { id: `bulk-${i}`, email, properties: { plan: `plan-${i}` } }));
      const csv = `name,email\n${emails.map((e, i) => `Bulk ${i},${e}`).join('\n')}\n`;
      const started = Date.now();
      const res = await fetch(`${stack.baseUrl}/api/v1/contacts/import`, { method: 'POST', headers: { authorization: `Bearer ${owner.token}`, 'content-type': 'text/csv' }, body: csv });
      expect(res.status).toBe(200);
      expect(((await res.json()) as { created: number }).created).toBe(N);

      const filled = async () =>
        (await db.query<{ n: number }>(`select count(*)::int as n from contacts where account_id = $1 and attributes ->> 'plan' like 'plan-%'`, [owner.accountId])).rows[0].n;
      await eventually(async () => ((await filled()) === N ? true : undefined), 90_000, 'every imported contact filled from the CRM');
      const took = Date.now() - started;
      const lookups = bulk.requests.filter((r) => r.method === 'GET');
      expect(new Set(lookups.map((r) => r.path)).size).toBe(N);
      expect(lookups).toHaveLength(N);
      expect(bulk.maxLookupsInFlight).toBeLessThanOrEqual(BOUND);
      // The bound is used, not undercut: more than one at once.
      expect(bulk.maxLookupsInFlight).toBeGreaterThanOrEqual(2);
      // At most BOUND at once, each at least 100 ms: no faster than N / BOUND * 100 ms.
      expect(took).toBeGreaterThanOrEqual((N / BOUND) * 100);
      const contact = (await db.query<{ id: string; attributes: Record<string, string> }>(`select id, attributes from contacts where account_id = $1 and email = $2`, [owner.accountId, emails[7]])).rows[0];
      expect(contact.attributes.plan).toBe('plan-7');
      const left = await eventually(
        async () => {
          const n = (await db.query<{ n: number }>('select count(*)::int as n from crm_lookup_queue where connector_id = $1', [created.body.id])).rows[0].n;
          return n === 0 ? n : undefined;
        },
        5000,
        'the queue emptied',
      );
      expect(left).toBe(0);
    } finally {
      second.onModuleDestroy();
      await db.end();
      await bulk.close();
    }
  }, 150_000);
});
