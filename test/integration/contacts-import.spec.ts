/**
 * Creating contacts by hand (POST /contacts) and in bulk from CSV (POST /contacts/import) through the
 * HTTP API on the real PostgreSQL: validation naming each field, the duplicate rule (409 naming the
 * field and the existing contact), identities the inbound path finds, per-row reports where a bad row
 * writes nothing and never blocks the good ones, header checks before anything is written, limits.
 */
import { EntityManager } from '@mikro-orm/postgresql';
import { Client } from 'pg';
import { findOrCreateContact } from '../../src/modules/contacts/find-or-create-contact';
import { http, signUp, startTestStack, type TestStack } from '../support/test-stack';

interface ContactView {
  id: string;
  name: string | null;
  email: string | null;
  phone: string | null;
  vip: boolean;
  tags: string[];
  identities: { channelType: string; address: string }[];
  attributes: { key: string; value: string | null }[];
}
interface ErrorBody {
  statusCode: number;
  code: string;
  message: string;
  details?: { field: string; problem: string; contactId?: string }[];
}
interface ImportReport {
  created: number;
  failed: number;
  rows: { line: number; status: 'created' | 'failed'; contactId?: string; errors: { field: string; problem: string; contactId?: string }[] }[];
}

const MAX_ROWS = 2000;
const MAX_BYTES = 300_000;

let stack: TestStack;
let db: Client;
let seq = 0;
const uniq = () => `${Date.now().toString(36)}${(++seq).toString(36)}`;

async function account(name: string) {
  const acc = await signUp(stack, name);
  const attr = async (body: object) => expect((await http(stack, 'POST', '/api/v1/contact-attributes', body, acc.token)).status).toBe(201);
  await attr({ key: 'tier', label: 'Tier', type: 'dropdown', options: ['Gold', 'Silver'] });
  await attr({ key: 'note', label: 'Note', type: 'text', visible: false });
  return acc;
}

async function importCsv(token: string, csv: string | Buffer, contentType = 'text/csv') {
  const res = await fetch(`${stack.baseUrl}/api/v1/contacts/import`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': contentType },
    body: csv,
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: (text ? JSON.parse(text) : undefined) as ImportReport & ErrorBody };
}

const contactsOf = async (accountId: string) =>
  (await db.query<{ n: number }>('select count(*)::int as n from contacts where account_id = $1', [accountId])).rows[0].n;

beforeAll(async () => {
  stack = await startTestStack({ worker: false, env: { CONTACT_IMPORT_MAX_ROWS: String(MAX_ROWS), CONTACT_IMPORT_MAX_BYTES: String(MAX_BYTES) } });
  db = new Client({ connectionString: stack.config.database.url });
  await db.connect();
}, 120_000);

afterAll(async () => {
  await db?.end();
  await stack?.close();
});

