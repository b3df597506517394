/** Saved replies over HTTP: scopes and who may use or change them, lookup, variables, render. */
import { EntityManager } from '@mikro-orm/postgresql';
import { http, signUp, startTestStack, type TestStack } from '../support/test-stack';

interface ErrorBody {
  message: string;
  details?: { field: string; problem: string }[];
}
interface ReplyView {
  id: string;
  scope: string;
  inboxId: string | null;
  teamId: string | null;
  ownerUserId: string | null;
  shortcut: string;
  content: string;
  canEdit: boolean;
}

let stack: TestStack;
let admin: { token: string; accountId: string; userId: string };
let other: { token: string };
/** member of inbox A */
let agent: { id: string; token: string };
/** manager of inbox A */
let manager: { id: string; token: string };
/** in the account, no inbox */
let outsider: { id: string; token: string };
let inboxA: string;
let inboxB: string;
let teamId: string;

async function newUser(name: string) {
  const email = `sr-${name.toLowerCase()}-${Date.now()}-${Math.random().toString(36).slice(2, 7)}@example.com`;
  const created = await http<{ id: string }>(stack, 'POST', '/api/v1/users', { name, email, password: 'correct horse battery' }, admin.token);
  expect(created.status).toBe(201);
  const login = await http<{ token: string }>(stack, 'POST', '/api/v1/auth/login', { email, password: 'correct horse battery' });
  return { id: created.body.id, token: login.body.token };
}

const as = <T = unknown>(who: { token: string }, method: string, path: string, body?: unknown) => http<T>(stack, method, path, body, who.token);
const create = (who: { token: string }, body: Record<string, unknown>) => as<ReplyView & ErrorBody>(who, 'POST', '/api/v1/saved-replies', body);
const list = async (who: { token: string }, query = '') => {
  const res = await as<ReplyView[]>(who, 'GET', `/api/v1/saved-replies${query}`);
  expect(res.status).toBe(200);
  return res.body;
};

beforeAll(async () => {
  stack = await startTestStack();
  admin = await signUp(stack, 'Replies Ltd');
  other = await signUp(stack, 'Other Ltd');
  [agent, manager, outsider] = [await newUser('Agent'), await newUser('Manager'), await newUser('Outsider')];
  inboxA = (await as<{ id: string }>(admin, 'POST', '/api/v1/inboxes', { name: 'A', channelType: 'api' })).body.id;
  inboxB = (await as<{ id: string }>(admin, 'POST', '/api/v1/inboxes', { name: 'B', channelType: 'api' })).body.id;
  await as(admin, 'PUT', `/api/v1/inboxes/${inboxA}/members/${agent.id}`, { role: 'member' });
  await as(admin, 'PUT', `/api/v1/inboxes/${inboxA}/members/${manager.id}`, { role: 'manager' });
  teamId = (await as<{ id: string }>(admin, 'POST', '/api/v1/teams', { name: 'Billing' })).body.id;
  await as(admin, 'PUT', `/api/v1/teams/${teamId}/members/${agent.id}`);
});

afterAll(async () => {
  await stack?.close();
});

