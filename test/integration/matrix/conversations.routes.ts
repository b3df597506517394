/** Authorization matrix rows for conversations and messages. */
import { expectFor, type MatrixRoute } from './fixture';

export const conversationRoutes: MatrixRoute[] = [
  { route: 'GET /api/v1/conversations', request: async (fx) => ({ path: `/api/v1/conversations?inboxId=${fx.inboxId}` }), expected: expectFor.inboxMember(200) },
  {
    route: 'GET /api/v1/conversations/{id}',
    request: async (fx) => ({ path: `/api/v1/conversations/${(await fx.newConversation()).conversationId}` }),
    expected: expectFor.inboxMember(200),
  },
];
