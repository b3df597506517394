/** Authorization matrix rows for outgoing webhooks (administrators only). */
import { expectFor, type MatrixFixture, type MatrixRoute } from './fixture';

/** Another account's administrator manages their own account's endpoints. */
const adminsOfAnyAccount = (ok: number) => ({ anonymous: 401, otherAccount: ok, nonMember: 403, member: 403, manager: 403, admin: ok });

/** A fresh endpoint of the fixture account; enabled ones point at a closed local port (attempts fail quietly). */
async function endpoint(fx: MatrixFixture, enabled = false): Promise<string> {
  const res = await fx.admin<{ id: string }>('POST', '/api/v1/webhook-endpoints', { url: 'http://127.0.0.1:9/hook', enabled });
  if (res.status !== 201) throw new Error(`endpoint creation failed: ${JSON.stringify(res.body)}`);
  return res.body.id;
}

/** An endpoint with one delivery (a test event). */
async function delivery(fx: MatrixFixture): Promise<{ endpointId: string; deliveryId: string }> {
  const endpointId = await endpoint(fx, true);
  const res = await fx.admin<{ deliveryId: string }>('POST', `/api/v1/webhook-endpoints/${endpointId}/test`);
  if (res.status !== 202) throw new Error(`test event failed: ${JSON.stringify(res.body)}`);
  return { endpointId, deliveryId: res.body.deliveryId };
}

export const webhookRoutes: MatrixRoute[] = [
  {
    route: 'POST /api/v1/webhook-endpoints',
    request: async () => ({ path: '/api/v1/webhook-endpoints', body: { url: 'https://example.com/hook', enabled: false } }),
    expected: adminsOfAnyAccount(201),
  },
  { route: 'GET /api/v1/webhook-endpoints', request: async () => ({ path: '/api/v1/webhook-endpoints' }), expected: adminsOfAnyAccount(200) },
  { route: 'GET /api/v1/webhook-endpoints/{id}', request: async (fx) => ({ path: `/api/v1/webhook-endpoints/${await endpoint(fx)}` }), expected: expectFor.adminOnly(200) },
  {
    route: 'PATCH /api/v1/webhook-endpoints/{id}',
    request: async (fx) => ({ path: `/api/v1/webhook-endpoints/${await endpoint(fx)}`, body: { description: 'changed' } }),
    expected: expectFor.adminOnly(200),
  },
  { route: 'DELETE /api/v1/webhook-endpoints/{id}', request: async (fx) => ({ path: `/api/v1/webhook-endpoints/${await endpoint(fx)}` }), expected: expectFor.adminOnly(204) },
  {
    route: 'POST /api/v1/webhook-endpoints/{id}/rotate-secret',
    request: async (fx) => ({ path: `/api/v1/webhook-endpoints/${await endpoint(fx)}/rotate-secret`, body: { overlapSeconds: 60 } }),
    expected: expectFor.adminOnly(200),
  },
  { route: 'POST /api/v1/webhook-endpoints/{id}/test', request: async (fx) => ({ path: `/api/v1/webhook-endpoints/${await endpoint(fx, true)}/test` }), expected: expectFor.adminOnly(202) },
  {
    route: 'GET /api/v1/webhook-endpoints/{id}/deliveries',
    request: async (fx) => ({ path: `/api/v1/webhook-endpoints/${(await delivery(fx)).endpointId}/deliveries` }),
    expected: expectFor.adminOnly(200),
  },
  {
    route: 'GET /api/v1/webhook-endpoints/{id}/deliveries/{deliveryId}',
    request: async (fx) => {
      const d = await delivery(fx);
      return { path: `/api/v1/webhook-endpoints/${d.endpointId}/deliveries/${d.deliveryId}` };
    },
    expected: expectFor.adminOnly(200),
  },
  {
    route: 'POST /api/v1/webhook-endpoints/{id}/deliveries/{deliveryId}/redeliver',
    request: async (fx) => {
      const d = await delivery(fx);
      return { path: `/api/v1/webhook-endpoints/${d.endpointId}/deliveries/${d.deliveryId}/redeliver` };
    },
    expected: expectFor.adminOnly(202),
  },
  {
    route: 'POST /api/v1/webhook-endpoints/{id}/redeliver-failed',
    request: async (fx) => ({ path: `/api/v1/webhook-endpoints/${await endpoint(fx)}/redeliver-failed`, body: { from: '2026-01-01T00:00:00Z', to: '2030-01-01T00:00:00Z' } }),
    expected: expectFor.adminOnly(202),
  },
];
