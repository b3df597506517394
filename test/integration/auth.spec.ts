/** Sign-up, login, logout, API tokens, users: on the real database through HTTP. */
import { PresenceEvents, type PresenceEvent } from '../../src/modules/auth/presence-events';
import { httpFrom, randomClient } from '../support/client-address';
import { http, signUp, startTestStack, type TestStack } from '../support/test-stack';

let stack: TestStack;
const events: PresenceEvent[] = [];

beforeAll(async () => {
  stack = await startTestStack({ worker: false, env: { LOGIN_MAX_FAILURES: '3', LOGIN_WINDOW_SECONDS: '60', TRUST_PROXY: 'loopback' } });
  stack.api.get(PresenceEvents).subscribe((e) => void events.push(e));
});
afterAll(async () => stack?.close());

const PASSWORD = 'correct horse battery';

async function newMember(adminToken: string, isAdmin = false) {
  const email = `u-${Date.now()}-${Math.random().toString(36).slice(2, 7)}@example.com`;
  const res = await http<{ id: string; email: string }>(stack, 'POST', '/api/v1/users', { name: 'Agent Smith', email, password: PASSWORD, isAdmin }, adminToken);
  expect(res.status).toBe(201);
  return { id: res.body.id, email };
}

test('sign-up creates the account and a logged-in administrator; no secret is ever returned', async () => {
  const res = await http<Record<string, unknown> & { token: string; user: Record<string, unknown> }>(stack, 'POST', '/api/v1/accounts', {
    name: 'Acme',
    admin: { name: 'Ada', email: `Ada.${Date.now()}@Example.com`, password: PASSWORD },
  });
  expect(res.status).toBe(201);
  expect(res.body.token).toMatch(/^cxs_/);
  expect(res.body.user).toMatchObject({ name: 'Ada', isAdmin: true, active: true });
  expect(String(res.body.user.email)).toBe(String(res.body.user.email).toLowerCase());
  expect(JSON.stringify(res.body)).not.toMatch(/passwordHash|tokenHash|scrypt\$/);
  const me = await http<{ id: string }>(stack, 'GET', '/api/v1/auth/me', undefined, res.body.token);
  expect(me.status).toBe(200);
  expect(me.body.id).toBe(res.body.user.id);
});

test('a duplicate e-mail is refused with the field named, and nothing half-written stays', async () => {
  const first = await signUp(stack);
  const accountsBefore = await stack.api.get((await import('@mikro-orm/postgresql')).EntityManager).fork().getConnection().execute('select count(*)::int as n from accounts');
  const again = await http<{ code: string; details: { field: string }[] }>(stack, 'POST', '/api/v1/accounts', {
    name: 'Copycat',
    admin: { name: 'X', email: first.email, password: PASSWORD },
  });
  expect(again.status).toBe(409);
  expect(again.body.details).toEqual([{ field: 'admin.email', problem: 'cannot be used for a new account; if it is yours, log in' }]);
  const accountsAfter = await stack.api.get((await import('@mikro-orm/postgresql')).EntityManager).fork().getConnection().execute('select count(*)::int as n from accounts');
  expect(accountsAfter[0].n).toBe(accountsBefore[0].n);
});

test('weak or malformed sign-up input names every field', async () => {
  const res = await http<{ details: { field: string; problem: string }[] }>(stack, 'POST', '/api/v1/accounts', {
    name: '',
    admin: { name: 'A', email: 'not-an-email', password: 'short' },
    plan: 'gold',
  });
  expect(res.status).toBe(400);
  expect(res.body.details.map((d) => d.field).sort()).toEqual(['admin.email', 'admin.password', 'name', 'plan']);
});

test('login, logout: the session ends at once and presence hears both', async () => {
  const admin = await signUp(stack);
  const login = await http<{ token: string; user: { id: string } }>(stack, 'POST', '/api/v1/auth/login', { email: admin.email.toUpperCase(), password: PASSWORD });
  expect(login.status).toBe(200);
  const token = login.body.token;
  expect(events).toContainEqual(expect.objectContaining({ type: 'login', userId: admin.userId }));

  expect((await http(stack, 'POST', '/api/v1/auth/logout', undefined, token)).status).toBe(204);
  expect(events).toContainEqual(expect.objectContaining({ type: 'logout', userId: admin.userId }));
  const after = await http<{ message: string }>(stack, 'GET', '/api/v1/auth/me', undefined, token);
  expect(after.status).toBe(401);
  expect(after.body.message).toContain('revoked');
  // the other session (from sign-up) is untouched
  expect((await http(stack, 'GET', '/api/v1/auth/me', undefined, admin.token)).status).toBe(200);
});

