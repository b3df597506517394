/**
 * Sign-up is limited per client address (SIGNUP_MAX_PER_HOUR, counted in PostgreSQL), a duplicate
 * e-mail costs a sign-up like a success, and once limited the answer is the same whether or not the
 * e-mail is registered. Passwords: the obvious ones are refused on sign-up, user creation and
 * password changes, naming the field and the reason.
 */
import { randomUUID } from 'node:crypto';
import { EntityManager } from '@mikro-orm/postgresql';
import { httpFrom, randomClient } from '../support/client-address';
import { http, startTestStack, type TestStack } from '../support/test-stack';

const PASSWORD = 'correct horse battery';
const LIMIT = 3;
let stack: TestStack;

beforeAll(async () => {
  stack = await startTestStack({ worker: false, env: { TRUST_PROXY: 'loopback', SIGNUP_MAX_PER_HOUR: String(LIMIT), LOGIN_MAX_FAILURES: '1000' } });
});
afterAll(async () => stack?.close());

type ErrorBody = { statusCode: number; code: string; message: string; details?: { field: string; problem: string }[] };
const email = () => `su-${randomUUID()}@example.com`;
const signUpFrom = (from: string, adminEmail: string, password = PASSWORD) =>
  httpFrom<ErrorBody & { token?: string; user?: { id: string } }>(stack, from, 'POST', '/api/v1/accounts', { name: 'Acme', admin: { name: 'Ada', email: adminEmail, password } });

test(`a client gets ${LIMIT} sign-ups an hour; then registered and unregistered e-mails get the same 429`, async () => {
  const client = randomClient();
  const registered = email();
  expect((await signUpFrom(client, registered)).status).toBe(201);
  for (let i = 1; i < LIMIT; i++) expect((await signUpFrom(client, email())).status).toBe(201);

  const unknown = await signUpFrom(client, email());
  const known = await signUpFrom(client, registered);
  expect(unknown.status).toBe(429);
  expect(unknown.body.code).toBe('RATE_LIMITED');
  expect(unknown.body.message).toMatch(/^too many sign-ups from this address; try again in \d+ s$/);
  expect(known.status).toBe(429);
  expect({ ...known.body, message: known.body.message.replace(/\d+ s$/, '') }).toEqual({ ...unknown.body, message: unknown.body.message.replace(/\d+ s$/, '') });

  // another client is not affected
  expect((await signUpFrom(randomClient(), email())).status).toBe(201);
});

test('a duplicate e-mail costs a sign-up like a success, and its answer does not say "registered"', async () => {
  const client = randomClient();
  const taken = email();
  expect((await signUpFrom(client, taken)).status).toBe(201);
  const dup = await signUpFrom(client, taken.toUpperCase());
  expect(dup.status).toBe(409);
  expect(dup.body.details).toEqual([{ field: 'admin.email', problem: 'cannot be used for a new account; if it is yours, log in' }]);
  expect(JSON.stringify(dup.body)).not.toMatch(/registered|exists/);
  expect((await signUpFrom(client, taken)).status).toBe(409);
  expect((await signUpFrom(client, email())).status).toBe(429);
});

test('IPv6 clients count per /64 (one network); IPv4-mapped addresses count as IPv4', async () => {
  const net = randomClient().replace(/::1$/, '');
  for (let i = 1; i <= LIMIT; i++) expect((await signUpFrom(`${net}::${i}`, email())).status).toBe(201);
  expect((await signUpFrom(`${net}:0:0:0:ffff`, email())).status).toBe(429);
  const v4 = `198.18.${Math.floor(Math.random() * 256)}.${Math.floor(Math.random() * 256)}`;
  const em = stack.api.get(EntityManager).fork();
  await em.execute(`delete from rate_limit_counters where key = ?`, [`signup:client:${v4}`]);
  for (let i = 0; i < LIMIT; i++) expect((await signUpFrom(i % 2 ? `::ffff:${v4}` : v4, email())).status).toBe(201);
  expect((await signUpFrom(`::ffff:${v4}`, email())).status).toBe(429);
});