describe('personal replies', () => {
  test('only the owner sees, changes and deletes them; the shortcut is lower-cased', async () => {
    const mine = await create(agent, { scope: 'personal', shortcut: ' Thanks ', content: 'Thank you!' });
    expect(mine.status).toBe(201);
    expect(mine.body).toMatchObject({ scope: 'personal', ownerUserId: agent.id, inboxId: null, teamId: null, shortcut: 'thanks', canEdit: true });

    expect((await list(agent)).map((r) => r.id)).toContain(mine.body.id);
    expect((await list(manager)).map((r) => r.id)).not.toContain(mine.body.id);
    expect((await list(admin)).map((r) => r.id)).not.toContain(mine.body.id);

    const foreign = await as<ErrorBody>(admin, 'PATCH', `/api/v1/saved-replies/${mine.body.id}`, { content: 'hijacked' });
    expect(foreign.status).toBe(404);
    expect(foreign.body.message).toContain(`saved reply ${mine.body.id} was not found`);
    expect((await as(manager, 'DELETE', `/api/v1/saved-replies/${mine.body.id}`)).status).toBe(404);

    const changed = await as<ReplyView>(agent, 'PATCH', `/api/v1/saved-replies/${mine.body.id}`, { content: 'Thanks a lot!', shortcut: 'THX' });
    expect(changed.status).toBe(200);
    expect(changed.body).toMatchObject({ shortcut: 'thx', content: 'Thanks a lot!' });
    expect((await as(agent, 'DELETE', `/api/v1/saved-replies/${mine.body.id}`)).status).toBe(204);
    expect((await list(agent)).map((r) => r.id)).not.toContain(mine.body.id);
  });

  test('the shortcut is unique per scope (409 naming shortcut), not across scopes', async () => {
    expect((await create(agent, { scope: 'personal', shortcut: 'bye', content: 'Bye!' })).status).toBe(201);
    const dup = await create(agent, { scope: 'personal', shortcut: 'BYE', content: 'Bye again' });
    expect(dup.status).toBe(409);
    expect(dup.body.message).toContain('shortcut');
    expect(dup.body.details).toEqual([{ field: 'shortcut', problem: 'already used in this scope' }]);
    expect((await create(manager, { scope: 'personal', shortcut: 'bye', content: 'Ciao' })).status).toBe(201);
    expect((await create(manager, { scope: 'inbox', inboxId: inboxA, shortcut: 'bye', content: 'Bye from A' })).status).toBe(201);

    const other = await create(agent, { scope: 'personal', shortcut: 'other', content: 'x' });
    const renameDup = await as<ErrorBody>(agent, 'PATCH', `/api/v1/saved-replies/${other.body.id}`, { shortcut: 'bye' });
    expect(renameDup.status).toBe(409);
    expect(renameDup.body.details?.[0].field).toBe('shortcut');
  });
});

describe('inbox replies', () => {
  test('managers of the inbox and admins create and change them; members use them', async () => {
    const byManager = await create(manager, { scope: 'inbox', inboxId: inboxA, shortcut: 'hours', content: 'We are open 9-5.' });
    expect(byManager.status).toBe(201);
    expect(byManager.body).toMatchObject({ scope: 'inbox', inboxId: inboxA, ownerUserId: null });
    expect((await create(admin, { scope: 'inbox', inboxId: inboxB, shortcut: 'hours', content: 'B is open 24/7.' })).status).toBe(201);

    const byAgent = await create(agent, { scope: 'inbox', inboxId: inboxA, shortcut: 'mine', content: 'x' });
    expect(byAgent.status).toBe(403);
    expect(byAgent.body.message).toContain('needs the manager role');
    const byOutsider = await create(outsider, { scope: 'inbox', inboxId: inboxA, shortcut: 'mine', content: 'x' });
    expect(byOutsider.status).toBe(403);
    expect(byOutsider.body.message).toContain('not a member');
    expect((await create(other, { scope: 'inbox', inboxId: inboxA, shortcut: 'mine', content: 'x' })).status).toBe(404);

    const agentView = (await list(agent)).find((r) => r.id === byManager.body.id);
    expect(agentView).toMatchObject({ shortcut: 'hours', canEdit: false });
    expect((await list(manager)).find((r) => r.id === byManager.body.id)?.canEdit).toBe(true);
    expect((await list(outsider)).map((r) => r.id)).not.toContain(byManager.body.id);
    expect((await list(other)).map((r) => r.id)).not.toContain(byManager.body.id);
    // the agent is not in B: its replies are not theirs to use
    expect((await list(agent)).filter((r) => r.shortcut === 'hours').map((r) => r.inboxId)).toEqual([inboxA]);

    const agentEdit = await as<ErrorBody>(agent, 'PATCH', `/api/v1/saved-replies/${byManager.body.id}`, { content: 'changed' });
    expect(agentEdit.status).toBe(403);
    expect(agentEdit.body.message).toContain('needs');
    expect((await as(outsider, 'DELETE', `/api/v1/saved-replies/${byManager.body.id}`)).status).toBe(403);
    expect((await as(other, 'DELETE', `/api/v1/saved-replies/${byManager.body.id}`)).status).toBe(404);
    expect((await as(manager, 'PATCH', `/api/v1/saved-replies/${byManager.body.id}`, { content: 'Open 8-6.' })).status).toBe(200);
    expect((await as(admin, 'DELETE', `/api/v1/saved-replies/${byManager.body.id}`)).status).toBe(204);
  });

  test('?inboxId= narrows the inbox part; it must be an inbox of the caller', async () => {
    const inA = await create(manager, { scope: 'inbox', inboxId: inboxA, shortcut: 'only-a', content: 'A only' });
    const inB = await create(admin, { scope: 'inbox', inboxId: inboxB, shortcut: 'only-b', content: 'B only' });
    const personal = await create(admin, { scope: 'personal', shortcut: 'admin-own', content: 'mine' });
    const narrowed = (await list(admin, `?inboxId=${inboxB}`)).map((r) => r.id);
    expect(narrowed).toEqual(expect.arrayContaining([inB.body.id, personal.body.id]));
    expect(narrowed).not.toContain(inA.body.id);

    const notMember = await as<ErrorBody>(agent, 'GET', `/api/v1/saved-replies?inboxId=${inboxB}`);
    expect(notMember.status).toBe(403);
    expect(notMember.body.message).toContain('not a member');
    expect((await as(other, 'GET', `/api/v1/saved-replies?inboxId=${inboxA}`)).status).toBe(404);
  });
});

