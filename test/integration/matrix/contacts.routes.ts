/** Authorization matrix rows for contacts, contact attributes and the deleted-contacts log. */
import { expectFor, type MatrixFixture, type MatrixRoute } from './fixture';

let attributeSeq = 0;
const newAttribute = async (fx: MatrixFixture) => {
  attributeSeq += 1;
  const res = await fx.admin<{ id: string }>('POST', '/api/v1/contact-attributes', {
    key: `matrix_${Date.now().toString(36)}_${attributeSeq}`,
    label: 'Matrix',
    type: 'text',
  });
  if (res.status !== 201) throw new Error(`attribute creation failed: ${JSON.stringify(res.body)}`);
  return res.body.id;
};
const contactIn = async (fx: MatrixFixture) => (await fx.newConversation()).contactId;
/** Account-level, administrators only; another account's administrator gets their own account's. */
const ownAccountAdmin = (ok: number) => ({ ...expectFor.adminOnlyNoTarget(ok), otherAccount: ok });

export const contactRoutes: MatrixRoute[] = [
  { route: 'GET /api/v1/contacts', request: async () => ({ path: '/api/v1/contacts' }), expected: expectFor.anyUser(200) },
  {
    route: 'GET /api/v1/contacts/export.csv',
    // no matching contact and no header: an empty body (the matrix client parses JSON)
    request: async () => ({ path: `/api/v1/contacts/export.csv?attributes=name,vip&q=nobody-${Date.now()}&header=false` }),
    expected: ownAccountAdmin(200),
  },
  {
    route: 'POST /api/v1/contacts',
    request: async () => ({ path: '/api/v1/contacts', body: { name: 'Created by hand', email: `created-${Date.now().toString(36)}-${++attributeSeq}@example.com` } }),
    expected: ownAccountAdmin(201),
  },
  {
    route: 'POST /api/v1/contacts/import',
    request: async () => ({
      path: '/api/v1/contacts/import',
      contentType: 'text/csv',
      body: `name,email,vip\r\nImported,imported-${Date.now().toString(36)}-${++attributeSeq}@example.com,true\r\n`,
    }),
    expected: ownAccountAdmin(200),
  },
  { route: 'GET /api/v1/contacts/{id}', request: async (fx) => ({ path: `/api/v1/contacts/${await contactIn(fx)}` }), expected: expectFor.inboxMember(200) },
  {
    route: 'PATCH /api/v1/contacts/{id}',
    request: async (fx) => ({ path: `/api/v1/contacts/${await contactIn(fx)}`, body: { vip: true, name: 'Renamed', tags: ['matrix'] } }),
    expected: expectFor.inboxMember(200),
  },
  { route: 'DELETE /api/v1/contacts/{id}', request: async (fx) => ({ path: `/api/v1/contacts/${await contactIn(fx)}` }), expected: expectFor.adminOnly(204) },
  { route: 'PUT /api/v1/contacts/{id}/favourite', request: async (fx) => ({ path: `/api/v1/contacts/${await contactIn(fx)}/favourite` }), expected: expectFor.inboxMember(204) },
  { route: 'DELETE /api/v1/contacts/{id}/favourite', request: async (fx) => ({ path: `/api/v1/contacts/${await contactIn(fx)}/favourite` }), expected: expectFor.inboxMember(204) },
  {
    route: 'PUT /api/v1/contacts/{id}/opt-outs/{channelType}',
    request: async (fx) => ({ path: `/api/v1/contacts/${await contactIn(fx)}/opt-outs/sms` }),
    expected: expectFor.inboxMember(204),
  },
  {
    route: 'DELETE /api/v1/contacts/{id}/opt-outs/{channelType}',
    request: async (fx) => {
      const id = await contactIn(fx);
      await fx.admin('PUT', `/api/v1/contacts/${id}/opt-outs/sms`);
      return { path: `/api/v1/contacts/${id}/opt-outs/sms` };
    },
    expected: expectFor.inboxMember(204),
  },
  {
    route: 'POST /api/v1/contacts/{id}/merge',
    request: async (fx) => ({ path: `/api/v1/contacts/${await contactIn(fx)}/merge`, body: { otherContactId: await contactIn(fx) } }),
    expected: expectFor.inboxMember(200),
  },
  { route: 'GET /api/v1/deleted-contacts', request: async () => ({ path: '/api/v1/deleted-contacts' }), expected: ownAccountAdmin(200) },
  { route: 'GET /api/v1/contact-attributes', request: async () => ({ path: '/api/v1/contact-attributes' }), expected: expectFor.anyUser(200) },
  {
    route: 'POST /api/v1/contact-attributes',
    request: async () => ({ path: '/api/v1/contact-attributes', body: { key: `m_${Date.now().toString(36)}_${++attributeSeq}`, label: 'M', type: 'dropdown', options: ['A'] } }),
    expected: ownAccountAdmin(201),
  },
  {
    route: 'PUT /api/v1/contact-attributes/order',
    // the definitions are the main account's: another account's administrator finds none of them
    request: async (fx) => ({ path: '/api/v1/contact-attributes/order', body: { ids: [await newAttribute(fx)] } }),
    expected: expectFor.adminOnly(200),
  },
  {
    route: 'PATCH /api/v1/contact-attributes/{id}',
    request: async (fx) => ({ path: `/api/v1/contact-attributes/${await newAttribute(fx)}`, body: { label: 'Renamed', visible: false } }),
    expected: expectFor.adminOnly(200),
  },
  {
    route: 'DELETE /api/v1/contact-attributes/{id}',
    request: async (fx) => ({ path: `/api/v1/contact-attributes/${await newAttribute(fx)}` }),
    expected: expectFor.adminOnly(204),
  },
];