describe('POST /api/v1/contacts', () => {
  test('creates the contact with identities that the inbound path finds', async () => {
    const acc = await account('Create Ltd');
    const res = await http<ContactView>(
      stack,
      'POST',
      '/api/v1/contacts',
      { name: '  Jane Doe ', email: 'Jane.Doe@Example.com', phone: '+49 151 2345-6789', vip: true, tags: ['Newsletter', ' vip  lounge '], attributes: { tier: 'Gold', note: 'hidden one' } },
      acc.token,
    );
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ name: 'Jane Doe', email: 'Jane.Doe@Example.com', phone: '+49 151 2345-6789', vip: true, tags: ['newsletter', 'vip lounge'] });
    expect(res.body.identities.map((i) => [i.channelType, i.address])).toEqual([
      ['email', 'jane.doe@example.com'],
      ['sms', '+4915123456789'],
    ]);
    expect(res.body.attributes).toEqual([
      expect.objectContaining({ key: 'tier', value: 'Gold' }),
      expect.objectContaining({ key: 'note', value: 'hidden one' }),
    ]);
    expect((await http<ContactView>(stack, 'GET', `/api/v1/contacts/${res.body.id}`, undefined, acc.token)).body.id).toBe(res.body.id);

    // A first mail or SMS from that person lands on this contact.
    const em = stack.api.get(EntityManager).fork();
    expect((await findOrCreateContact(em, acc.accountId, 'email', { sourceId: 'jane.doe@example.com' })).id).toBe(res.body.id);
    expect((await findOrCreateContact(em, acc.accountId, 'sms', { sourceId: '+4915123456789' })).id).toBe(res.body.id);

    // Only a name is enough; a local number gets no sms identity.
    const local = await http<ContactView>(stack, 'POST', '/api/v1/contacts', { name: 'Local', phone: '030 1234 567' }, acc.token);
    expect(local.status).toBe(201);
    expect(local.body).toMatchObject({ name: 'Local', email: null, phone: '030 1234 567', vip: false, tags: [], identities: [] });
  });

  test('every invalid field is named in one 400, and nothing is written', async () => {
    const acc = await account('Create invalid');
    const res = await http<ErrorBody>(
      stack,
      'POST',
      '/api/v1/contacts',
      { email: 'not-an-email', phone: '12ab', tags: ['ok', ' '], attributes: { tier: 'Bronze', shoe_size: '44' } },
      acc.token,
    );
    expect(res.status).toBe(400);
    expect(res.body.details).toEqual([
      { field: 'email', problem: 'must be an email address' },
      { field: 'phone', problem: 'must be a phone number: 3 to 20 digits, optionally with a leading + and spaces ( ) - . /' },
      { field: 'tags[1]', problem: 'must not be empty' },
      { field: 'attributes.tier', problem: 'must be one of: Gold, Silver' },
      { field: 'attributes.shoe_size', problem: 'is not a custom attribute of this account (known: tier, note)' },
    ]);
    const empty = await http<ErrorBody>(stack, 'POST', '/api/v1/contacts', { vip: true }, acc.token);
    expect(empty.status).toBe(400);
    expect(empty.body.details).toEqual([{ field: 'name', problem: 'a contact needs a name, an email or a phone' }]);
    const nul = await http<ErrorBody>(stack, 'POST', '/api/v1/contacts', { name: 'a\u0000b' }, acc.token);
    expect(nul.status).toBe(400);
    expect(nul.body.details).toEqual([{ field: 'name', problem: 'must not contain the NUL character (\\u0000)' }]);
    const wrongType = await http<ErrorBody>(stack, 'POST', '/api/v1/contacts', { name: 5 }, acc.token);
    expect(wrongType.status).toBe(400);
    expect(await contactsOf(acc.accountId)).toBe(0);
  });

  test('an email or phone of another contact is a 409 naming the field and that contact', async () => {
    const acc = await account('Create duplicates');
    const first = await http<ContactView>(stack, 'POST', '/api/v1/contacts', { name: 'First', email: 'dup@example.com', phone: '+49 30 111' }, acc.token);
    expect(first.status).toBe(201);
    const byEmail = await http<ErrorBody>(stack, 'POST', '/api/v1/contacts', { name: 'Second', email: 'DUP@example.COM' }, acc.token);
    expect(byEmail.status).toBe(409);
    expect(byEmail.body.details).toEqual([{ field: 'email', problem: `contact ${first.body.id} already has this email address`, contactId: first.body.id }]);
    expect(byEmail.body.message).toBe(`email: contact ${first.body.id} already has this email address`);
    const both = await http<ErrorBody>(stack, 'POST', '/api/v1/contacts', { email: 'dup@example.com', phone: '+4930-111' }, acc.token);
    expect(both.status).toBe(409);
    expect(both.body.details!.map((d) => [d.field, d.contactId])).toEqual([
      ['email', first.body.id],
      ['phone', first.body.id],
    ]);
    // A contact that came in by email (identity only, email field cleared later) still counts.
    const em = stack.api.get(EntityManager).fork();
    const inbound = await em.transactional((tx) => findOrCreateContact(tx, acc.accountId, 'email', { sourceId: 'mailer@example.com' }));
    expect((await http(stack, 'PATCH', `/api/v1/contacts/${inbound.id}`, { email: null }, acc.token)).status).toBe(200);
    const byIdentity = await http<ErrorBody>(stack, 'POST', '/api/v1/contacts', { email: 'Mailer@example.com' }, acc.token);
    expect(byIdentity.status).toBe(409);
    expect(byIdentity.body.details![0].contactId).toBe(inbound.id);
    // Another account may have the same person.
    const other = await signUp(stack, 'Create other');
    expect((await http(stack, 'POST', '/api/v1/contacts', { email: 'dup@example.com' }, other.token)).status).toBe(201);
    expect(await contactsOf(acc.accountId)).toBe(2);
  });

  test('two creations of one email at once make one contact', async () => {
    const acc = await account('Create race');
    const email = `race-${uniq()}@example.com`;
    const results = await Promise.all([1, 2, 3, 4].map((i) => http(stack, 'POST', '/api/v1/contacts', { name: `Racer ${i}`, email }, acc.token)));
    expect(results.map((r) => r.status).sort()).toEqual([201, 409, 409, 409]);
    expect(await contactsOf(acc.accountId)).toBe(1);
  });

  test('managers and agents cannot create contacts', async () => {
    const acc = await account('Create roles');
    const email = `mgr-${uniq()}@example.com`;
    const user = await http<{ id: string }>(stack, 'POST', '/api/v1/users', { name: 'Manager', email, password: 'correct horse battery' }, acc.token);
    const inbox = await http<{ id: string }>(stack, 'POST', '/api/v1/inboxes', { name: 'M', channelType: 'api' }, acc.token);
    await http(stack, 'PUT', `/api/v1/inboxes/${inbox.body.id}/members/${user.body.id}`, { role: 'manager' }, acc.token);
    const login = await http<{ token: string }>(stack, 'POST', '/api/v1/auth/login', { email, password: 'correct horse battery' });
    const res = await http<ErrorBody>(stack, 'POST', '/api/v1/contacts', { name: 'X' }, login.body.token);
    expect(res.status).toBe(403);
    expect(res.body.message).toBe('creating contacts needs the account administrator role');
    const imported = await importCsv(login.body.token, 'name\nX\n');
    expect(imported.status).toBe(403);
    expect(imported.body.message).toBe('importing contacts needs the account administrator role');
    expect(await contactsOf(acc.accountId)).toBe(0);
  });
});