describe('team replies', () => {
  test('administrators create and change them; members of the team use them', async () => {
    const reply = await create(admin, { scope: 'team', teamId, shortcut: 'invoice', content: 'Your invoice is attached.' });
    expect(reply.status).toBe(201);
    expect(reply.body).toMatchObject({ scope: 'team', teamId });

    const byManager = await create(manager, { scope: 'team', teamId, shortcut: 'x', content: 'x' });
    expect(byManager.status).toBe(403);
    expect(byManager.body.message).toContain('needs the account administrator role');
    expect((await create(other, { scope: 'team', teamId, shortcut: 'x', content: 'x' })).status).toBe(404);

    expect((await list(agent)).find((r) => r.id === reply.body.id)).toMatchObject({ canEdit: false });
    expect((await list(manager)).map((r) => r.id)).not.toContain(reply.body.id);
    expect((await as(agent, 'PATCH', `/api/v1/saved-replies/${reply.body.id}`, { content: 'x' })).status).toBe(403);
    expect((await as(admin, 'PATCH', `/api/v1/saved-replies/${reply.body.id}`, { content: 'Invoice attached.' })).status).toBe(200);
  });

  test("deleting the team deletes the team's replies", async () => {
    const team = await as<{ id: string }>(admin, 'POST', '/api/v1/teams', { name: 'Short-lived' });
    const reply = await create(admin, { scope: 'team', teamId: team.body.id, shortcut: 'temp', content: 'temporary' });
    expect((await list(admin)).map((r) => r.id)).toContain(reply.body.id);
    expect((await as(admin, 'DELETE', `/api/v1/teams/${team.body.id}`)).status).toBe(204);
    expect((await list(admin)).map((r) => r.id)).not.toContain(reply.body.id);
    expect((await as(admin, 'PATCH', `/api/v1/saved-replies/${reply.body.id}`, { content: 'x' })).status).toBe(404);
  });
});

