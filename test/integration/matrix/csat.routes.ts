/** Authorization matrix rows for CSAT: surveys sent by hand, the public rating link and the report. */
import { expectFor, type MatrixFixture, type MatrixRoute } from './fixture';

/** A survey sent by hand (by the admin) on a fresh conversation of the fixture inbox; returns its link token. */
async function surveyToken(fx: MatrixFixture): Promise<string> {
  const { conversationId } = await fx.newConversation();
  const res = await fx.admin<{ url: string }>('POST', `/api/v1/conversations/${conversationId}/csat-survey`, {});
  if (res.status !== 201) throw new Error(`survey creation failed: ${JSON.stringify(res.body)}`);
  return res.body.url.split('/').pop()!;
}

/** The link's token is the key: every caller gets the same answer, with or without a session. */
const anyone = (ok: number) => ({ anonymous: ok, otherAccount: ok, nonMember: ok, member: ok, manager: ok, admin: ok });

export const csatRoutes: MatrixRoute[] = [
  {
    route: 'POST /api/v1/conversations/{id}/csat-survey',
    request: async (fx) => ({ path: `/api/v1/conversations/${(await fx.newConversation()).conversationId}/csat-survey`, body: { question: 'How did we do?' } }),
    expected: expectFor.inboxManager(201),
  },
  { route: 'GET /api/v1/csat/{token}', request: async (fx) => ({ path: `/api/v1/csat/${await surveyToken(fx)}` }), expected: anyone(200) },
  {
    route: 'POST /api/v1/csat/{token}',
    request: async (fx) => ({ path: `/api/v1/csat/${await surveyToken(fx)}`, body: { rating: 4, comment: 'matrix' } }),
    expected: anyone(200),
  },
  {
    // the report of the fixture inbox: its managers and administrators
    route: 'GET /api/v1/reports/csat',
    request: async (fx) => ({ path: `/api/v1/reports/csat?inboxId=${fx.inboxId}&groupBy=agent` }),
    expected: expectFor.inboxManager(200),
  },
  {
    // the volume report of the fixture inbox: its managers and administrators
    route: 'GET /api/v1/reports/volume',
    request: async (fx) => ({ path: `/api/v1/reports/volume?inboxId=${fx.inboxId}&groupBy=day` }),
    expected: expectFor.inboxManager(200),
  },
  {
    // conversation metrics of the fixture inbox (and their CSV): its managers and administrators
    route: 'GET /api/v1/reports/conversations',
    request: async (fx) => ({ path: `/api/v1/reports/conversations?inboxId=${fx.inboxId}&groupBy=week` }),
    expected: expectFor.inboxManager(200),
  },
  {
    route: 'GET /api/v1/reports/conversations.csv',
    request: async (fx) => ({ path: `/api/v1/reports/conversations.csv?inboxId=${fx.inboxId}&groupBy=month`, csv: true }),
    expected: expectFor.inboxManager(200),
  },
  {
    // campaign results of the fixture inbox (and their CSV): its managers and administrators
    route: 'GET /api/v1/reports/campaigns',
    request: async (fx) => ({ path: `/api/v1/reports/campaigns?inboxId=${fx.inboxId}` }),
    expected: expectFor.inboxManager(200),
  },
  {
    route: 'GET /api/v1/reports/campaigns.csv',
    request: async (fx) => ({ path: `/api/v1/reports/campaigns.csv?inboxId=${fx.inboxId}`, csv: true }),
    expected: expectFor.inboxManager(200),
  },
];
