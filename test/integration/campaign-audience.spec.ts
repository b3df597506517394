/**
 * Contact tags, campaign audiences by tag and the campaign list, on the real stack: PostgreSQL,
 * Temporal, the API and a worker in this process; SMS goes out through the official `twilio` client
 * to the local fake of the Twilio REST API (test/support/fake-twilio.ts).
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { startFakeTwilio, type FakeTwilio } from '../support/fake-twilio';
import { eventually, http, signUp, startTestStack, type TestStack } from '../support/test-stack';

const PUBLIC_URL = 'https://cx.example.test';
const ACCOUNT_SID = `AC${randomBytes(16).toString('hex')}`;
const AUTH_TOKEN = randomBytes(16).toString('hex');
const FROM_NUMBER = '+15005550006';

interface ContactView {
  id: string;
  name: string | null;
  tags: string[];
}
interface ContactPage {
  items: ContactView[];
  nextCursor: string | null;
}
interface CampaignView {
  id: string;
  inboxId: string;
  name: string;
  status: string;
  audience: { contactIds?: string[]; tags?: string[]; attributes?: Record<string, string> };
  audienceCount: number;
  workflowId: string;
}
interface CampaignPage {
  items: CampaignView[];
  nextCursor: string | null;
}
interface ErrorBody {
  message: string;
  details?: { field: string; problem: string }[];
}
type Account = Awaited<ReturnType<typeof signUp>>;

let stack: TestStack;
let fake: FakeTwilio;
let db: Client;
let admin: Account;
let other: Account;
let smsInbox: string;
let apiInbox: string;
let agent: { id: string; token: string };
let outsider: { id: string; token: string };
let seq = 0;
let numberBase = 3_000_000 + Math.floor(Math.random() * 1_000_000);
const uniq = () => `${Date.now().toString(36)}${(++seq).toString(36)}${Math.random().toString(36).slice(2, 6)}`;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const as = <T>(token: string, method: string, path: string, body?: unknown) => http<T>(stack, method, path, body, token);
const asAdmin = <T>(method: string, path: string, body?: unknown) => as<T>(admin.token, method, path, body);

async function createUser(owner: Account, name: string): Promise<{ id: string; token: string }> {
  const email = `audience-${uniq()}@example.com`;
  const created = await as<{ id: string }>(owner.token, 'POST', '/api/v1/users', { name, email, password: 'correct horse battery' });
  expect(created.status).toBe(201);
  const login = await http<{ token: string }>(stack, 'POST', '/api/v1/auth/login', { email, password: 'correct horse battery' });
  expect(login.status).toBe(200);
  return { id: created.body.id, token: login.body.token };
}

async function createInbox(owner: Account, name: string, channelType: 'api' | 'sms' = 'api'): Promise<string> {
  const res = await as<{ id: string }>(owner.token, 'POST', '/api/v1/inboxes', { name, channelType });
  expect(res.status).toBe(201);
  return res.body.id;
}

async function setRole(owner: Account, inboxId: string, userId: string, role: 'member' | 'manager') {
  expect((await as(owner.token, 'PUT', `/api/v1/inboxes/${inboxId}/members/${userId}`, { role })).status).toBe(200);
}

/** A contact with a conversation in the API inbox (so the inbox's members see it). */
async function inboundContact(name: string): Promise<string> {
  const res = await asAdmin<{ contactId: string }>('POST', `/api/v1/inboxes/${apiInbox}/inbound-messages`, { contact: { sourceId: `src-${uniq()}`, name }, content: 'hello' });
  if (res.status !== 201) throw new Error(`inbound failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.contactId;
}

/** SMS contacts (phone and sms identity) written straight to the database, with tags and custom attributes. */
async function makeContacts(accountId: string, specs: { tags?: string[]; attributes?: Record<string, string> }[]): Promise<{ id: string; phone: string }[]> {
  const out: { id: string; phone: string }[] = [];
  for (const spec of specs) {
    const contact = { id: randomUUID(), phone: `+1555${String(numberBase++).padStart(7, '0')}` };
    await db.query(`insert into contacts (id, account_id, name, phone, tags, attributes) values ($1, $2, $3, $4, $5::text[], $6::jsonb)`, [
      contact.id,
      accountId,
      `Person ${out.length}`,
      contact.phone,
      spec.tags ?? [],
      JSON.stringify(spec.attributes ?? {}),
    ]);
    await db.query(`insert into contact_identities (id, account_id, contact_id, channel_type, address) values (gen_random_uuid(), $1, $2, 'sms', $3)`, [
      accountId,
      contact.id,
      contact.phone,
    ]);
    out.push(contact);
  }
  return out;
}

async function createCampaign(owner: Account, body: Record<string, unknown>): Promise<CampaignView> {
  const res = await as<CampaignView>(owner.token, 'POST', '/api/v1/campaigns', { name: `Campaign ${uniq()}`, type: 'promotional', template: 'Hello', audience: {}, ...body });
  if (res.status !== 201) throw new Error(`campaign creation failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

const preview = async (id: string) => {
  const res = await asAdmin<{ count: number; optedOut: number }>('POST', `/api/v1/campaigns/${id}/audience-preview`);
  expect(res.status).toBe(200);
  return res.body;
};

beforeAll(async () => {
  fake = await startFakeTwilio();
  stack = await startTestStack({ env: { TWILIO_API_BASE_URL: fake.baseUrl, PUBLIC_URL, LOG_LEVEL: 'error' } });
  db = new Client({ connectionString: stack.config.database.url });
  await db.connect();
  admin = await signUp(stack, 'Audience Co');
  other = await signUp(stack, 'Other Co');
  smsInbox = await createInbox(admin, 'Promotions', 'sms');
  const put = await asAdmin('PUT', `/api/v1/inboxes/${smsInbox}/sms-channel`, { accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN, fromNumber: FROM_NUMBER });
  expect(put.status).toBe(200);
  apiInbox = await createInbox(admin, 'Support');
  agent = await createUser(admin, 'Agent');
  outsider = await createUser(admin, 'Outsider');
  await setRole(admin, apiInbox, agent.id, 'member');
}, 120_000);

afterAll(async () => {
  await db?.end();
  await stack?.close();
  await fake?.close();
});

describe('contact tags', () => {
  test('PATCH replaces the set (normalised, sorted), other fields keep them, [] clears them; the view and the row agree', async () => {
    const id = await inboundContact('Tagged');
    const url = `/api/v1/contacts/${id}`;
    expect((await asAdmin<ContactView>('GET', url)).body.tags).toEqual([]);

    const set = await asAdmin<ContactView>('PATCH', url, { tags: ['  Newsletter ', 'VIP   Lounge', 'newsletter', 'alpha'] });
    expect(set.status).toBe(200);
    expect(set.body.tags).toEqual(['alpha', 'newsletter', 'vip lounge']);
    expect((await asAdmin<ContactView>('GET', url)).body.tags).toEqual(['alpha', 'newsletter', 'vip lounge']);
    expect((await db.query(`select tags from contacts where id = $1`, [id])).rows[0].tags).toEqual(['alpha', 'newsletter', 'vip lounge']);

    // Replaced, not added to; a PATCH without tags keeps them.
    expect((await asAdmin<ContactView>('PATCH', url, { tags: ['beta'] })).body.tags).toEqual(['beta']);
    const renamed = await asAdmin<ContactView>('PATCH', url, { name: 'Renamed' });
    expect(renamed.body).toMatchObject({ name: 'Renamed', tags: ['beta'] });

    // Tags that an unquoted array literal would mangle are stored as the text they are.
    const odd = ['null', 'a,b', 'say "hi"', 'back\\slash', '{brace}'];
    const stored = await asAdmin<ContactView>('PATCH', url, { tags: odd });
    expect(stored.status).toBe(200);
    expect(stored.body.tags).toEqual([...odd].sort());
    expect((await db.query(`select tags, array_position(tags, null) as nul from contacts where id = $1`, [id])).rows[0]).toEqual({ tags: [...odd].sort(), nul: null });

    const cleared = await asAdmin<ContactView>('PATCH', url, { tags: [] });
    expect(cleared.status).toBe(200);
    expect(cleared.body.tags).toEqual([]);
    expect((await db.query(`select tags from contacts where id = $1`, [id])).rows[0].tags).toEqual([]);
  });

  test('the users who may update the contact set its tags; others get 403 and change nothing', async () => {
    const id = await inboundContact('Agent tagged');
    const byAgent = await as<ContactView>(agent.token, 'PATCH', `/api/v1/contacts/${id}`, { tags: ['from agent'] });
    expect(byAgent.status).toBe(200);
    expect(byAgent.body.tags).toEqual(['from agent']);
    const denied = await as<ErrorBody>(outsider.token, 'PATCH', `/api/v1/contacts/${id}`, { tags: ['from outsider'] });
    expect(denied.status).toBe(403);
    const foreign = await as<ErrorBody>(other.token, 'PATCH', `/api/v1/contacts/${id}`, { tags: ['foreign'] });
    expect(foreign.status).toBe(404);
    expect((await asAdmin<ContactView>('GET', `/api/v1/contacts/${id}`)).body.tags).toEqual(['from agent']);
  });

  test.each([
    ['not an array', 'newsletter', 'tags'],
    ['a number', ['ok', 5], 'tags'],
    ['51 tags', Array.from({ length: 51 }, (_v, i) => `t${i}`), 'tags'],
    ['a blank tag', ['ok', '   '], 'tags[1]'],
    ['a tag of 51 characters', ['x'.repeat(51)], 'tags[0]'],
  ])('bad tags (%s) → 400 naming the field, nothing stored', async (_name, tags, field) => {
    const id = await inboundContact('Bad tags');
    await asAdmin('PATCH', `/api/v1/contacts/${id}`, { tags: ['kept'] });
    const res = await asAdmin<ErrorBody>('PATCH', `/api/v1/contacts/${id}`, { tags, name: 'Not renamed' });
    expect(res.status).toBe(400);
    expect(res.body.details?.[0].field).toBe(field);
    expect((await asAdmin<ContactView>('GET', `/api/v1/contacts/${id}`)).body).toMatchObject({ name: 'Bad tags', tags: ['kept'] });
  });

  test('the contact list filters by tag (normalised), respects visibility, and the CSV export shares the filter', async () => {
    const t = uniq();
    const [a, b, c] = [await inboundContact(`List ${t} A`), await inboundContact(`List ${t} B`), await inboundContact(`List ${t} C`)];
    await asAdmin('PATCH', `/api/v1/contacts/${a}`, { tags: [`red-${t}`, `blue-${t}`] });
    await asAdmin('PATCH', `/api/v1/contacts/${b}`, { tags: [`blue-${t}`] });
    await asAdmin('PATCH', `/api/v1/contacts/${c}`, { tags: [`green-${t}`] });
    const [hidden] = await makeContacts(admin.accountId, [{ tags: [`blue-${t}`] }]); // no conversation: agents do not see it

    const blue = await asAdmin<ContactPage>('GET', `/api/v1/contacts?tag=${encodeURIComponent(`  BLUE-${t} `)}`);
    expect(blue.status).toBe(200);
    expect(blue.body.items.map((i) => i.id).sort()).toEqual([a, b, hidden.id].sort());
    expect(blue.body.items.find((i) => i.id === a)?.tags).toEqual([`blue-${t}`, `red-${t}`]);
    expect((await asAdmin<ContactPage>('GET', `/api/v1/contacts?tag=red-${t}`)).body.items.map((i) => i.id)).toEqual([a]);
    expect((await asAdmin<ContactPage>('GET', `/api/v1/contacts?tag=nothing-${t}`)).body.items).toEqual([]);
    // Combined with the other filters; paged.
    const q = encodeURIComponent(`List ${t}`);
    const first = await asAdmin<ContactPage>('GET', `/api/v1/contacts?q=${q}&tag=blue-${t}&limit=1`);
    expect(first.body.items.map((i) => i.id)).toEqual([b]);
    const second = await asAdmin<ContactPage>('GET', `/api/v1/contacts?q=${q}&tag=blue-${t}&limit=1&cursor=${first.body.nextCursor}`);
    expect(second.body).toEqual({ items: [expect.objectContaining({ id: a })], nextCursor: null });
    expect((await as<ContactPage>(agent.token, 'GET', `/api/v1/contacts?tag=blue-${t}`)).body.items.map((i) => i.id).sort()).toEqual([a, b].sort());

    const csv = await fetch(`${stack.baseUrl}/api/v1/contacts/export.csv?tag=green-${t}&attributes=id&header=false`, { headers: { authorization: `Bearer ${admin.token}` } });
    expect(await csv.text()).toBe(`${c}\r\n`);

    const blank = await asAdmin<ErrorBody>('GET', '/api/v1/contacts?tag=%20%20');
    expect(blank.status).toBe(400);
    expect(blank.body.details).toEqual([{ field: 'tag', problem: 'must not be empty' }]);
    const long = await asAdmin<ErrorBody>('GET', `/api/v1/contacts?tag=${'x'.repeat(51)}`);
    expect(long.status).toBe(400);
    expect(long.body.details?.[0].field).toBe('tag');
  });

  test('merging unites the tags', async () => {
    const [a, b] = [await inboundContact('Merge A'), await inboundContact('Merge B')];
    await asAdmin('PATCH', `/api/v1/contacts/${a}`, { tags: ['one', 'two'] });
    await asAdmin('PATCH', `/api/v1/contacts/${b}`, { tags: ['three', 'two'] });
    const merged = await asAdmin<ContactView>('POST', `/api/v1/contacts/${a}/merge`, { otherContactId: b });
    expect(merged.status).toBe(200);
    expect(merged.body.tags).toEqual(['one', 'three', 'two']);
  });
});

describe('campaign audience by tags', () => {
  test('contacts having ANY of the tags, AND the attribute filter and the id list; preview and opted-out count follow', async () => {
    const t = uniq();
    const [red, blue] = [`red-${t}`, `blue-${t}`];
    const contacts = await makeContacts(admin.accountId, [
      { tags: [red], attributes: { city: 'Berlin' } }, // 0
      { tags: [red] }, // 1
      { tags: [blue], attributes: { city: 'Berlin' } }, // 2
      { tags: [red, blue], attributes: { city: 'Paris' } }, // 3
      { tags: [`green-${t}`], attributes: { city: 'Berlin' } }, // 4
      { attributes: { city: 'Berlin' } }, // 5
    ]);
    await makeContacts(other.accountId, [{ tags: [red] }]); // the same tag in another account
    await db.query(`insert into contact_opt_outs (id, contact_id, channel_type, source) values (gen_random_uuid(), $1, 'sms', 'manual:test'), (gen_random_uuid(), $2, 'sms', 'manual:test')`, [
      contacts[1].id,
      contacts[5].id, // opted out, but not in the audience
    ]);

    const anyTag = await createCampaign(admin, { inboxId: smsInbox, audience: { tags: [` ${red.toUpperCase()} `, blue, red] } });
    expect(anyTag.audience).toEqual({ tags: [red, blue] });
    expect(anyTag.audienceCount).toBe(4);
    expect(await preview(anyTag.id)).toEqual({ count: 4, optedOut: 1 });

    const inBerlin = await createCampaign(admin, { inboxId: smsInbox, audience: { tags: [red, blue], attributes: { city: 'Berlin' } } });
    expect(inBerlin.audienceCount).toBe(2);
    expect(await preview(inBerlin.id)).toEqual({ count: 2, optedOut: 0 });

    const listed = await createCampaign(admin, { inboxId: smsInbox, audience: { tags: [blue], contactIds: [contacts[0].id, contacts[3].id, contacts[5].id] } });
    expect(listed.audienceCount).toBe(1);

    // Editing the draft's audience re-counts.
    const edited = await asAdmin<CampaignView>('PATCH', `/api/v1/campaigns/${anyTag.id}`, { audience: { tags: [`green-${t}`] } });
    expect(edited.status).toBe(200);
    expect(edited.body.audienceCount).toBe(1);
    expect(await preview(anyTag.id)).toEqual({ count: 1, optedOut: 0 });
  });

  test.each([
    ['not an array', 'red', 'audience.tags'],
    ['a number', ['red', 7], 'audience.tags'],
    ['51 tags', Array.from({ length: 51 }, (_v, i) => `t${i}`), 'audience.tags'],
    ['no tag', [], 'audience.tags'],
    ['a blank tag', ['red', ' '], 'audience.tags[1]'],
    ['a tag of 51 characters', ['y'.repeat(51)], 'audience.tags[0]'],
  ])('bad audience tags (%s) → 400 naming the field', async (_name, tags, field) => {
    const res = await asAdmin<ErrorBody>('POST', '/api/v1/campaigns', { name: 'Bad', type: 'one_off', inboxId: smsInbox, template: 'Hi', audience: { tags } });
    expect(res.status).toBe(400);
    expect(res.body.details?.[0].field).toBe(field);
    const draft = await createCampaign(admin, { inboxId: smsInbox, audience: { tags: ['fine'] } });
    const patched = await asAdmin<ErrorBody>('PATCH', `/api/v1/campaigns/${draft.id}`, { audience: { tags } });
    expect(patched.status).toBe(400);
    expect(patched.body.details?.[0].field).toBe(field);
  });

  test('a run sends only to the contacts having one of the tags (in this account), each once', async () => {
    const t = uniq();
    const [gold, silver] = [`gold-${t}`, `silver-${t}`];
    const contacts = await makeContacts(admin.accountId, [
      { tags: [gold] },
      { tags: [silver, 'unrelated'] },
      { tags: [gold, silver] },
      { tags: ['unrelated'] },
      {},
      { tags: [gold] },
    ]);
    const tagged = [contacts[0], contacts[1], contacts[2], contacts[5]];
    const untagged = [contacts[3], contacts[4]];
    const [foreign] = await makeContacts(other.accountId, [{ tags: [gold] }]);
    const marker = `[tags-${t}]`;
    const campaign = await createCampaign(admin, { inboxId: smsInbox, audience: { tags: [gold, silver] }, template: `${marker} Hi {{contact.name}}` });
    expect(campaign.audienceCount).toBe(4);
    expect((await asAdmin('POST', `/api/v1/campaigns/${campaign.id}/start`)).status).toBe(200);
    await eventually(async () => ((await asAdmin<{ status: string }>('GET', `/api/v1/campaigns/${campaign.id}/progress`)).body.status === 'completed' ? true : undefined), 30_000, 'the run');

    const calls = fake.requests.filter((r) => r.method === 'POST' && r.form.Body?.startsWith(marker)).map((r) => r.form.To);
    expect(calls.sort()).toEqual(tagged.map((c) => c.phone).sort());
    expect(calls.filter((to) => [...untagged, foreign].some((c) => c.phone === to))).toEqual([]);
    const progress = await asAdmin('GET', `/api/v1/campaigns/${campaign.id}/progress`);
    expect(progress.body).toMatchObject({ status: 'completed', total: 4, sent: 4, failed: 0, remaining: 0 });
    const recipients = await db.query<{ contact_id: string }>(`select contact_id from campaign_recipients where campaign_id = $1`, [campaign.id]);
    expect(recipients.rows.map((r) => r.contact_id).sort()).toEqual(tagged.map((c) => c.id).sort());

    // Tagging one more contact afterwards: GET counts the audience now, the list shows the size the run had.
    await db.query(`update contacts set tags = array[$1] where id = $2`, [gold, untagged[0].id]);
    expect((await asAdmin<CampaignView>('GET', `/api/v1/campaigns/${campaign.id}`)).body.audienceCount).toBe(5);
    const listed = await asAdmin<CampaignPage>('GET', `/api/v1/campaigns?inboxId=${smsInbox}&status=completed&limit=200`);
    expect(listed.body.items.find((c) => c.id === campaign.id)?.audienceCount).toBe(4);
  }, 60_000);
});

describe('GET /api/v1/campaigns', () => {
  let owner: Account;
  let manager: { id: string; token: string };
  let member: { id: string; token: string };
  let inboxOne: string;
  let inboxTwo: string;
  /** Oldest first. */
  const made: CampaignView[] = [];
  const ids = (page: CampaignPage) => page.items.map((c) => c.id);
  const list = (token: string, query = '') => as<CampaignPage>(token, 'GET', `/api/v1/campaigns${query}`);

  beforeAll(async () => {
    owner = await signUp(stack, 'Campaign list Co');
    inboxOne = await createInbox(owner, 'One');
    inboxTwo = await createInbox(owner, 'Two');
    manager = await createUser(owner, 'Manager');
    member = await createUser(owner, 'Member');
    await setRole(owner, inboxOne, manager.id, 'manager');
    await setRole(owner, inboxTwo, manager.id, 'member');
    await setRole(owner, inboxOne, member.id, 'member');
    await makeContacts(owner.accountId, [{ tags: ['a'] }, { tags: ['a', 'b'] }, { tags: ['b'], attributes: { city: 'Rome' } }, {}]);
    const audiences = [{}, { tags: ['a'] }, { tags: ['b'], attributes: { city: 'Rome' } }, { tags: ['nobody'] }, { tags: ['a', 'b'] }];
    const inboxes = [inboxOne, inboxOne, inboxOne, inboxTwo, inboxTwo];
    for (let i = 0; i < audiences.length; i++) {
      made.push(await createCampaign(owner, { name: `List ${i}`, inboxId: inboxes[i], audience: audiences[i] }));
      await sleep(5); // distinct creation times, so "newest first" is not decided by the id tie-break
    }
    expect((await as(owner.token, 'POST', `/api/v1/campaigns/${made[2].id}/cancel`)).status).toBe(200);
  });

  test('administrators get every campaign of their account, newest first, each as GET /:id shows it', async () => {
    const res = await list(owner.token);
    expect(res.status).toBe(200);
    expect(ids(res.body)).toEqual([...made].reverse().map((c) => c.id));
    expect(res.body.nextCursor).toBeNull();
    expect(res.body.items.map((c) => c.audienceCount)).toEqual([3, 0, 1, 2, 4]);
    for (const item of res.body.items) {
      expect(item).toEqual((await as<CampaignView>(owner.token, 'GET', `/api/v1/campaigns/${item.id}`)).body);
    }
  });

  test('managers get the campaigns of the inboxes they manage; team members and other accounts none', async () => {
    expect(ids((await list(manager.token)).body)).toEqual([made[2].id, made[1].id, made[0].id]);
    const asMember = await list(member.token);
    expect(asMember.status).toBe(200);
    expect(asMember.body).toEqual({ items: [], nextCursor: null });
    const foreign = await list(other.token);
    expect(foreign.status).toBe(200);
    expect(ids(foreign.body).filter((id) => made.some((m) => m.id === id))).toEqual([]);
  });

  test('filtered by inbox (which the caller must manage) and by status', async () => {
    expect(ids((await list(owner.token, `?inboxId=${inboxTwo}`)).body)).toEqual([made[4].id, made[3].id]);
    expect(ids((await list(manager.token, `?inboxId=${inboxOne}`)).body)).toEqual([made[2].id, made[1].id, made[0].id]);
    expect(ids((await list(owner.token, '?status=cancelled')).body)).toEqual([made[2].id]);
    expect(ids((await list(manager.token, `?inboxId=${inboxOne}&status=draft`)).body)).toEqual([made[1].id, made[0].id]);
    expect((await list(owner.token, '?status=running')).body.items).toEqual([]);

    const notManaged = await list(manager.token, `?inboxId=${inboxTwo}`);
    expect(notManaged.status).toBe(403);
    expect((await list(member.token, `?inboxId=${inboxOne}`)).status).toBe(403);
    expect((await list(other.token, `?inboxId=${inboxOne}`)).status).toBe(404);
  });

  test('paged by cursor', async () => {
    const first = await list(owner.token, '?limit=2');
    expect(ids(first.body)).toEqual([made[4].id, made[3].id]);
    expect(first.body.nextCursor).toEqual(expect.any(String));
    const second = await list(owner.token, `?limit=2&cursor=${first.body.nextCursor}`);
    expect(ids(second.body)).toEqual([made[2].id, made[1].id]);
    const third = await list(owner.token, `?limit=2&cursor=${second.body.nextCursor}`);
    expect(third.body).toEqual({ items: [expect.objectContaining({ id: made[0].id })], nextCursor: null });
    // The cursor combines with the filters.
    const drafts = await list(owner.token, `?status=draft&limit=3`);
    expect(ids(drafts.body)).toEqual([made[4].id, made[3].id, made[1].id]);
    expect(ids((await list(owner.token, `?status=draft&limit=3&cursor=${drafts.body.nextCursor}`)).body)).toEqual([made[0].id]);
  });

  test.each([
    ['an unknown status', '?status=sent', 'status'],
    ['an inbox id that is not a uuid', '?inboxId=inbox-1', 'inboxId'],
    ['a limit of 0', '?limit=0', 'limit'],
    ['a limit above 200', '?limit=201', 'limit'],
    ['a cursor that was not returned by the list', '?cursor=garbage', 'cursor'],
  ])('%s → 400 naming the field', async (_name, query, field) => {
    const res = await list(owner.token, query);
    expect(res.status).toBe(400);
    expect(res.body as unknown as ErrorBody).toMatchObject({ details: [expect.objectContaining({ field })] });
  });

  test('without a token: 401', async () => {
    expect((await http(stack, 'GET', '/api/v1/campaigns')).status).toBe(401);
  });
});