describe('bad input names the field and the problem', () => {
  test.each([
    [{ scope: 'personal', shortcut: 'has space', content: 'x' }, 'shortcut', 'must be 1-50 characters'],
    [{ scope: 'personal', shortcut: 'a'.repeat(51), content: 'x' }, 'shortcut', 'must be 1-50 characters'],
    [{ scope: 'personal', shortcut: 'ok', content: '' }, 'content', 'content should not be empty'],
    [{ scope: 'global', shortcut: 'ok', content: 'x' }, 'scope', 'scope must be one of'],
    [{ scope: 'inbox', shortcut: 'ok', content: 'x' }, 'inboxId', 'is required for scope "inbox"'],
    [{ scope: 'team', shortcut: 'ok', content: 'x' }, 'teamId', 'is required for scope "team"'],
    [{ scope: 'personal', inboxId: '00000000-0000-4000-8000-000000000000', shortcut: 'ok', content: 'x' }, 'inboxId', 'only allowed with scope "inbox"'],
    [{ scope: 'personal', shortcut: 'ok', content: 'x', colour: 'red' }, 'colour', 'should not exist'],
  ])('%j -> 400 on %s', async (body, field, problem) => {
    const res = await create(admin, body);
    expect(res.status).toBe(400);
    expect(res.body.details?.[0].field).toBe(field);
    expect(res.body.details?.[0].problem).toContain(problem);
    expect(res.body.message).toContain(field);
  });

  test('an unknown variable is named, on create and on change', async () => {
    const bad = await create(admin, { scope: 'personal', shortcut: 'vars', content: 'Hi {{ contact.shoe_size }}' });
    expect(bad.status).toBe(400);
    expect(bad.body.message).toContain('{{contact.shoe_size}}');
    expect(bad.body.details).toEqual([{ field: 'content', problem: expect.stringContaining('unknown variable {{contact.shoe_size}}') }]);

    const ok = await create(admin, { scope: 'personal', shortcut: 'vars', content: 'Hi {{contact.first_name}}' });
    expect(ok.status).toBe(201);
    const badChange = await as<ErrorBody>(admin, 'PATCH', `/api/v1/saved-replies/${ok.body.id}`, { content: '{{account.vat_id}}' });
    expect(badChange.status).toBe(400);
    expect(badChange.body.details?.[0]).toEqual({ field: 'content', problem: expect.stringContaining('{{account.vat_id}}') });
  });
});

test('lookup: shortcut-prefix matches first, then text matches; case-insensitive; wildcards are literal', async () => {
  const u = await newUser('Looker');
  await create(u, { scope: 'personal', shortcut: 'refund', content: 'Your money is on its way.' });
  await create(u, { scope: 'personal', shortcut: 'ref-policy', content: 'See our policy.' });
  await create(u, { scope: 'personal', shortcut: 'shipping', content: 'No REFund for shipping costs.' });
  await create(u, { scope: 'personal', shortcut: 'hello', content: 'Hello! 100% happy to help_you.' });

  expect((await list(u, '?q=ref')).map((r) => r.shortcut)).toEqual(['ref-policy', 'refund', 'shipping']);
  expect((await list(u, '?q=REFU')).map((r) => r.shortcut)).toEqual(['refund', 'shipping']);
  expect((await list(u, '?q=%2Frefund')).map((r) => r.shortcut)).toEqual(['refund']);
  expect((await list(u, '?q=policy')).map((r) => r.shortcut)).toEqual(['ref-policy']);
  expect((await list(u, '?q=100%25')).map((r) => r.shortcut)).toEqual(['hello']);
  expect((await list(u, '?q=_')).map((r) => r.shortcut)).toEqual(['hello']);
  expect((await list(u, '?q=nothing-like-this')).map((r) => r.shortcut)).toEqual([]);
  expect((await list(u)).map((r) => r.shortcut)).toEqual(['hello', 'ref-policy', 'refund', 'shipping']);
  expect((await list(u, '?q=ref&limit=1')).map((r) => r.shortcut)).toEqual(['ref-policy']);
  const badLimit = await as<ErrorBody>(u, 'GET', '/api/v1/saved-replies?limit=0');
  expect(badLimit.status).toBe(400);
  expect(badLimit.body.details?.[0].field).toBe('limit');
});