describe('POST /api/v1/contacts/import', () => {
  test('a per-row report: good rows are created, each bad row fails alone with nothing written', async () => {
    const acc = await account('Import Ltd');
    const existing = await http<ContactView>(stack, 'POST', '/api/v1/contacts', { name: 'Existing', email: 'existing@example.com' }, acc.token);
    const csv = [
      'name,email,phone,tags,vip,tier,note', // line 1
      'Ann,ann@example.com,+4915100000001,"newsletter, VIP lounge",yes,Gold,likes tea', // 2
      'Bad email,not-an-email,,,,,', // 3
      'Again,EXISTING@example.com,,,,,', // 4
      '"Multi', 'line",multi@example.com,,,false,,', // 5-6
      'Ann twin,ann@example.com,,,,,', // 7: same email as line 2
      'Vip?,vip@example.com,,,maybe,Bronze,', // 8
      'Short,short@example.com', // 9
      "'=1+1,formula@example.com,'+4930222,,1,,'@note", // 10
      ',,,,,,', // 11: nothing at all
      'Last,last@example.com,,,,Silver,', // 12
    ].join('\r\n');
    const res = await importCsv(acc.token, csv);
    expect(res.status).toBe(200);
    const ids = Object.fromEntries(res.body.rows.filter((r) => r.contactId).map((r) => [r.line, r.contactId]));
    expect(res.body).toEqual({
      created: 4,
      failed: 6,
      rows: [
        { line: 2, status: 'created', contactId: ids[2], errors: [] },
        { line: 3, status: 'failed', errors: [{ field: 'email', problem: 'must be an email address' }] },
        { line: 4, status: 'failed', errors: [{ field: 'email', problem: `contact ${existing.body.id} already has this email address`, contactId: existing.body.id }] },
        { line: 5, status: 'created', contactId: ids[5], errors: [] },
        { line: 7, status: 'failed', errors: [{ field: 'email', problem: `contact ${ids[2]} already has this email address`, contactId: ids[2] }] },
        {
          line: 8,
          status: 'failed',
          errors: [
            { field: 'vip', problem: 'must be true or false (or yes/no, 1/0)' },
            { field: 'tier', problem: 'must be one of: Gold, Silver' },
          ],
        },
        { line: 9, status: 'failed', errors: [{ field: 'row', problem: 'has 2 cells; the header has 7' }] },
        { line: 10, status: 'created', contactId: ids[10], errors: [] },
        { line: 11, status: 'failed', errors: [{ field: 'name', problem: 'a contact needs a name, an email or a phone' }] },
        { line: 12, status: 'created', contactId: ids[12], errors: [] },
      ],
    });
    const ann = (await http<ContactView>(stack, 'GET', `/api/v1/contacts/${ids[2]}`, undefined, acc.token)).body;
    expect(ann).toMatchObject({ name: 'Ann', email: 'ann@example.com', phone: '+4915100000001', vip: true, tags: ['newsletter', 'vip lounge'] });
    expect(ann.attributes.map((a) => [a.key, a.value])).toEqual([
      ['tier', 'Gold'],
      ['note', 'likes tea'],
    ]);
    expect(ann.identities.map((i) => i.channelType)).toEqual(['email', 'sms']);
    expect((await http<ContactView>(stack, 'GET', `/api/v1/contacts/${ids[5]}`, undefined, acc.token)).body.name).toBe('Multi\r\nline');
    // the export's formula guard is taken off again
    expect((await http<ContactView>(stack, 'GET', `/api/v1/contacts/${ids[10]}`, undefined, acc.token)).body).toMatchObject({ name: '=1+1', phone: '+4930222', vip: true });
    // nothing of the failed rows: 1 existing + 4 created
    expect(await contactsOf(acc.accountId)).toBe(5);
    const strays = await db.query(`select email from contacts where account_id = $1 and email in ('not-an-email', 'vip@example.com', 'short@example.com')`, [acc.accountId]);
    expect(strays.rows).toEqual([]);
  });

  test('an unknown or repeated column is a 400 naming it before anything is written', async () => {
    const acc = await account('Import header');
    const unknown = await importCsv(acc.token, 'name,email,shoe_size,Tier\nA,a@example.com,44,Gold\n');
    expect(unknown.status).toBe(400);
    expect(unknown.body.details).toEqual([
      { field: 'columns', problem: 'unknown column "shoe_size" (known: name, email, phone, tags, vip, tier, note)' },
      { field: 'columns', problem: 'unknown column "Tier" (known: name, email, phone, tags, vip, tier, note)' },
    ]);
    expect(unknown.body.message).toMatch(/nothing was imported$/);
    const twice = await importCsv(acc.token, 'name,email,name\nA,a@example.com,B\n');
    expect(twice.status).toBe(400);
    expect(twice.body.details).toEqual([{ field: 'columns', problem: 'column "name" appears twice' }]);
    expect(await contactsOf(acc.accountId)).toBe(0);
    // a header alone imports nothing and is fine
    expect((await importCsv(acc.token, '\ufeffname,email\r\n')).body).toEqual({ created: 0, failed: 0, rows: [] });
  });

  test('broken CSV, too many rows, too large, another content type or non-UTF-8 are refused before anything is written', async () => {
    const acc = await account('Import limits');
    const broken = await importCsv(acc.token, 'name,email\nA,a@example.com\n"B,b@example.com\n');
    expect(broken.status).toBe(400);
    expect(broken.body.details).toEqual([{ field: 'body', problem: 'is not valid CSV: line 3: a quoted field is not closed' }]);

    const tooMany = await importCsv(acc.token, `name\n${Array.from({ length: MAX_ROWS + 1 }, (_, i) => `Row ${i}`).join('\n')}\n`);
    expect(tooMany.status).toBe(400);
    expect(tooMany.body.details).toEqual([{ field: 'body', problem: `has more than ${MAX_ROWS} rows (CONTACT_IMPORT_MAX_ROWS); split the file` }]);

    const tooLarge = await importCsv(acc.token, `name\n${'x'.repeat(MAX_BYTES)}\n`);
    expect(tooLarge.status).toBe(413);
    expect(tooLarge.body).toMatchObject({ code: 'PAYLOAD_TOO_LARGE', message: `body: larger than ${MAX_BYTES} bytes (CONTACT_IMPORT_MAX_BYTES); split the file` });

    const json = await importCsv(acc.token, JSON.stringify({ name: 'A' }), 'application/json');
    expect(json.status).toBe(400);
    expect(json.body.details).toEqual([{ field: 'content-type', problem: 'must be text/csv (got "application/json")' }]);

    const latin1 = await importCsv(acc.token, Buffer.from('name\nJos\xe9\n', 'latin1'), 'text/csv; charset=utf-8');
    expect(latin1.status).toBe(400);
    expect(latin1.body.details).toEqual([{ field: 'body', problem: 'is not UTF-8 text' }]);

    const nul = await importCsv(acc.token, 'name,email\nA\u0000B,nul@example.com\n');
    expect(nul.body.rows).toEqual([{ line: 2, status: 'failed', errors: [{ field: 'name', problem: 'must not contain NUL characters' }] }]);
    expect(await contactsOf(acc.accountId)).toBe(0);
  });

  test('an export imports back into another account with the same values', async () => {
    const from = await account('Round trip from');
    const tricky = [
      { name: '=HYPERLINK("http://evil.example","x")', email: 'f1@example.com', phone: '+49 30 1', vip: true, attributes: { tier: 'Gold', note: "-2+3, 'quoted'" } },
      { name: "'=already", email: 'f2@example.com', attributes: { note: 'two\nlines @home' } },
      { name: '@user', phone: '+4917000000' },
    ];
    for (const c of tricky) expect((await http(stack, 'POST', '/api/v1/contacts', c, from.token)).status).toBe(201);
    const exported = await (
      await fetch(`${stack.baseUrl}/api/v1/contacts/export.csv?attributes=name,email,phone,vip,tier,note`, { headers: { authorization: `Bearer ${from.token}` } })
    ).text();
    const to = await account('Round trip to');
    const res = await importCsv(to.token, exported);
    expect(res.body).toMatchObject({ created: 3, failed: 0 });
    const rows = await db.query(
      `select name, email, phone, vip, attributes from contacts where account_id = $1 order by created_at, id`,
      [to.accountId],
    );
    expect(rows.rows).toEqual(
      tricky.map((c) => ({ name: c.name, email: c.email ?? null, phone: c.phone ?? null, vip: c.vip ?? false, attributes: c.attributes ?? {} })),
    );
  });

  test('a large import creates every row; a second import of the account meanwhile is a 429 with Retry-After', async () => {
    const acc = await account('Import bulk');
    const csv = `name,email,phone,tags,tier\n${Array.from({ length: MAX_ROWS }, (_, i) => `Bulk ${i},bulk${i}@example.com,+49151${String(i).padStart(7, '0')},imported,Silver`).join('\n')}\n`;
    const started = Date.now();
    const big = importCsv(acc.token, csv);
    await new Promise((r) => setTimeout(r, 300));
    const second = await importCsv(acc.token, 'name\nMeanwhile\n');
    expect(second.status).toBe(429);
    expect(second.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(second.body.message).toBe('an account may run at most 1 contact import at once; try again when it has finished');
    // another account imports at the same time
    const other = await account('Import bystander');
    expect((await importCsv(other.token, 'name\nBystander\n')).body).toMatchObject({ created: 1 });
    const res = await big;
    const ms = Date.now() - started;
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ created: MAX_ROWS, failed: 0 });
    expect(await contactsOf(acc.accountId)).toBe(MAX_ROWS);
    const identities = await db.query<{ n: number }>('select count(*)::int as n from contact_identities where account_id = $1', [acc.accountId]);
    expect(identities.rows[0].n).toBe(2 * MAX_ROWS);
    process.stdout.write(`[contacts-import] ${MAX_ROWS} rows in ${ms} ms (${Math.round((MAX_ROWS / ms) * 1000)} rows/s)\n`);
    expect((await importCsv(acc.token, 'name\nAfterwards\n')).body).toMatchObject({ created: 1 });
  }, 120_000);
});
