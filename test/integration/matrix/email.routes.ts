/** Authorization matrix rows for the email channel: IMAP/SMTP settings per email inbox, the connection test, the forwarding address, attachment downloads. */
import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import type { MatrixFixture, MatrixRoute } from './fixture';
import { expectFor } from './fixture';

/** Settings that point at a closed local port and stay disabled: no mailbox workflow, a fast failing test. */
const settings = () => ({
  address: 'support@matrix.test',
  imapHost: '127.0.0.1',
  imapPort: 1,
  imapSecure: false,
  imapUser: 'support',
  imapPassword: randomBytes(8).toString('hex'),
  smtpHost: '127.0.0.1',
  smtpPort: 1,
  smtpSecure: false,
  smtpUser: null,
  enabled: false,
});

const emailInboxes = new WeakMap<MatrixFixture, Promise<string>>();
const attachments = new WeakMap<MatrixFixture, Promise<string>>();

/** One email inbox per fixture, with settings and the fixture's member and manager. */
function emailInbox(fx: MatrixFixture): Promise<string> {
  let inbox = emailInboxes.get(fx);
  if (!inbox) {
    inbox = (async () => {
      const created = await fx.admin<{ id: string }>('POST', '/api/v1/inboxes', { name: 'Matrix email inbox', channelType: 'email' });
      if (created.status !== 201) throw new Error(`email inbox creation failed: ${JSON.stringify(created.body)}`);
      const id = created.body.id;
      await fx.admin('PUT', `/api/v1/inboxes/${id}/members/${fx.users.member.id}`, { role: 'member' });
      await fx.admin('PUT', `/api/v1/inboxes/${id}/members/${fx.users.manager.id}`, { role: 'manager' });
      const set = await fx.admin('PUT', `/api/v1/inboxes/${id}/email-channel`, settings());
      if (set.status !== 200) throw new Error(`email settings failed: ${JSON.stringify(set.body)}`);
      return id;
    })();
    emailInboxes.set(fx, inbox);
  }
  return inbox;
}

/** A stored attachment on a message of the fixture's inbox (written as the mailbox would store one; JSON, as the matrix parses every answer). */
function attachment(fx: MatrixFixture): Promise<string> {
  let id = attachments.get(fx);
  if (!id) {
    id = (async () => {
      const { conversationId } = await fx.newConversation();
      const db = new Client({ connectionString: fx.stack.config.database.url });
      await db.connect();
      try {
        const { rows } = await db.query(
          `insert into message_attachment_blobs (id, message_id, filename, content_type, size, content)
           select gen_random_uuid(), m.id, 'note.json', 'application/json', 17, convert_to('{"hello":"world"}', 'UTF8') from messages m where m.conversation_id = $1 order by m.id limit 1
           returning id`,
          [conversationId],
        );
        return rows[0].id as string;
      } finally {
        await db.end();
      }
    })();
    attachments.set(fx, id);
  }
  return id;
}

export const emailRoutes: MatrixRoute[] = [
  {
    route: 'GET /api/v1/inboxes/{id}/email-channel',
    request: async (fx) => ({ path: `/api/v1/inboxes/${await emailInbox(fx)}/email-channel` }),
    expected: expectFor.inboxManager(200),
  },
  {
    route: 'PUT /api/v1/inboxes/{id}/email-channel',
    request: async (fx) => ({ path: `/api/v1/inboxes/${await emailInbox(fx)}/email-channel`, body: settings() }),
    expected: expectFor.inboxManager(200),
  },
  {
    route: 'POST /api/v1/inboxes/{id}/email-channel/test',
    request: async (fx) => ({ path: `/api/v1/inboxes/${await emailInbox(fx)}/email-channel/test` }),
    expected: expectFor.inboxManager(200),
  },
  {
    route: 'GET /api/v1/inboxes/{id}/email-channel/forwarding',
    request: async (fx) => ({ path: `/api/v1/inboxes/${await emailInbox(fx)}/email-channel/forwarding` }),
    expected: expectFor.inboxManager(200),
  },
  {
    route: 'POST /api/v1/inboxes/{id}/email-channel/forwarding/regenerate',
    request: async (fx) => ({ path: `/api/v1/inboxes/${await emailInbox(fx)}/email-channel/forwarding/regenerate` }),
    expected: expectFor.inboxManager(200),
  },
  {
    route: 'GET /api/v1/attachments/{id}',
    request: async (fx) => ({ path: `/api/v1/attachments/${await attachment(fx)}` }),
    expected: expectFor.inboxMember(200),
  },
];