describe('render', () => {
  let conversationA: string;
  let conversationB: string;
  let reply: ReplyView;

  beforeAll(async () => {
    await as(admin, 'PATCH', '/api/v1/account', { companyName: 'Acme GmbH', settings: { variableDefaults: { 'contact.email': 'no email on file' } } });
    await stack.api
      .get(EntityManager)
      .fork()
      .getConnection()
      .execute(`insert into contact_attribute_definitions (id, account_id, key, label, type) values (gen_random_uuid(), ?, 'tier', 'Tier', 'text')`, [admin.accountId]);
    const inbound = async (inboxId: string, sourceId: string) => {
      const res = await as<{ conversationId: string; contactId: string }>(admin, 'POST', `/api/v1/inboxes/${inboxId}/inbound-messages`, {
        contact: { sourceId, name: 'Jane Mary Doe' },
        content: 'Where is my refund?',
      });
      expect(res.status).toBe(201);
      return res.body;
    };
    const a = await inbound(inboxA, 'jane-a');
    conversationA = a.conversationId;
    await stack.api.get(EntityManager).fork().getConnection().execute(`update contacts set attributes = '{"tier":"gold"}' where id = ?`, [a.contactId]);
    conversationB = (await inbound(inboxB, 'jane-b')).conversationId;
    reply = (
      await create(manager, {
        scope: 'inbox',
        inboxId: inboxA,
        shortcut: 'greet',
        content: 'Hi {{contact.first_name}} {{ contact.last_name }} ({{contact.tier}}), {{account.company_name}} here. Mail: {{contact.email}}',
      })
    ).body;
  });

  test("renders the reply for the conversation's contact, with account values and defaults", async () => {
    const res = await as<{ text: string }>(agent, 'POST', `/api/v1/saved-replies/${reply.id}/render`, { conversationId: conversationA });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ text: 'Hi Jane Mary Doe (gold), Acme GmbH here. Mail: no email on file' });
  });

  test('the caller must be a member of the conversation inbox and be able to use the reply', async () => {
    const personal = await create(agent, { scope: 'personal', shortcut: 'greet', content: 'Hey {{contact.first_name}}' });
    const otherInbox = await as<ErrorBody>(agent, 'POST', `/api/v1/saved-replies/${personal.body.id}/render`, { conversationId: conversationB });
    expect(otherInbox.status).toBe(403);
    expect(otherInbox.body.message).toContain(`not a member of inbox ${inboxB}`);
    // the admin is a member of every inbox; a tier-less contact renders the tier as empty
    expect((await as<{ text: string }>(admin, 'POST', `/api/v1/saved-replies/${reply.id}/render`, { conversationId: conversationB })).body.text).toBe(
      'Hi Jane Mary Doe (), Acme GmbH here. Mail: no email on file',
    );

    const outsiderRes = await as<ErrorBody>(outsider, 'POST', `/api/v1/saved-replies/${reply.id}/render`, { conversationId: conversationA });
    expect(outsiderRes.status).toBe(403);
    expect(outsiderRes.body.message).toContain('not a member');
    expect((await as(other, 'POST', `/api/v1/saved-replies/${reply.id}/render`, { conversationId: conversationA })).status).toBe(404);

    const missing = await as<ErrorBody>(agent, 'POST', `/api/v1/saved-replies/${reply.id}/render`, { conversationId: '00000000-0000-4000-8000-000000000000' });
    expect(missing.status).toBe(404);
    expect(missing.body.message).toContain('conversation 00000000-0000-4000-8000-000000000000 was not found');
    const badBody = await as<ErrorBody>(agent, 'POST', `/api/v1/saved-replies/${reply.id}/render`, { conversationId: 'x' });
    expect(badBody.status).toBe(400);
    expect(badBody.body.details?.[0].field).toBe('conversationId');
  });

  test('team replies render only for members of the team', async () => {
    const teamReply = await create(admin, { scope: 'team', teamId, shortcut: 'team-greet', content: 'Dear {{contact.name}}' });
    expect((await as<{ text: string }>(agent, 'POST', `/api/v1/saved-replies/${teamReply.body.id}/render`, { conversationId: conversationA })).body.text).toBe(
      'Dear Jane Mary Doe',
    );
    const notInTeam = await as<ErrorBody>(manager, 'POST', `/api/v1/saved-replies/${teamReply.body.id}/render`, { conversationId: conversationA });
    expect(notInTeam.status).toBe(403);
    expect(notInTeam.body.message).toContain(`not a member of team ${teamId}`);
  });
});
