/** Authorization matrix rows for conversations and messages. */
import { expectFor, type MatrixFixture, type MatrixRole, type MatrixRoute } from './fixture';

/** A fresh conversation in the fixture inbox (assignment mode), per role, so actions do not interfere. */
const fresh = async (fx: MatrixFixture) => (await fx.newConversation()).conversationId;
const action = (method: string, suffix: string, expected = expectFor.inboxMember(200), body?: unknown): MatrixRoute => ({
  route: `${method} /api/v1/conversations/{id}${suffix}`,
  request: async (fx) => ({ path: `/api/v1/conversations/${await fresh(fx)}${suffix.replace('{tag}', 'matrix')}`, body }),
  expected,
});
const canHold = (role: MatrixRole) => role === 'member' || role === 'manager' || role === 'admin';

export const conversationRoutes: MatrixRoute[] = [
  { route: 'GET /api/v1/conversations', request: async (fx) => ({ path: `/api/v1/conversations?inboxId=${fx.inboxId}` }), expected: expectFor.inboxMember(200) },
  {
    route: 'GET /api/v1/conversations/{id}',
    request: async (fx) => ({ path: `/api/v1/conversations/${(await fx.newConversation()).conversationId}` }),
    expected: expectFor.inboxMember(200),
  },
  {
    route: 'GET /api/v1/conversations/{id}/timeline',
    request: async (fx) => ({ path: `/api/v1/conversations/${(await fx.newConversation()).conversationId}/timeline` }),
    expected: expectFor.inboxMember(200),
  },
  action('PATCH', '', expectFor.inboxMember(200), { priority: 2 }),
  action('POST', '/read'),
  action('POST', '/unread'),
  action('PUT', '/pin'),
  action('DELETE', '/pin'),
  action('PUT', '/tags', expectFor.inboxMember(200), { tags: ['matrix'] }),
  action('POST', '/tags', expectFor.inboxMember(200), { tags: ['matrix'] }),
  action('DELETE', '/tags/{tag}'),
  // to the manager: the manager takes it, an admin gives it, a team member may not give it to someone else
  {
    route: 'PUT /api/v1/conversations/{id}/assignee',
    request: async (fx) => ({ path: `/api/v1/conversations/${await fresh(fx)}/assignee`, body: { assigneeId: fx.users.manager.id } }),
    expected: expectFor.inboxManager(200),
  },
  action('POST', '/self-assign'),
  {
    // the fixture inbox is in assignment mode: whoever may hold it takes it first, then replies
    route: 'POST /api/v1/conversations/{id}/messages',
    request: async (fx, role) => {
      const id = await fresh(fx);
      if (canHold(role)) await fx.as(role, 'POST', `/api/v1/conversations/${id}/self-assign`);
      return { path: `/api/v1/conversations/${id}/messages`, body: { content: 'matrix reply' } };
    },
    expected: expectFor.inboxMember(201),
  },
  // any member, in either mode: the fixture inbox is in assignment mode and nobody holds the fresh conversation
  action('POST', '/notes', expectFor.inboxMember(201), { content: 'matrix note' }),
  action('POST', '/resolve'),
  action('POST', '/pending'),
  action('POST', '/spam'),
  {
    route: 'POST /api/v1/conversations/{id}/reopen',
    request: async (fx) => {
      const id = await fresh(fx);
      await fx.admin('POST', `/api/v1/conversations/${id}/resolve`);
      return { path: `/api/v1/conversations/${id}/reopen` };
    },
    expected: expectFor.inboxMember(200),
  },
  {
    route: 'POST /api/v1/conversations/{id}/move',
    request: async (fx) => {
      await fx.admin('PATCH', '/api/v1/account', { settings: { allowMoveBetweenInboxes: true } });
      const id = await fresh(fx);
      return { path: `/api/v1/conversations/${id}/move`, body: { inboxId: await fx.newInbox() } };
    },
    expected: expectFor.inboxMember(200),
  },
  {
    // a contact of the fixture inbox whose conversation is resolved, so a new one may start (an active one would be 409)
    route: 'POST /api/v1/inboxes/{inboxId}/conversations',
    request: async (fx) => {
      const { conversationId, contactId } = await fx.newConversation();
      await fx.admin('POST', `/api/v1/conversations/${conversationId}/resolve`);
      return { path: `/api/v1/inboxes/${fx.inboxId}/conversations`, body: { contactId, content: 'matrix start' } };
    },
    expected: expectFor.inboxMember(201),
  },
  {
    route: 'GET /api/v1/contacts/{id}/messages',
    request: async (fx) => ({ path: `/api/v1/contacts/${(await fx.newConversation()).contactId}/messages` }),
    expected: expectFor.inboxMember(200),
  },
];
