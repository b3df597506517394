/**
 * What an API token may not do (manage tokens or credentials), and password changes: the current
 * password for your own, none for an administrator resetting someone else, and which sessions and
 * API tokens end. The authorization matrix calls every route with session tokens only; these are
 * the rows for API tokens.
 */
import { http, signUp, startTestStack, type TestStack } from '../support/test-stack';

let stack: TestStack;

beforeAll(async () => {
  stack = await startTestStack({ worker: false, env: { LOGIN_MAX_FAILURES: '1000' } });
});
afterAll(async () => stack?.close());

const PASSWORD = 'correct horse battery';
const NEW_PASSWORD = 'a brand new secret phrase';
const SESSION_NEEDED = /needs a session login \(POST \/api\/v1\/auth\/login\); API tokens cannot manage tokens or credentials$/;

type ErrorBody = { code: string; message: string; details?: { field: string; problem: string }[] };

async function apiToken(sessionToken: string, name = 'CRM sync'): Promise<{ id: string; token: string }> {
  const res = await http<{ id: string; token: string }>(stack, 'POST', '/api/v1/auth/api-tokens', { name }, sessionToken);
  expect(res.status).toBe(201);
  return res.body;
}

async function newUser(adminToken: string): Promise<{ id: string; email: string }> {
  const email = `cred-${Date.now()}-${Math.random().toString(36).slice(2, 7)}@example.com`;
  const res = await http<{ id: string }>(stack, 'POST', '/api/v1/users', { name: 'Agent', email, password: PASSWORD }, adminToken);
  expect(res.status).toBe(201);
  return { id: res.body.id, email };
}

const login = (email: string, password: string) => http<{ token: string }>(stack, 'POST', '/api/v1/auth/login', { email, password });
const me = (token: string) => http(stack, 'GET', '/api/v1/auth/me', undefined, token).then((r) => r.status);

test('an API token cannot create, list or revoke API tokens (403 naming the session login); a session can', async () => {
  const admin = await signUp(stack);
  const parent = await apiToken(admin.token);

  const minted = await http<ErrorBody>(stack, 'POST', '/api/v1/auth/api-tokens', { name: 'child' }, parent.token);
  expect(minted.status).toBe(403);
  expect(minted.body.code).toBe('FORBIDDEN');
  expect(minted.body.message).toMatch(/^creating API tokens /);
  expect(minted.body.message).toMatch(SESSION_NEEDED);
  const listed = await http<ErrorBody>(stack, 'GET', '/api/v1/auth/api-tokens', undefined, parent.token);
  expect(listed.status).toBe(403);
  expect(listed.body.message).toMatch(SESSION_NEEDED);
  const revoked = await http<ErrorBody>(stack, 'DELETE', `/api/v1/auth/api-tokens/${parent.id}`, undefined, parent.token);
  expect(revoked.status).toBe(403);
  expect(revoked.body.message).toMatch(SESSION_NEEDED);

  // Nothing was minted: the user's only API token is the parent; revoking it leaves the user no API access.
  const mine = await http<{ id: string }[]>(stack, 'GET', '/api/v1/auth/api-tokens', undefined, admin.token);
  expect(mine.body.map((t) => t.id)).toEqual([parent.id]);
  expect((await http(stack, 'DELETE', `/api/v1/auth/api-tokens/${parent.id}`, undefined, admin.token)).status).toBe(204);
  expect(await me(parent.token)).toBe(401);
  // The API token still does ordinary work while it lives.
  const other = await apiToken(admin.token, 'other');
  expect(await me(other.token)).toBe(200);
});