test.each([
  ['ten spaces', ' '.repeat(10), 'must not be only whitespace'],
  ['leading whitespace', ' correct horse battery', 'must not begin or end with whitespace'],
  ['trailing whitespace', 'correct horse battery\t', 'must not begin or end with whitespace'],
  ['one character repeated', 'aaaaaaaaaaaa', 'must not be one character repeated'],
  ['a common password', 'Password1234', 'is one of the most common passwords'],
  ['another common password', '123456789012', 'is one of the most common passwords'],
  ['a keyboard row', 'qwertyuiop', 'is one of the most common passwords'],
])('sign-up refuses %s, naming admin.password and the reason; nothing is written', async (_what, password, problem) => {
  const em = stack.api.get(EntityManager).fork();
  const [before] = await em.execute(`select count(*)::int as n from accounts`);
  const res = await signUpFrom(randomClient(), email(), password);
  expect(res.status).toBe(400);
  expect(res.body.message).toBe(`admin.password: ${problem}`);
  expect(res.body.details).toEqual([{ field: 'admin.password', problem }]);
  const [after] = await em.execute(`select count(*)::int as n from accounts`);
  expect(after.n).toBe(before.n);
});

test('sign-up refuses the e-mail address or its local part as the password; the README password passes', async () => {
  const address = `Harriet.Longname.${Date.now()}@example.com`;
  const whole = await signUpFrom(randomClient(), address, address.toLowerCase());
  expect(whole.status).toBe(400);
  expect(whole.body.details).toEqual([{ field: 'admin.password', problem: 'must not be your e-mail address' }]);
  const local = await signUpFrom(randomClient(), address, address.split('@')[0].toUpperCase());
  expect(local.status).toBe(400);
  expect(local.body.details).toEqual([{ field: 'admin.password', problem: 'must not be the part of your e-mail address before the @' }]);
  expect((await signUpFrom(randomClient(), address, 'correct horse battery')).status).toBe(201);
});

test('creating a user and changing a password apply the same rules, naming "password"', async () => {
  const adminEmail = email();
  const signedUp = await signUpFrom(randomClient(), adminEmail);
  expect(signedUp.status).toBe(201);
  const admin = { email: adminEmail, token: signedUp.body.token!, userId: signedUp.body.user!.id };
  const agentEmail = `agent.smith.${Date.now()}@example.com`;
  const weakUser = await http<ErrorBody>(stack, 'POST', '/api/v1/users', { name: 'Agent', email: agentEmail, password: agentEmail.split('@')[0] }, admin.token);
  expect(weakUser.status).toBe(400);
  expect(weakUser.body.details).toEqual([{ field: 'password', problem: 'must not be the part of your e-mail address before the @' }]);
  const created = await http<{ id: string }>(stack, 'POST', '/api/v1/users', { name: 'Agent', email: agentEmail, password: PASSWORD }, admin.token);
  expect(created.status).toBe(201);

  const reset = await http<ErrorBody>(stack, 'PATCH', `/api/v1/users/${created.body.id}`, { password: 'zzzzzzzzzzzz' }, admin.token);
  expect(reset.status).toBe(400);
  expect(reset.body.details).toEqual([{ field: 'password', problem: 'must not be one character repeated' }]);
  const own = await http<ErrorBody>(stack, 'PATCH', `/api/v1/users/${admin.userId}`, { password: 'password1234', currentPassword: PASSWORD }, admin.token);
  expect(own.status).toBe(400);
  expect(own.body.details).toEqual([{ field: 'password', problem: 'is one of the most common passwords' }]);
  // nothing changed
  expect((await http(stack, 'POST', '/api/v1/auth/login', { email: admin.email, password: PASSWORD })).status).toBe(200);
  expect((await http(stack, 'POST', '/api/v1/auth/login', { email: agentEmail, password: PASSWORD })).status).toBe(200);
});
