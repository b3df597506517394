/**
 * The authorization matrix: every endpoint is called as each of these roles and the exact status
 * is asserted. Each domain lists its routes in test/integration/matrix/<domain>.routes.ts.
 */
import { http, signUp, type TestStack } from '../../support/test-stack';

export const ROLES = ['anonymous', 'otherAccount', 'nonMember', 'member', 'manager', 'admin'] as const;
export type MatrixRole = (typeof ROLES)[number];

export interface MatrixUser {
  id: string;
  email: string;
  token: string;
}

export interface MatrixFixture {
  stack: TestStack;
  accountId: string;
  /** An API inbox where `member` is a team member and `manager` a manager; `nonMember` has no role. */
  inboxId: string;
  users: Record<Exclude<MatrixRole, 'anonymous'>, MatrixUser>;
  /** Calls the API as the role (anonymous: no Authorization header). */
  as<T = unknown>(role: MatrixRole, method: string, path: string, body?: unknown): Promise<{ status: number; body: T }>;
  /** Admin calls, for setting up targets. */
  admin<T = unknown>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }>;
  /** A fresh API inbox with the same memberships as `inboxId`. */
  newInbox(): Promise<string>;
  /** A fresh conversation in `inboxId` (through the API channel), returns its id and contact id. */
  newConversation(inboxId?: string): Promise<{ conversationId: string; contactId: string }>;
  /** A user of the account with no inbox role. */
  newUser(): Promise<MatrixUser>;
  /** A new session token for the role's user. */
  freshSession(role: Exclude<MatrixRole, 'anonymous'>): Promise<string>;
}

export interface MatrixRequest {
  path: string;
  body?: unknown;
  /** Call with this token instead of the role's fixture token (e.g. a fresh session to end). */
  token?: string;
  /** A string body sent as this content type instead of JSON (e.g. text/csv). */
  contentType?: string;
  /** A stream (server-sent events): only the status and the start of the answer are read. */
  stream?: boolean;
  /** A CSV download: a 200 answer is text/csv (not parsed), any other is the JSON error. */
  csv?: boolean;
}

export interface MatrixRoute {
  /** "METHOD /path/{param}" exactly as in the OpenAPI document, e.g. "PATCH /api/v1/inboxes/{id}". */
  route: string;
  /** Builds the request for one role; may create a fresh target (e.g. something to delete). */
  request(fx: MatrixFixture, role: MatrixRole): Promise<MatrixRequest>;
  expected: Record<MatrixRole, number>;
}

/** The usual shapes, to keep tables short. */
export const expectFor = {
  /** any signed-in user of the account */
  anyUser: (ok: number) => ({ anonymous: 401, otherAccount: ok, nonMember: ok, member: ok, manager: ok, admin: ok }),
  /** members of the inbox; others of the account 403, other accounts 404 */
  inboxMember: (ok: number) => ({ anonymous: 401, otherAccount: 404, nonMember: 403, member: ok, manager: ok, admin: ok }),
  inboxManager: (ok: number) => ({ anonymous: 401, otherAccount: 404, nonMember: 403, member: 403, manager: ok, admin: ok }),
  /** account administrators; the target is of the caller's account */
  adminOnly: (ok: number) => ({ anonymous: 401, otherAccount: 404, nonMember: 403, member: 403, manager: 403, admin: ok }),
  /** account administrators on an account-level resource with no id (another account's admin sees their own) */
  adminOnlyNoTarget: (ok: number) => ({ anonymous: 401, otherAccount: 403, nonMember: 403, member: 403, manager: 403, admin: ok }),
} satisfies Record<string, (ok: number) => Record<MatrixRole, number>>;

export async function createFixture(stack: TestStack): Promise<MatrixFixture> {
  const main = await signUp(stack, 'Matrix account');
  const other = await signUp(stack, 'Other account');
  const admin = <T>(method: string, path: string, body?: unknown) => http<T>(stack, method, path, body, main.token);

  let n = 0;
  const newUser = async (): Promise<MatrixUser> => {
    n += 1;
    const email = `matrix-${Date.now()}-${n}-${Math.random().toString(36).slice(2, 7)}@example.com`;
    const created = await admin<{ id: string }>('POST', '/api/v1/users', { name: `User ${n}`, email, password: 'correct horse battery' });
    if (created.status !== 201) throw new Error(`user creation failed: ${JSON.stringify(created.body)}`);
    const login = await http<{ token: string }>(stack, 'POST', '/api/v1/auth/login', { email, password: 'correct horse battery' });
    return { id: created.body.id, email, token: login.body.token };
  };
  const member = await newUser();
  const manager = await newUser();
  const nonMember = await newUser();
  // The other account's user is an administrator there, so only the account boundary stops them.
  const otherAccount = { id: other.userId, email: other.email, token: other.token };

  const newInbox = async () => {
    const inbox = await admin<{ id: string }>('POST', '/api/v1/inboxes', { name: `Matrix inbox ${++n}`, channelType: 'api' });
    if (inbox.status !== 201) throw new Error(`inbox creation failed: ${JSON.stringify(inbox.body)}`);
    await admin('PUT', `/api/v1/inboxes/${inbox.body.id}/members/${member.id}`, { role: 'member' });
    await admin('PUT', `/api/v1/inboxes/${inbox.body.id}/members/${manager.id}`, { role: 'manager' });
    return inbox.body.id;
  };
  const inboxId = await newInbox();

  const users = { admin: { id: main.userId, email: main.email, token: main.token }, member, manager, nonMember, otherAccount };
  const fx: MatrixFixture = {
    stack,
    accountId: main.accountId,
    inboxId,
    users,
    as: (role, method, path, body) => http(stack, method, path, body, role === 'anonymous' ? undefined : users[role].token),
    admin,
    newInbox,
    newUser,
    async freshSession(role) {
      const login = await http<{ token: string }>(stack, 'POST', '/api/v1/auth/login', { email: users[role].email, password: 'correct horse battery' });
      return login.body.token;
    },
    async newConversation(target = inboxId) {
      n += 1;
      const res = await admin<{ conversationId: string; contactId: string }>('POST', `/api/v1/inboxes/${target}/inbound-messages`, {
        contact: { sourceId: `matrix-contact-${Date.now()}-${n}`, name: 'Matrix Contact', email: `contact${n}.${Date.now()}@example.com` },
        content: 'hello from the matrix',
      });
      if (res.status !== 201) throw new Error(`conversation creation failed: ${JSON.stringify(res.body)}`);
      return { conversationId: res.body.conversationId, contactId: res.body.contactId };
    },
  };
  return fx;
}
