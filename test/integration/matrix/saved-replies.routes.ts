/** Authorization matrix rows for saved replies, teams and variables. */
import { expectFor, type MatrixFixture, type MatrixRoute } from './fixture';

const unique = (prefix: string) => `${prefix}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;

/** A fresh reply shared with the fixture inbox (created by the admin). */
async function inboxReply(fx: MatrixFixture): Promise<string> {
  const res = await fx.admin<{ id: string }>('POST', '/api/v1/saved-replies', {
    scope: 'inbox',
    inboxId: fx.inboxId,
    shortcut: unique('m'),
    content: 'Hi {{contact.first_name}}, {{account.company_name}} here.',
  });
  if (res.status !== 201) throw new Error(`saved reply creation failed: ${JSON.stringify(res.body)}`);
  return res.body.id;
}

async function newTeam(fx: MatrixFixture): Promise<string> {
  const res = await fx.admin<{ id: string }>('POST', '/api/v1/teams', { name: unique('Matrix team') });
  if (res.status !== 201) throw new Error(`team creation failed: ${JSON.stringify(res.body)}`);
  return res.body.id;
}

/** Another account's admin gets 404 for this account's team, everyone here reads it. */
const accountRead = (ok: number) => ({ ...expectFor.anyUser(ok), otherAccount: 404 });

export const savedReplyRoutes: MatrixRoute[] = [
  // saved replies
  {
    route: 'POST /api/v1/saved-replies',
    request: async (fx) => ({ path: '/api/v1/saved-replies', body: { scope: 'inbox', inboxId: fx.inboxId, shortcut: unique('new'), content: 'Hello {{contact.name}}' } }),
    expected: expectFor.inboxManager(201),
  },
  { route: 'GET /api/v1/saved-replies', request: async () => ({ path: '/api/v1/saved-replies?q=m' }), expected: expectFor.anyUser(200) },
  {
    route: 'PATCH /api/v1/saved-replies/{id}',
    request: async (fx) => ({ path: `/api/v1/saved-replies/${await inboxReply(fx)}`, body: { content: 'Changed for {{contact.name}}' } }),
    expected: expectFor.inboxManager(200),
  },
  {
    route: 'DELETE /api/v1/saved-replies/{id}',
    request: async (fx) => ({ path: `/api/v1/saved-replies/${await inboxReply(fx)}` }),
    expected: expectFor.inboxManager(204),
  },
  {
    route: 'POST /api/v1/saved-replies/{id}/render',
    request: async (fx) => ({
      path: `/api/v1/saved-replies/${await inboxReply(fx)}/render`,
      body: { conversationId: (await fx.newConversation()).conversationId },
    }),
    expected: expectFor.inboxMember(200),
  },

  // teams
  {
    route: 'POST /api/v1/teams',
    request: async () => ({ path: '/api/v1/teams', body: { name: unique('Team') } }),
    // another account's admin creates a team in their own account
    expected: { ...expectFor.adminOnlyNoTarget(201), otherAccount: 201 },
  },
  { route: 'GET /api/v1/teams', request: async () => ({ path: '/api/v1/teams' }), expected: expectFor.anyUser(200) },
  { route: 'GET /api/v1/teams/{id}', request: async (fx) => ({ path: `/api/v1/teams/${await newTeam(fx)}` }), expected: accountRead(200) },
  {
    route: 'PATCH /api/v1/teams/{id}',
    request: async (fx) => ({ path: `/api/v1/teams/${await newTeam(fx)}`, body: { name: unique('Renamed') } }),
    expected: expectFor.adminOnly(200),
  },
  { route: 'DELETE /api/v1/teams/{id}', request: async (fx) => ({ path: `/api/v1/teams/${await newTeam(fx)}` }), expected: expectFor.adminOnly(204) },
  {
    route: 'PUT /api/v1/teams/{id}/members/{userId}',
    request: async (fx) => ({ path: `/api/v1/teams/${await newTeam(fx)}/members/${fx.users.member.id}` }),
    expected: expectFor.adminOnly(200),
  },
  {
    route: 'DELETE /api/v1/teams/{id}/members/{userId}',
    request: async (fx) => {
      const team = await newTeam(fx);
      await fx.admin('PUT', `/api/v1/teams/${team}/members/${fx.users.member.id}`);
      return { path: `/api/v1/teams/${team}/members/${fx.users.member.id}` };
    },
    expected: expectFor.adminOnly(204),
  },

  // variables
  { route: 'GET /api/v1/variables', request: async () => ({ path: '/api/v1/variables' }), expected: expectFor.anyUser(200) },
];