test('an API token cannot change a password, the administrator role or create an administrator; other user work stays', async () => {
  const admin = await signUp(stack);
  const agent = await newUser(admin.token);
  const token = (await apiToken(admin.token)).token;

  const ownPassword = await http<ErrorBody>(stack, 'PATCH', `/api/v1/users/${admin.userId}`, { password: NEW_PASSWORD, currentPassword: PASSWORD }, token);
  expect(ownPassword.status).toBe(403);
  expect(ownPassword.body.message).toMatch(/^changing a password /);
  expect(ownPassword.body.message).toMatch(SESSION_NEEDED);
  const otherPassword = await http<ErrorBody>(stack, 'PATCH', `/api/v1/users/${agent.id}`, { password: NEW_PASSWORD }, token);
  expect(otherPassword.status).toBe(403);
  expect(otherPassword.body.message).toMatch(SESSION_NEEDED);
  const promote = await http<ErrorBody>(stack, 'PATCH', `/api/v1/users/${agent.id}`, { isAdmin: true }, token);
  expect(promote.status).toBe(403);
  expect(promote.body.message).toMatch(/^changing the administrator role /);
  const newAdmin = await http<ErrorBody>(
    stack,
    'POST',
    '/api/v1/users',
    { name: 'Backdoor', email: `bd-${Date.now()}@example.com`, password: PASSWORD, isAdmin: true },
    token,
  );
  expect(newAdmin.status).toBe(403);
  expect(newAdmin.body.message).toMatch(/^creating an administrator /);

  // Nothing changed: both passwords still work, the agent is no administrator.
  expect((await login(admin.email, PASSWORD)).status).toBe(200);
  expect((await login(agent.email, PASSWORD)).status).toBe(200);
  const users = await http<{ id: string; isAdmin: boolean; name: string }[]>(stack, 'GET', '/api/v1/users', undefined, admin.token);
  expect(users.body.find((u) => u.id === agent.id)?.isAdmin).toBe(false);
  expect(users.body.map((u) => u.name)).not.toContain('Backdoor');

  // Provisioning agents and renaming stay open to integrations.
  expect((await http(stack, 'PATCH', `/api/v1/users/${agent.id}`, { name: 'Renamed by CRM' }, token)).status).toBe(200);
  const provisioned = await http(stack, 'POST', '/api/v1/users', { name: 'Synced', email: `sync-${Date.now()}@example.com`, password: PASSWORD }, token);
  expect(provisioned.status).toBe(201);
});

test('changing your own password needs the current one: missing is 400, wrong is 403, both name currentPassword', async () => {
  const admin = await signUp(stack);
  const missing = await http<ErrorBody>(stack, 'PATCH', `/api/v1/users/${admin.userId}`, { password: NEW_PASSWORD }, admin.token);
  expect(missing.status).toBe(400);
  expect(missing.body.details).toEqual([{ field: 'currentPassword', problem: 'is required to change your own password' }]);
  const wrong = await http<ErrorBody>(
    stack,
    'PATCH',
    `/api/v1/users/${admin.userId}`,
    { password: NEW_PASSWORD, currentPassword: 'not my password at all' },
    admin.token,
  );
  expect(wrong.status).toBe(403);
  expect(wrong.body.message).toBe('currentPassword: does not match your current password');
  expect(wrong.body.details).toEqual([{ field: 'currentPassword', problem: 'does not match your current password' }]);
  // unchanged
  expect((await login(admin.email, NEW_PASSWORD)).status).toBe(401);
  expect((await login(admin.email, PASSWORD)).status).toBe(200);
  expect(await me(admin.token)).toBe(200);
});

test('your own password change keeps the current session and ends every other session and every API token', async () => {
  const admin = await signUp(stack);
  const otherSession = (await login(admin.email, PASSWORD)).body.token;
  const token = (await apiToken(admin.token)).token;
  expect(await me(otherSession)).toBe(200);
  expect(await me(token)).toBe(200);

  const changed = await http(stack, 'PATCH', `/api/v1/users/${admin.userId}`, { password: NEW_PASSWORD, currentPassword: PASSWORD }, admin.token);
  expect(changed.status).toBe(200);
  expect(await me(admin.token)).toBe(200);
  expect(await me(otherSession)).toBe(401);
  expect(await me(token)).toBe(401);
  expect((await login(admin.email, PASSWORD)).status).toBe(401);
  expect((await login(admin.email, NEW_PASSWORD)).status).toBe(200);
});

test('an administrator resets another user without their password; every session and API token of that user ends', async () => {
  const admin = await signUp(stack);
  const agent = await newUser(admin.token);
  const first = (await login(agent.email, PASSWORD)).body.token;
  const second = (await login(agent.email, PASSWORD)).body.token;
  const agentToken = (await apiToken(first)).token;
  const adminOtherSession = (await login(admin.email, PASSWORD)).body.token;

  // The agent cannot reset the administrator (no role), with or without a password.
  const notAdmin = await http<ErrorBody>(stack, 'PATCH', `/api/v1/users/${admin.userId}`, { password: NEW_PASSWORD, currentPassword: PASSWORD }, first);
  expect(notAdmin.status).toBe(403);
  expect(notAdmin.body.message).toContain('needs the account administrator role');

  const reset = await http(stack, 'PATCH', `/api/v1/users/${agent.id}`, { password: NEW_PASSWORD }, admin.token);
  expect(reset.status).toBe(200);
  expect(await me(first)).toBe(401);
  expect(await me(second)).toBe(401);
  expect(await me(agentToken)).toBe(401);
  expect((await login(agent.email, PASSWORD)).status).toBe(401);
  expect((await login(agent.email, NEW_PASSWORD)).status).toBe(200);
  // the administrator's own sessions are untouched
  expect(await me(admin.token)).toBe(200);
  expect(await me(adminOtherSession)).toBe(200);
});
