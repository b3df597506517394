/** Authorization matrix rows for accounts, auth, users and inboxes. */
import { expectFor, type MatrixRoute } from './fixture';

const uniqueEmail = () => `m-${Date.now()}-${Math.random().toString(36).slice(2, 8)}@example.com`;

export const coreRoutes: MatrixRoute[] = [
  {
    route: 'POST /api/v1/accounts',
    request: async () => ({ path: '/api/v1/accounts', body: { name: 'New', admin: { name: 'A', email: uniqueEmail(), password: 'correct horse battery' } } }),
    expected: { anonymous: 201, otherAccount: 201, nonMember: 201, member: 201, manager: 201, admin: 201 },
  },
  { route: 'GET /api/v1/account', request: async () => ({ path: '/api/v1/account' }), expected: expectFor.anyUser(200) },
  {
    route: 'PATCH /api/v1/account',
    request: async () => ({ path: '/api/v1/account', body: { companyName: 'Acme GmbH' } }),
    // another account's admin changes their own account
    expected: { ...expectFor.adminOnlyNoTarget(200), otherAccount: 200 },
  },
  {
    route: 'POST /api/v1/auth/login',
    request: async () => ({ path: '/api/v1/auth/login', body: { email: 'nobody@example.com', password: 'wrong password' } }),
    expected: { anonymous: 401, otherAccount: 401, nonMember: 401, member: 401, manager: 401, admin: 401 },
  },
  {
    route: 'POST /api/v1/auth/logout',
    // logging out every role would end the fixture's sessions: use a fresh session of the same kind
    request: async (fx, role) => (role === 'anonymous' ? { path: '/api/v1/auth/logout' } : { path: '/api/v1/auth/logout', token: await fx.freshSession(role) }),
    expected: { anonymous: 401, otherAccount: 204, nonMember: 204, member: 204, manager: 204, admin: 204 },
  },
  { route: 'GET /api/v1/auth/me', request: async () => ({ path: '/api/v1/auth/me' }), expected: expectFor.anyUser(200) },
  { route: 'GET /api/v1/console-config', request: async () => ({ path: '/api/v1/console-config' }), expected: expectFor.anyUser(200) },
  { route: 'POST /api/v1/auth/api-tokens', request: async () => ({ path: '/api/v1/auth/api-tokens', body: { name: 'matrix' } }), expected: expectFor.anyUser(201) },
  { route: 'GET /api/v1/auth/api-tokens', request: async () => ({ path: '/api/v1/auth/api-tokens' }), expected: expectFor.anyUser(200) },
  {
    route: 'DELETE /api/v1/auth/api-tokens/{id}',
    // a token owned by the account's administrator: only the owner (or an admin) may revoke it
    request: async (fx) => {
      const t = await fx.admin<{ id: string }>('POST', '/api/v1/auth/api-tokens', { name: 'to revoke' });
      return { path: `/api/v1/auth/api-tokens/${t.body.id}` };
    },
    expected: expectFor.adminOnly(204),
  },
  {
    route: 'POST /api/v1/users',
    request: async () => ({ path: '/api/v1/users', body: { name: 'New user', email: uniqueEmail(), password: 'correct horse battery' } }),
    expected: { ...expectFor.adminOnlyNoTarget(201), otherAccount: 201 },
  },
  { route: 'GET /api/v1/users', request: async () => ({ path: '/api/v1/users' }), expected: expectFor.anyUser(200) },
  {
    route: 'PATCH /api/v1/users/{id}',
    request: async (fx) => ({ path: `/api/v1/users/${(await fx.newUser()).id}`, body: { name: 'Renamed' } }),
    expected: expectFor.adminOnly(200),
  },
  {
    route: 'POST /api/v1/inboxes',
    request: async () => ({ path: '/api/v1/inboxes', body: { name: 'Matrix-made', channelType: 'api' } }),
    expected: { ...expectFor.adminOnlyNoTarget(201), otherAccount: 201 },
  },
  { route: 'GET /api/v1/inboxes', request: async () => ({ path: '/api/v1/inboxes' }), expected: expectFor.anyUser(200) },
  { route: 'GET /api/v1/inboxes/{id}', request: async (fx) => ({ path: `/api/v1/inboxes/${fx.inboxId}` }), expected: expectFor.inboxMember(200) },
  {
    route: 'PATCH /api/v1/inboxes/{id}',
    request: async (fx) => ({ path: `/api/v1/inboxes/${fx.inboxId}`, body: { settings: { assignmentMode: 'assignment' } } }),
    expected: expectFor.inboxManager(200),
  },
  {
    route: 'DELETE /api/v1/inboxes/{id}',
    request: async (fx) => ({ path: `/api/v1/inboxes/${await fx.newInbox()}` }),
    expected: { anonymous: 401, otherAccount: 404, nonMember: 403, member: 403, manager: 403, admin: 204 },
  },
  { route: 'GET /api/v1/inboxes/{id}/members', request: async (fx) => ({ path: `/api/v1/inboxes/${fx.inboxId}/members` }), expected: expectFor.inboxMember(200) },
  {
    route: 'PUT /api/v1/inboxes/{id}/members/{userId}',
    request: async (fx) => ({ path: `/api/v1/inboxes/${fx.inboxId}/members/${(await fx.newUser()).id}`, body: { role: 'member' } }),
    expected: expectFor.inboxManager(200),
  },
  {
    route: 'DELETE /api/v1/inboxes/{id}/members/{userId}',
    request: async (fx) => {
      const u = await fx.newUser();
      await fx.admin('PUT', `/api/v1/inboxes/${fx.inboxId}/members/${u.id}`, { role: 'member' });
      return { path: `/api/v1/inboxes/${fx.inboxId}/members/${u.id}` };
    },
    expected: expectFor.inboxManager(204),
  },
  {
    route: 'POST /api/v1/inboxes/{inboxId}/inbound-messages',
    request: async (fx) => ({
      path: `/api/v1/inboxes/${fx.inboxId}/inbound-messages`,
      body: { contact: { sourceId: `matrix-${Math.random()}` }, content: 'hi' },
    }),
    expected: expectFor.inboxMember(201),
  },
];
