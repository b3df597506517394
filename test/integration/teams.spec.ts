/** Teams over HTTP: administrators manage them, everyone in the account reads them. */
import { http, signUp, startTestStack, type TestStack } from '../support/test-stack';

interface ErrorBody {
  message: string;
  details?: { field: string; problem: string }[];
}
interface TeamView {
  id: string;
  accountId: string;
  name: string;
  memberCount: number;
  isMember: boolean;
  members?: { userId: string; name: string; email: string }[];
}

let stack: TestStack;
let admin: { token: string; accountId: string; userId: string };
let other: { token: string; userId: string };
let agent: { id: string; token: string };
let agent2: { id: string; token: string };

async function newUser(name: string) {
  const email = `team-${name.toLowerCase()}-${Date.now()}-${Math.random().toString(36).slice(2, 7)}@example.com`;
  const created = await http<{ id: string }>(stack, 'POST', '/api/v1/users', { name, email, password: 'correct horse battery' }, admin.token);
  expect(created.status).toBe(201);
  const login = await http<{ token: string }>(stack, 'POST', '/api/v1/auth/login', { email, password: 'correct horse battery' });
  return { id: created.body.id, token: login.body.token };
}

beforeAll(async () => {
  stack = await startTestStack({ worker: false });
  admin = await signUp(stack, 'Teams Ltd');
  other = await signUp(stack, 'Other Ltd');
  agent = await newUser('Zoe');
  agent2 = await newUser('Adam');
});

afterAll(async () => {
  await stack?.close();
});

const as = <T = unknown>(token: string, method: string, path: string, body?: unknown) => http<T>(stack, method, path, body, token);

test('an administrator creates, staffs, renames and deletes a team', async () => {
  const created = await as<TeamView>(admin.token, 'POST', '/api/v1/teams', { name: '  Billing ' });
  expect(created.status).toBe(201);
  expect(created.body).toMatchObject({ name: 'Billing', accountId: admin.accountId, memberCount: 0, isMember: false });
  const id = created.body.id;

  expect((await as(admin.token, 'PUT', `/api/v1/teams/${id}/members/${agent.id}`)).status).toBe(200);
  const again = await as<{ userId: string; name: string }>(admin.token, 'PUT', `/api/v1/teams/${id}/members/${agent.id}`);
  expect(again.status).toBe(200);
  expect(again.body).toMatchObject({ userId: agent.id, name: 'Zoe' });
  expect((await as(admin.token, 'PUT', `/api/v1/teams/${id}/members/${agent2.id}`)).status).toBe(200);

  const detail = await as<TeamView>(agent.token, 'GET', `/api/v1/teams/${id}`);
  expect(detail.status).toBe(200);
  expect(detail.body).toMatchObject({ name: 'Billing', memberCount: 2, isMember: true });
  expect(detail.body.members?.map((m) => m.name)).toEqual(['Adam', 'Zoe']);

  const list = await as<TeamView[]>(agent.token, 'GET', '/api/v1/teams');
  expect(list.status).toBe(200);
  expect(list.body.find((t) => t.id === id)).toMatchObject({ memberCount: 2, isMember: true });

  expect((await as(admin.token, 'DELETE', `/api/v1/teams/${id}/members/${agent2.id}`)).status).toBe(204);
  const gone = await as<ErrorBody>(admin.token, 'DELETE', `/api/v1/teams/${id}/members/${agent2.id}`);
  expect(gone.status).toBe(404);
  expect(gone.body.message).toContain(`team member ${agent2.id} was not found`);

  const renamed = await as<TeamView>(admin.token, 'PATCH', `/api/v1/teams/${id}`, { name: 'Billing & refunds' });
  expect(renamed.status).toBe(200);
  expect(renamed.body).toMatchObject({ name: 'Billing & refunds', memberCount: 1 });

  expect((await as(admin.token, 'DELETE', `/api/v1/teams/${id}`)).status).toBe(204);
  expect((await as(admin.token, 'GET', `/api/v1/teams/${id}`)).status).toBe(404);
});

test('names are unique per account (409 naming name), but not across accounts', async () => {
  const first = await as<TeamView>(admin.token, 'POST', '/api/v1/teams', { name: 'Sales' });
  expect(first.status).toBe(201);
  const dup = await as<ErrorBody>(admin.token, 'POST', '/api/v1/teams', { name: 'Sales' });
  expect(dup.status).toBe(409);
  expect(dup.body.message).toContain('name');
  expect(dup.body.details).toEqual([{ field: 'name', problem: 'already exists in this account' }]);

  const second = await as<TeamView>(admin.token, 'POST', '/api/v1/teams', { name: 'Presales' });
  const renameDup = await as<ErrorBody>(admin.token, 'PATCH', `/api/v1/teams/${second.body.id}`, { name: 'Sales' });
  expect(renameDup.status).toBe(409);
  expect(renameDup.body.details?.[0].field).toBe('name');

  expect((await as(other.token, 'POST', '/api/v1/teams', { name: 'Sales' })).status).toBe(201);
});

test('only administrators change teams; other accounts see nothing', async () => {
  const team = await as<TeamView>(admin.token, 'POST', '/api/v1/teams', { name: 'Support' });
  const id = team.body.id;

  const denied = await as<ErrorBody>(agent.token, 'POST', '/api/v1/teams', { name: 'Mine' });
  expect(denied.status).toBe(403);
  expect(denied.body.message).toContain('needs the account administrator role');
  expect((await as<ErrorBody>(agent.token, 'PATCH', `/api/v1/teams/${id}`, { name: 'x' })).body.message).toMatch(/needs/);
  expect((await as(agent.token, 'PUT', `/api/v1/teams/${id}/members/${agent.id}`)).status).toBe(403);
  expect((await as(agent.token, 'DELETE', `/api/v1/teams/${id}`)).status).toBe(403);

  expect((await as(other.token, 'GET', `/api/v1/teams/${id}`)).status).toBe(404);
  expect((await as(other.token, 'PATCH', `/api/v1/teams/${id}`, { name: 'stolen' })).status).toBe(404);
  expect((await as(other.token, 'DELETE', `/api/v1/teams/${id}`)).status).toBe(404);
  const otherList = await as<TeamView[]>(other.token, 'GET', '/api/v1/teams');
  expect(otherList.body.map((t) => t.id)).not.toContain(id);

  // a user of another account cannot be added
  const foreign = await as<ErrorBody>(admin.token, 'PUT', `/api/v1/teams/${id}/members/${other.userId}`);
  expect(foreign.status).toBe(404);
  expect(foreign.body.message).toContain(`user ${other.userId} was not found`);
});

test('bad input names the field', async () => {
  const empty = await as<ErrorBody>(admin.token, 'POST', '/api/v1/teams', { name: '   ' });
  expect(empty.status).toBe(400);
  expect(empty.body.details?.[0].field).toBe('name');
  const unknown = await as<ErrorBody>(admin.token, 'POST', '/api/v1/teams', { name: 'X', colour: 'red' });
  expect(unknown.status).toBe(400);
  expect(unknown.body.details?.[0].field).toBe('colour');
  const badId = await as<ErrorBody>(admin.token, 'GET', '/api/v1/teams/nope');
  expect(badId.status).toBe(400);
  expect(badId.body.message).toBe('id: must be a UUID');
});
