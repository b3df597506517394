/** The people a bench's scenario needs, made through the API as a customer would: an account with its admin, and agents. */
import { json } from './http';

export const BENCH_PASSWORD = 'correct horse battery';

/** A new account; its admin's token. */
export async function signUp(base: string, accountName: string, adminEmail: string): Promise<{ token: string; accountId: string }> {
  const res = await json<{ token: string; account: { id: string } }>(base, 'POST', '/api/v1/accounts', undefined, {
    name: accountName,
    admin: { name: 'Admin', email: adminEmail, password: BENCH_PASSWORD },
  });
  return { token: res.token, accountId: res.account.id };
}

/** A user made a member of each inbox, then logged in (which also brings the agent online); their id and token. */
export async function createAgent(base: string, adminToken: string, agent: { name: string; email: string; inboxIds: string[] }): Promise<{ id: string; token: string }> {
  const user = await json<{ id: string }>(base, 'POST', '/api/v1/users', adminToken, { name: agent.name, email: agent.email, password: BENCH_PASSWORD });
  for (const inboxId of agent.inboxIds) await json(base, 'PUT', `/api/v1/inboxes/${inboxId}/members/${user.id}`, adminToken, { role: 'member' });
  const login = await json<{ token: string }>(base, 'POST', '/api/v1/auth/login', undefined, { email: agent.email, password: BENCH_PASSWORD });
  return { id: user.id, token: login.token };
}
