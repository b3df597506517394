/** Authorization matrix rows for the SMS channel: Twilio settings per SMS inbox and Twilio's webhooks. */
import { randomBytes } from 'node:crypto';
import type { MatrixFixture, MatrixRoute } from './fixture';
import { expectFor } from './fixture';

const settings = () => ({ accountSid: `AC${randomBytes(16).toString('hex')}`, authToken: randomBytes(16).toString('hex'), fromNumber: '+15005550006' });

const smsInboxes = new WeakMap<MatrixFixture, Promise<string>>();

/** One SMS inbox per fixture, with Twilio settings and the fixture's member and manager. */
function smsInbox(fx: MatrixFixture): Promise<string> {
  let inbox = smsInboxes.get(fx);
  if (!inbox) {
    inbox = (async () => {
      const created = await fx.admin<{ id: string }>('POST', '/api/v1/inboxes', { name: 'Matrix SMS inbox', channelType: 'sms' });
      if (created.status !== 201) throw new Error(`sms inbox creation failed: ${JSON.stringify(created.body)}`);
      const id = created.body.id;
      await fx.admin('PUT', `/api/v1/inboxes/${id}/members/${fx.users.member.id}`, { role: 'member' });
      await fx.admin('PUT', `/api/v1/inboxes/${id}/members/${fx.users.manager.id}`, { role: 'manager' });
      const set = await fx.admin('PUT', `/api/v1/inboxes/${id}/sms-channel`, settings());
      if (set.status !== 200) throw new Error(`sms settings failed: ${JSON.stringify(set.body)}`);
      return id;
    })();
    smsInboxes.set(fx, inbox);
  }
  return inbox;
}

/** Webhooks take no bearer token: only Twilio's signature counts, so every caller without one gets 403. */
const unsigned = { anonymous: 403, otherAccount: 403, nonMember: 403, member: 403, manager: 403, admin: 403 };

export const smsRoutes: MatrixRoute[] = [
  {
    route: 'GET /api/v1/inboxes/{id}/sms-channel',
    request: async (fx) => ({ path: `/api/v1/inboxes/${await smsInbox(fx)}/sms-channel` }),
    expected: expectFor.inboxManager(200),
  },
  {
    route: 'PUT /api/v1/inboxes/{id}/sms-channel',
    request: async (fx) => ({ path: `/api/v1/inboxes/${await smsInbox(fx)}/sms-channel`, body: settings() }),
    expected: expectFor.inboxManager(200),
  },
  {
    route: 'POST /webhooks/twilio/sms/{inboxId}',
    request: async (fx) => ({ path: `/webhooks/twilio/sms/${await smsInbox(fx)}`, body: { MessageSid: 'SM1', From: '+15551230000', To: '+15005550006', Body: 'hi' } }),
    expected: unsigned,
  },
  {
    route: 'POST /webhooks/twilio/sms/{inboxId}/status',
    request: async (fx) => ({ path: `/webhooks/twilio/sms/${await smsInbox(fx)}/status`, body: { MessageSid: 'SM1', MessageStatus: 'delivered' } }),
    expected: unsigned,
  },
];