test('failed logins are rate-limited per address; the right password does not bypass the limit', async () => {
  const admin = await signUp(stack);
  // from a client of its own (X-Forwarded-For behind TRUST_PROXY), so other tests' failures from 127.0.0.1 do not count
  const client = randomClient();
  for (let i = 0; i < 3; i++) {
    expect((await httpFrom(stack, client, 'POST', '/api/v1/auth/login', { email: admin.email, password: 'wrong password!' })).status).toBe(401);
  }
  const blocked = await httpFrom<{ code: string; message: string }>(stack, client, 'POST', '/api/v1/auth/login', { email: admin.email, password: PASSWORD });
  expect(blocked.status).toBe(429);
  expect(blocked.body.code).toBe('RATE_LIMITED');
  expect(blocked.body.message).toMatch(/too many failed logins; try again in \d+ s/);
});

test('unknown or malformed tokens get 401 with a clear message', async () => {
  const none = await http<{ message: string }>(stack, 'GET', '/api/v1/auth/me');
  expect(none.status).toBe(401);
  expect(none.body.message).toContain('bearer token is required');
  const bad = await http<{ message: string }>(stack, 'GET', '/api/v1/auth/me', undefined, 'cxs_made_up');
  expect(bad.status).toBe(401);
});

test('API tokens: shown once, stored hashed, usable, listed without the secret, revocable', async () => {
  const admin = await signUp(stack);
  const created = await http<{ id: string; token: string; name: string }>(stack, 'POST', '/api/v1/auth/api-tokens', { name: 'CRM sync' }, admin.token);
  expect(created.status).toBe(201);
  expect(created.body.token).toMatch(/^cxa_/);
  expect((await http(stack, 'GET', '/api/v1/auth/me', undefined, created.body.token)).status).toBe(200);

  const listed = await http<Record<string, unknown>[]>(stack, 'GET', '/api/v1/auth/api-tokens', undefined, admin.token);
  expect(listed.body).toEqual([expect.objectContaining({ id: created.body.id, name: 'CRM sync', revokedAt: null })]);
  expect(JSON.stringify(listed.body)).not.toContain(created.body.token);

  const em = stack.api.get((await import('@mikro-orm/postgresql')).EntityManager).fork();
  const rows = await em.getConnection().execute('select token_hash from auth_tokens where id = ?', [created.body.id]);
  expect(rows[0].token_hash).toMatch(/^[0-9a-f]{64}$/);
  expect(rows[0].token_hash).not.toContain(created.body.token);

  // logout with an API token does not revoke it (it is not a session)
  expect((await http(stack, 'DELETE', `/api/v1/auth/api-tokens/${created.body.id}`, undefined, admin.token)).status).toBe(204);
  expect((await http(stack, 'GET', '/api/v1/auth/me', undefined, created.body.token)).status).toBe(401);
});

test('users: admins license them; duplicates, self-lockout and disabling behave', async () => {
  const admin = await signUp(stack);
  const agent = await newMember(admin.token);
  const dup = await http<{ details: { field: string }[] }>(stack, 'POST', '/api/v1/users', { name: 'Again', email: agent.email, password: PASSWORD }, admin.token);
  expect(dup.status).toBe(409);
  expect(dup.body.details[0].field).toBe('email');

  const agentLogin = await http<{ token: string }>(stack, 'POST', '/api/v1/auth/login', { email: agent.email, password: PASSWORD });
  const self = await http<{ message: string }>(stack, 'PATCH', `/api/v1/users/${admin.userId}`, { active: false }, admin.token);
  expect(self.status).toBe(400);
  expect(self.body.message).toBe('active: you cannot disable yourself');
  const notAdmin = await http<{ message: string }>(stack, 'PATCH', `/api/v1/users/${admin.userId}`, { name: 'Hijack' }, agentLogin.body.token);
  expect(notAdmin.status).toBe(403);
  expect(notAdmin.body.message).toContain('needs the account administrator role');

  expect((await http(stack, 'PATCH', `/api/v1/users/${agent.id}`, { active: false }, admin.token)).status).toBe(200);
  expect((await http(stack, 'GET', '/api/v1/auth/me', undefined, agentLogin.body.token)).status).toBe(401);
  expect((await http(stack, 'POST', '/api/v1/auth/login', { email: agent.email, password: PASSWORD })).status).toBe(401);
});
