/** Authorization matrix rows for agent presence. */
import { expectFor, type MatrixRoute } from './fixture';

export const presenceRoutes: MatrixRoute[] = [
  { route: 'POST /api/v1/presence/heartbeat', request: async () => ({ path: '/api/v1/presence/heartbeat' }), expected: expectFor.anyUser(200) },
  // one's own presence
  { route: 'GET /api/v1/presence', request: async () => ({ path: '/api/v1/presence' }), expected: expectFor.anyUser(200) },
  { route: 'PUT /api/v1/presence', request: async () => ({ path: '/api/v1/presence', body: { online: true } }), expected: expectFor.anyUser(200) },
  { route: 'GET /api/v1/inboxes/{inboxId}/agents', request: async (fx) => ({ path: `/api/v1/inboxes/${fx.inboxId}/agents` }), expected: expectFor.inboxMember(200) },
];
