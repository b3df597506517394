/**
 * The agent's presence switch (GET/PUT /api/v1/presence) on the real stack: offline is what routing
 * sees as a logout while the session stays valid; online again like a login; bad input names the field.
 */
import { http, signUp, startTestStack, type TestStack } from '../support/test-stack';

let stack: TestStack;

beforeAll(async () => {
  stack = await startTestStack();
}, 60_000);

afterAll(async () => {
  await stack?.close();
});

test('an agent switches offline and online; the inbox agents list and the session follow', async () => {
  const admin = await signUp(stack, 'Presence switch Ltd');
  const inbox = await http<{ id: string }>(stack, 'POST', '/api/v1/inboxes', { name: 'Desk', channelType: 'api' }, admin.token);
  const email = `switch-${Date.now()}@example.com`;
  const user = await http<{ id: string }>(stack, 'POST', '/api/v1/users', { name: 'Sam', email, password: 'correct horse battery' }, admin.token);
  expect((await http(stack, 'PUT', `/api/v1/inboxes/${inbox.body.id}/members/${user.body.id}`, { role: 'member' }, admin.token)).status).toBeLessThan(300);
  const login = await http<{ token: string }>(stack, 'POST', '/api/v1/auth/login', { email, password: 'correct horse battery' });
  const token = login.body.token;
  const seen = async () => (await http<{ agents: { userId: string; online: boolean; offlineReason: string | null }[] }>(stack, 'GET', `/api/v1/inboxes/${inbox.body.id}/agents`, undefined, admin.token)).body.agents.find((a) => a.userId === user.body.id);

  expect((await http<{ online: boolean }>(stack, 'GET', '/api/v1/presence', undefined, token)).body).toEqual(expect.objectContaining({ online: true, offlineSince: null }));

  const off = await http<{ online: boolean; offlineReason: string | null; offlineSince: string | null }>(stack, 'PUT', '/api/v1/presence', { online: false }, token);
  expect(off.status).toBe(200);
  expect(off.body).toEqual(expect.objectContaining({ online: false, offlineReason: 'logout', offlineSince: expect.any(String) }));
  expect(await seen()).toEqual(expect.objectContaining({ online: false, offlineReason: 'logout' }));
  // The session stays valid.
  expect((await http(stack, 'GET', '/api/v1/auth/me', undefined, token)).status).toBe(200);
  // Offline twice changes nothing.
  expect((await http<{ offlineSince: string }>(stack, 'PUT', '/api/v1/presence', { online: false }, token)).body.offlineSince).toBe(off.body.offlineSince);

  const on = await http<{ online: boolean }>(stack, 'PUT', '/api/v1/presence', { online: true }, token);
  expect(on.body.online).toBe(true);
  expect(await seen()).toEqual(expect.objectContaining({ online: true, offlineReason: null }));

  const bad = await http<{ details: { field: string; problem: string }[] }>(stack, 'PUT', '/api/v1/presence', { online: 'yes' }, token);
  expect(bad.status).toBe(400);
  expect(bad.body.details.map((d) => d.field)).toContain('online');
  expect((await http(stack, 'GET', '/api/v1/presence')).status).toBe(401);
}, 60_000);
