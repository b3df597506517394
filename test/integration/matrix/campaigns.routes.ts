/** Authorization matrix rows for campaigns: managers of the sending inbox and administrators only. */
import type { MatrixFixture, MatrixRoute } from './fixture';
import { expectFor } from './fixture';

/** An audience no contact matches, so a started run finishes at once without sending. */
const EMPTY_AUDIENCE = { attributes: { matrix_audience: 'nobody' } };

async function draft(fx: MatrixFixture, extra: Record<string, unknown> = {}): Promise<string> {
  const res = await fx.admin<{ id: string }>('POST', '/api/v1/campaigns', { name: 'Matrix campaign', type: 'one_off', inboxId: fx.inboxId, audience: EMPTY_AUDIENCE, template: 'Hello', ...extra });
  if (res.status !== 201) throw new Error(`campaign creation failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.id;
}

/** Started but waiting for its schedule an hour ahead, so it can be paused, resumed and cancelled. */
async function scheduled(fx: MatrixFixture): Promise<string> {
  const id = await draft(fx, { scheduledAt: new Date(Date.now() + 3_600_000).toISOString() });
  const started = await fx.admin('POST', `/api/v1/campaigns/${id}/start`);
  if (started.status !== 200) throw new Error(`campaign start failed: ${JSON.stringify(started.body)}`);
  return id;
}

export const campaignRoutes: MatrixRoute[] = [
  {
    // One inbox's campaigns: managers of it and administrators (without inboxId everyone gets 200, with what they manage).
    route: 'GET /api/v1/campaigns',
    request: async (fx) => {
      await draft(fx);
      return { path: `/api/v1/campaigns?inboxId=${fx.inboxId}&status=draft&limit=5` };
    },
    expected: expectFor.inboxManager(200),
  },
  {
    route: 'POST /api/v1/campaigns',
    request: async (fx) => ({ path: '/api/v1/campaigns', body: { name: 'Matrix campaign', type: 'promotional', inboxId: fx.inboxId, audience: EMPTY_AUDIENCE, template: 'Hi' } }),
    expected: expectFor.inboxManager(201),
  },
  {
    // the live count of the campaign form, before a campaign exists: the inbox's managers
    route: 'POST /api/v1/campaigns/audience-preview',
    request: async (fx) => ({ path: '/api/v1/campaigns/audience-preview', body: { inboxId: fx.inboxId, audience: EMPTY_AUDIENCE } }),
    expected: expectFor.inboxManager(200),
  },
  {
    route: 'GET /api/v1/campaigns/{id}',
    request: async (fx) => ({ path: `/api/v1/campaigns/${await draft(fx)}` }),
    expected: expectFor.inboxManager(200),
  },
  {
    route: 'PATCH /api/v1/campaigns/{id}',
    request: async (fx) => ({ path: `/api/v1/campaigns/${await draft(fx)}`, body: { name: 'Renamed' } }),
    expected: expectFor.inboxManager(200),
  },
  {
    route: 'POST /api/v1/campaigns/{id}/audience-preview',
    request: async (fx) => ({ path: `/api/v1/campaigns/${await draft(fx)}/audience-preview` }),
    expected: expectFor.inboxManager(200),
  },
  {
    route: 'POST /api/v1/campaigns/{id}/start',
    request: async (fx) => ({ path: `/api/v1/campaigns/${await draft(fx)}/start` }),
    expected: expectFor.inboxManager(200),
  },
  {
    route: 'POST /api/v1/campaigns/{id}/pause',
    request: async (fx) => ({ path: `/api/v1/campaigns/${await scheduled(fx)}/pause` }),
    expected: expectFor.inboxManager(200),
  },
  {
    route: 'POST /api/v1/campaigns/{id}/resume',
    request: async (fx) => {
      const id = await scheduled(fx);
      const paused = await fx.admin('POST', `/api/v1/campaigns/${id}/pause`);
      if (paused.status !== 200) throw new Error(`campaign pause failed: ${JSON.stringify(paused.body)}`);
      return { path: `/api/v1/campaigns/${id}/resume` };
    },
    expected: expectFor.inboxManager(200),
  },
  {
    route: 'POST /api/v1/campaigns/{id}/cancel',
    request: async (fx) => ({ path: `/api/v1/campaigns/${await draft(fx)}/cancel` }),
    expected: expectFor.inboxManager(200),
  },
  {
    route: 'GET /api/v1/campaigns/{id}/progress',
    request: async (fx) => ({ path: `/api/v1/campaigns/${await draft(fx)}/progress` }),
    expected: expectFor.inboxManager(200),
  },
];
