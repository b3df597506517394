/** Authorization matrix rows for the CRM connector (connectors: administrators; a contact's CRM view: who sees the contact). */
import { expectFor, type MatrixFixture, type MatrixRoute } from './fixture';

/** Another account's administrator manages their own account's connectors. */
const adminsOfAnyAccount = (ok: number) => ({ anonymous: 401, otherAccount: ok, nonMember: 403, member: 403, manager: 403, admin: ok });
/** Who sees the contact: members of an inbox with a conversation of it, administrators (as GET /contacts/{id}). */
const contactViewers = expectFor.inboxMember;

/** A disabled connector of the fixture account looking up on a closed local port (it never runs on its own). */
async function connector(fx: MatrixFixture): Promise<string> {
  const res = await fx.admin<{ id: string }>('POST', '/api/v1/crm-connectors', { name: 'Matrix CRM', enabled: false, lookupAttribute: 'email', lookupUrl: 'http://127.0.0.1:9/contacts?email={{value}}' });
  if (res.status !== 201) throw new Error(`connector creation failed: ${JSON.stringify(res.body)}`);
  return res.body.id;
}

const body = { name: 'CRM', enabled: false, lookupAttribute: 'email', lookupUrl: 'https://crm.example.com/contacts?email={{value}}' };

export const crmRoutes: MatrixRoute[] = [
  { route: 'POST /api/v1/crm-connectors', request: async () => ({ path: '/api/v1/crm-connectors', body }), expected: adminsOfAnyAccount(201) },
  { route: 'GET /api/v1/crm-connectors', request: async () => ({ path: '/api/v1/crm-connectors' }), expected: adminsOfAnyAccount(200) },
  { route: 'GET /api/v1/crm-connectors/{id}', request: async (fx) => ({ path: `/api/v1/crm-connectors/${await connector(fx)}` }), expected: expectFor.adminOnly(200) },
  {
    route: 'PATCH /api/v1/crm-connectors/{id}',
    request: async (fx) => ({ path: `/api/v1/crm-connectors/${await connector(fx)}`, body: { name: 'Renamed' } }),
    expected: expectFor.adminOnly(200),
  },
  { route: 'DELETE /api/v1/crm-connectors/{id}', request: async (fx) => ({ path: `/api/v1/crm-connectors/${await connector(fx)}` }), expected: expectFor.adminOnly(204) },
  {
    route: 'POST /api/v1/crm-connectors/{id}/test',
    request: async (fx) => ({ path: `/api/v1/crm-connectors/${await connector(fx)}/test`, body: { contactId: (await fx.newConversation()).contactId } }),
    expected: expectFor.adminOnly(200),
  },
  {
    route: 'GET /api/v1/crm-connectors/{id}/write-backs',
    request: async (fx) => ({ path: `/api/v1/crm-connectors/${await connector(fx)}/write-backs?limit=10` }),
    expected: expectFor.adminOnly(200),
  },
  { route: 'GET /api/v1/contacts/{contactId}/crm', request: async (fx) => ({ path: `/api/v1/contacts/${(await fx.newConversation()).contactId}/crm` }), expected: contactViewers(200) },
  {
    route: 'POST /api/v1/contacts/{contactId}/crm/refresh',
    request: async (fx) => ({ path: `/api/v1/contacts/${(await fx.newConversation()).contactId}/crm/refresh` }),
    expected: contactViewers(200),
  },
];
