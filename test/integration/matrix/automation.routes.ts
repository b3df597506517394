/**
 * Authorization matrix rows for automation rules: managers of the rule's inbox and administrators;
 * account-wide rules and the full reorder are the administrators'; team members 403.
 */
import { expectFor, type MatrixFixture, type MatrixRoute } from './fixture';

/** A rule limited to the fixture inbox (created by the admin). */
async function inboxRule(fx: MatrixFixture): Promise<string> {
  const res = await fx.admin<{ id: string }>('POST', '/api/v1/automation-rules', {
    name: `Matrix rule ${Date.now().toString(36)}`,
    inboxId: fx.inboxId,
    trigger: { event: 'message_received' },
    conditions: { all: [{ attribute: 'message.content', operator: 'contains', value: 'matrix' }] },
    actions: [{ type: 'add_tag', tag: 'matrix' }],
  });
  if (res.status !== 201) throw new Error(`automation rule creation failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.id;
}

/** Every rule of the account, in order (what a full reorder must list). */
async function allRuleIds(fx: MatrixFixture): Promise<string[]> {
  const res = await fx.admin<{ items: { id: string }[] }>('GET', '/api/v1/automation-rules');
  return res.body.items.map((r) => r.id);
}

/** Any signed-in manager or administrator; another account's administrator reads their own (empty) list. */
const rulesReaders = (ok: number) => ({ anonymous: 401, otherAccount: ok, nonMember: 403, member: 403, manager: ok, admin: ok });

export const automationRoutes: MatrixRoute[] = [
  {
    route: 'POST /api/v1/automation-rules',
    request: async (fx) => ({
      path: '/api/v1/automation-rules',
      body: { name: 'New matrix rule', inboxId: fx.inboxId, trigger: { event: 'message_received' }, actions: [{ type: 'add_tag', tag: 'matrix' }] },
    }),
    expected: expectFor.inboxManager(201),
  },
  { route: 'GET /api/v1/automation-rules', request: async () => ({ path: '/api/v1/automation-rules' }), expected: rulesReaders(200) },
  // what rule builders may name: every user of an account (hidden attributes for administrators only)
  { route: 'GET /api/v1/automation-rules/catalog', request: async () => ({ path: '/api/v1/automation-rules/catalog' }), expected: expectFor.anyUser(200) },
  {
    route: 'PUT /api/v1/automation-rules/order',
    request: async (fx) => {
      await inboxRule(fx);
      return { path: '/api/v1/automation-rules/order', body: { ids: (await allRuleIds(fx)).reverse() } };
    },
    expected: expectFor.adminOnly(200),
  },
  {
    route: 'POST /api/v1/automation-rules/test',
    request: async (fx) => ({
      path: '/api/v1/automation-rules/test',
      body: { ruleId: await inboxRule(fx), conversationId: (await fx.newConversation()).conversationId },
    }),
    expected: expectFor.inboxManager(200),
  },
  {
    route: 'POST /api/v1/automation-rules/what-if',
    request: async (fx) => ({
      path: '/api/v1/automation-rules/what-if',
      body: { inboxId: fx.inboxId, last: 10, rules: [{ name: 'Draft', trigger: { event: 'message_received' }, actions: [{ type: 'add_tag', tag: 'draft' }] }] },
    }),
    expected: expectFor.inboxManager(200),
  },
  { route: 'GET /api/v1/automation-rules/{id}', request: async (fx) => ({ path: `/api/v1/automation-rules/${await inboxRule(fx)}` }), expected: expectFor.inboxManager(200) },
  {
    route: 'PATCH /api/v1/automation-rules/{id}',
    request: async (fx) => ({ path: `/api/v1/automation-rules/${await inboxRule(fx)}`, body: { name: 'Renamed matrix rule', stopProcessing: true } }),
    expected: expectFor.inboxManager(200),
  },
  { route: 'DELETE /api/v1/automation-rules/{id}', request: async (fx) => ({ path: `/api/v1/automation-rules/${await inboxRule(fx)}` }), expected: expectFor.inboxManager(204) },
  {
    route: 'POST /api/v1/automation-rules/{id}/move',
    request: async (fx) => ({ path: `/api/v1/automation-rules/${await inboxRule(fx)}/move`, body: { position: 0 } }),
    expected: expectFor.inboxManager(200),
  },
  { route: 'GET /api/v1/automation-rules/{id}/firings', request: async (fx) => ({ path: `/api/v1/automation-rules/${await inboxRule(fx)}/firings` }), expected: expectFor.inboxManager(200) },
  { route: 'GET /api/v1/automation-rules/{id}/stats', request: async (fx) => ({ path: `/api/v1/automation-rules/${await inboxRule(fx)}/stats?days=7` }), expected: expectFor.inboxManager(200) },
  {
    route: 'GET /api/v1/conversations/{id}/automation',
    request: async (fx) => ({ path: `/api/v1/conversations/${(await fx.newConversation()).conversationId}/automation` }),
    expected: expectFor.inboxManager(200),
  },
];
