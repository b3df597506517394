/**
 * Limits on probing credentials from inside an account: wrong current passwords (a stolen session
 * guessing the password it wants to change) and user creation (e-mails are unique installation-wide,
 * so each refused address tells something about another account).
 */
import { http, signUp, startTestStack, type TestStack } from '../support/test-stack';

interface ErrorBody {
  message: string;
  details?: { field: string; problem: string }[];
}

let stack: TestStack;
const PASSWORD = 'correct horse battery';

beforeAll(async () => {
  stack = await startTestStack({ worker: false, env: { LOGIN_MAX_FAILURES: '3', USER_CREATE_MAX_PER_HOUR: '4' } });
}, 60_000);

afterAll(async () => {
  await stack?.close();
});

test('wrong current passwords: after LOGIN_MAX_FAILURES the check answers 429 whatever the guess; a right guess before that does not count', async () => {
  const admin = await signUp(stack);
  const change = (currentPassword: string) => http<ErrorBody>(stack, 'PATCH', `/api/v1/users/${admin.userId}`, { password: 'another long passphrase', currentPassword }, admin.token);
  expect((await change('guess number one')).status).toBe(403);
  expect((await change('guess number two')).status).toBe(403);
  expect((await change('guess number three')).status).toBe(403);
  const limited = await change(PASSWORD);
  expect(limited.status).toBe(429);
  expect(limited.body.message).toMatch(/^too many wrong current passwords; try again in \d+ s$/);
  // The password did not change.
  expect((await http(stack, 'POST', '/api/v1/auth/login', { email: admin.email, password: PASSWORD })).status).toBe(200);
});

test('creating users: another account\'s e-mail is refused without saying it is registered; more than USER_CREATE_MAX_PER_HOUR attempts an hour get 429', async () => {
  const other = await signUp(stack, 'Other account');
  const admin = await signUp(stack, 'Prober');
  const create = (email: string) => http<ErrorBody>(stack, 'POST', '/api/v1/users', { name: 'Probe', email, password: PASSWORD }, admin.token);
  const taken = await create(other.email);
  expect(taken.status).toBe(409);
  expect(taken.body.details).toEqual([{ field: 'email', problem: 'cannot be used for a new user' }]);
  expect(taken.body.message).not.toMatch(/regist/);
  expect((await create(`free-1-${Date.now()}@example.com`)).status).toBe(201);
  expect((await create(`free-2-${Date.now()}@example.com`)).status).toBe(201);
  expect((await create(other.email)).status).toBe(409);
  // Fifth attempt in the hour: refused for taken and free addresses alike.
  const limited = [await create(other.email), await create(`free-3-${Date.now()}@example.com`)];
  expect(limited.map((r) => r.status)).toEqual([429, 429]);
  expect(limited[0].body.message).toMatch(/USER_CREATE_MAX_PER_HOUR 4/);
});
