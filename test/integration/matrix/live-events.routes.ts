/** Authorization matrix rows for the live event stream (what each caller then receives: live-events.spec.ts). */
import { expectFor, type MatrixRoute } from './fixture';

export const liveEventRoutes: MatrixRoute[] = [
  { route: 'GET /api/v1/events', request: async () => ({ path: '/api/v1/events', stream: true }), expected: expectFor.anyUser(200) },
  { route: 'POST /api/v1/events/ticket', request: async () => ({ path: '/api/v1/events/ticket' }), expected: expectFor.anyUser(201) },
];
