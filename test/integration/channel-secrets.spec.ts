/**
 * Stored channel secrets stay with the endpoint they were given for. An administrator stores the
 * mailbox's IMAP and SMTP passwords; a manager of the inbox (who may edit the settings but never saw
 * the passwords) points the settings at servers of their own and runs the connection test. Those
 * servers are real listeners on this machine that record what they receive — an IMAP listener that
 * takes LOGIN (test/support/imap-trap.ts) and an `smtp-server` that records AUTH — and they must never
 * see the administrator's passwords: a change of host, port, TLS mode or login (SMTP: also the
 * address) is a 400 naming the password needed again, and nothing is stored. Twilio: a new account
 * SID needs the auth token again.
 *
 * The administrator's servers listen on 127.0.0.2; the manager's on 127.0.0.1 with the same ports (a
 * change of host only) and on 127.0.0.2 with other ports (a change of port only).
 */
import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { startImapTrap, type ImapTrap } from '../support/imap-trap';
import { startSmtpReceiver, type SmtpReceiver } from '../support/smtp-receiver';
import { http, signUp, startTestStack, type TestStack } from '../support/test-stack';

const ADMIN_HOST = '127.0.0.2';
const OTHER_HOST = '127.0.0.1';
const IMAP_USER = 'support';
const SMTP_USER = 'smtp-support';
const IMAP_SECRET = `imap-${randomBytes(8).toString('hex')}`;
const SMTP_SECRET = `smtp-${randomBytes(8).toString('hex')}`;

interface ErrorBody {
  message: string;
  details?: { field: string; problem: string }[];
}
type Account = Awaited<ReturnType<typeof signUp>>;

let stack: TestStack;
let db: Client;
let admin: Account;
let manager: { id: string; token: string };
let emailInbox: string;
let smsInbox: string;
/** The administrator's servers. */
let adminImap: ImapTrap;
let adminSmtp: SmtpReceiver;
/** The manager's servers: same ports on another host, and other ports on the same host. */
let hostImap: ImapTrap;
let hostSmtp: SmtpReceiver;
let portImap: ImapTrap;
let portSmtp: SmtpReceiver;

const as = <T>(token: string, method: string, path: string, body?: unknown) => http<T>(stack, method, path, body, token);
const asAdmin = <T>(method: string, path: string, body?: unknown) => as<T>(admin.token, method, path, body);
const asManager = <T>(method: string, path: string, body?: unknown) => as<T>(manager.token, method, path, body);

/** The administrator's settings, without the passwords (a manager's PUT sends what it sees). */
function visibleSettings(extra: Record<string, unknown> = {}) {
  return {
    address: 'support@acme.test',
    displayName: 'Acme Support',
    imapHost: ADMIN_HOST,
    imapPort: adminImap.port,
    imapSecure: false,
    imapUser: IMAP_USER,
    imapFolder: 'INBOX',
    smtpHost: ADMIN_HOST,
    smtpPort: adminSmtp.port,
    smtpSecure: false,
    smtpUser: SMTP_USER,
    enabled: false,
    ...extra,
  };
}

/** Two listeners on the same port, one per host: retried while another process holds the port on the second host. */
async function onBothHosts<T extends { port: number; close(): Promise<void> }>(start: (host: string, port?: number) => Promise<T>): Promise<[T, T]> {
  for (let attempt = 0; ; attempt++) {
    const first = await start(ADMIN_HOST);
    try {
      return [first, await start(OTHER_HOST, first.port)];
    } catch (err) {
      await first.close();
      if (attempt >= 5) throw err;
    }
  }
}

const storedRow = async (inboxId: string) =>
  (await db.query('select imap_host, imap_port, imap_secure, imap_user, imap_password_sealed, smtp_host, smtp_port, smtp_secure, smtp_user, smtp_password_sealed, address, updated_at from email_channels where inbox_id = $1', [inboxId])).rows[0];

async function createUser(name: string): Promise<{ id: string; token: string }> {
  const email = `secrets-${Date.now()}-${randomBytes(3).toString('hex')}@example.com`;
  const created = await asAdmin<{ id: string }>('POST', '/api/v1/users', { name, email, password: 'correct horse battery' });
  expect(created.status).toBe(201);
  const login = await http<{ token: string }>(stack, 'POST', '/api/v1/auth/login', { email, password: 'correct horse battery' });
  expect(login.status).toBe(200);
  return { id: created.body.id, token: login.body.token };
}

beforeAll(async () => {
  [adminImap, hostImap] = await onBothHosts((host, port) => startImapTrap({ host, port }));
  [adminSmtp, hostSmtp] = await onBothHosts((host, port) => startSmtpReceiver({ host, port, user: SMTP_USER, password: SMTP_SECRET }));
  portImap = await startImapTrap({ host: ADMIN_HOST });
  portSmtp = await startSmtpReceiver({ host: ADMIN_HOST, user: SMTP_USER, password: 'whatever' });
  stack = await startTestStack({ worker: false, env: { EMAIL_CONNECT_TIMEOUT_MS: '3000' } });
  db = new Client({ connectionString: stack.config.database.url });
  await db.connect();
  admin = await signUp(stack, 'Secrets Ltd');
  manager = await createUser('Mallory Manager');
  const email = await asAdmin<{ id: string }>('POST', '/api/v1/inboxes', { name: 'Support mail', channelType: 'email' });
  const sms = await asAdmin<{ id: string }>('POST', '/api/v1/inboxes', { name: 'Texts', channelType: 'sms' });
  expect([email.status, sms.status]).toEqual([201, 201]);
  emailInbox = email.body.id;
  smsInbox = sms.body.id;
  for (const inbox of [emailInbox, smsInbox]) expect((await asAdmin('PUT', `/api/v1/inboxes/${inbox}/members/${manager.id}`, { role: 'manager' })).status).toBe(200);
  const put = await asAdmin('PUT', `/api/v1/inboxes/${emailInbox}/email-channel`, visibleSettings({ imapPassword: IMAP_SECRET, smtpPassword: SMTP_SECRET }));
  expect(put.status).toBe(200);
}, 120_000);

afterAll(async () => {
  await db?.end();
  await stack?.close();
  for (const server of [adminImap, hostImap, portImap, adminSmtp, hostSmtp, portSmtp]) await server?.close();
});

describe('email: stored passwords never reach another server', () => {
  test.each([
    ['host', () => ({ imapHost: OTHER_HOST, smtpHost: OTHER_HOST }), () => [hostImap, hostSmtp] as const, 'imapHost', 'smtpHost'],
    ['port', () => ({ imapPort: portImap.port, smtpPort: portSmtp.port }), () => [portImap, portSmtp] as const, 'imapPort', 'smtpPort'],
  ])("a manager's own %s: 400 naming both passwords, nothing stored, and the connection test logs in at the administrator's servers only", async (_what, change, servers, imapField, smtpField) => {
    const [theirImap, theirSmtp] = servers();
    const before = await storedRow(emailInbox);
    const put = await asManager<ErrorBody>('PUT', `/api/v1/inboxes/${emailInbox}/email-channel`, visibleSettings(change()));
    const test = await asManager<{ imap: { ok: boolean }; smtp: { ok: boolean } }>('POST', `/api/v1/inboxes/${emailInbox}/email-channel/test`);
    expect(test.status).toBe(200);

    // What the manager's servers received (the IMAP transcripts hold LOGIN "<user>" "<password>").
    expect({ imap: theirImap.transcripts, smtp: theirSmtp.logins }).toEqual({ imap: [], smtp: [] });
    expect(theirImap.received(IMAP_SECRET)).toBe(false);
    expect(theirSmtp.logins.map((l) => l.password)).not.toContain(SMTP_SECRET);

    expect(put.status).toBe(400);
    expect(put.body.details).toEqual([
      { field: 'imapPassword', problem: `required again because ${imapField} changed` },
      { field: 'smtpPassword', problem: `required again because ${smtpField} changed` },
    ]);
    expect(put.body.message).toBe(`imapPassword: required again because ${imapField} changed; smtpPassword: required again because ${smtpField} changed`);
    expect(await storedRow(emailInbox)).toEqual(before);
    // The test went where the administrator's settings point, with their passwords: the path the manager wanted to use.
    expect(adminImap.received(IMAP_SECRET)).toBe(true);
    expect(test.body.smtp.ok).toBe(true);
    expect(adminSmtp.logins.at(-1)).toEqual({ username: SMTP_USER, password: SMTP_SECRET });
  });

  test.each([
    [{ imapSecure: true }, 'imapPassword', 'imapSecure'],
    [{ imapUser: 'other-user' }, 'imapPassword', 'imapUser'],
    [{ imapHost: 'imap.elsewhere.test', imapPort: 993, imapSecure: true }, 'imapPassword', 'imapHost, imapPort and imapSecure'],
    [{ smtpSecure: true }, 'smtpPassword', 'smtpSecure'],
    [{ smtpUser: 'other-user' }, 'smtpPassword', 'smtpUser'],
    [{ address: 'sales@acme.test' }, 'smtpPassword', 'address'],
    [{ smtpHost: 'SMTP.elsewhere.test', smtpPort: 587 }, 'smtpPassword', 'smtpHost and smtpPort'],
  ])('%j without %s: 400 naming what changed, nothing stored', async (change, field, changed) => {
    const before = await storedRow(emailInbox);
    const put = await asManager<ErrorBody>('PUT', `/api/v1/inboxes/${emailInbox}/email-channel`, visibleSettings(change));
    expect([put.status, put.body.details]).toEqual([400, [{ field, problem: `required again because ${changed} changed` }]]);
    expect(await storedRow(emailInbox)).toEqual(before);
  });

  test('the same endpoint keeps both stored passwords; a new IMAP endpoint with its password keeps the SMTP one', async () => {
    const before = await storedRow(emailInbox);
    // The display name and the folder are not part of the endpoint.
    const same = await asManager<{ imapPasswordSet: boolean; smtpPasswordSet: boolean }>(
      'PUT',
      `/api/v1/inboxes/${emailInbox}/email-channel`,
      visibleSettings({ displayName: 'Acme Help', imapFolder: 'Archive' }),
    );
    expect(same.status).toBe(200);
    expect(same.body).toMatchObject({ imapPasswordSet: true, smtpPasswordSet: true });
    const kept = await storedRow(emailInbox);
    expect([kept.imap_password_sealed, kept.smtp_password_sealed]).toEqual([before.imap_password_sealed, before.smtp_password_sealed]);

    const ownPassword = `typed-${randomBytes(4).toString('hex')}`;
    const moved = await asManager('PUT', `/api/v1/inboxes/${emailInbox}/email-channel`, visibleSettings({ imapPort: portImap.port, imapPassword: ownPassword }));
    expect(moved.status).toBe(200);
    const after = await storedRow(emailInbox);
    expect(after.imap_password_sealed).not.toBe(before.imap_password_sealed);
    expect(after.smtp_password_sealed).toBe(before.smtp_password_sealed);
    const test = await asManager('POST', `/api/v1/inboxes/${emailInbox}/email-channel/test`);
    expect(test.status).toBe(200);
    // The new IMAP server gets the password typed for it, never the administrator's.
    expect(portImap.received(ownPassword)).toBe(true);
    expect(portImap.received(IMAP_SECRET)).toBe(false);
  });
});

describe('sms: the stored auth token stays with its account SID', () => {
  const sid = () => `AC${randomBytes(16).toString('hex')}`;
  const token = randomBytes(16).toString('hex');
  const adminSid = sid();

  test('a new accountSid without authToken is 400 and nothing is stored; the same SID keeps the token; a new SID with its token is taken', async () => {
    const set = await asAdmin('PUT', `/api/v1/inboxes/${smsInbox}/sms-channel`, { accountSid: adminSid, authToken: token, fromNumber: '+15005550006' });
    expect(set.status).toBe(200);
    const stored = async () => (await db.query('select account_sid, auth_token_sealed, from_number, updated_at from sms_channels where inbox_id = $1', [smsInbox])).rows[0];
    const before = await stored();

    const other = await asManager<ErrorBody>('PUT', `/api/v1/inboxes/${smsInbox}/sms-channel`, { accountSid: sid(), fromNumber: '+15005550007' });
    expect([other.status, other.body.message, other.body.details]).toEqual([
      400,
      'authToken: required again because accountSid changed',
      [{ field: 'authToken', problem: 'required again because accountSid changed' }],
    ]);
    expect(await stored()).toEqual(before);

    const same = await asManager<{ authTokenSet: boolean; fromNumber: string }>('PUT', `/api/v1/inboxes/${smsInbox}/sms-channel`, { accountSid: adminSid, fromNumber: '+15005550007' });
    expect(same.status).toBe(200);
    expect(same.body).toMatchObject({ authTokenSet: true, fromNumber: '+15005550007' });
    expect((await stored()).auth_token_sealed).toBe(before.auth_token_sealed);

    const newSid = sid();
    const withToken = await asManager<{ accountSid: string }>('PUT', `/api/v1/inboxes/${smsInbox}/sms-channel`, { accountSid: newSid, authToken: randomBytes(16).toString('hex') });
    expect([withToken.status, withToken.body.accountSid]).toEqual([200, newSid]);
    expect((await stored()).auth_token_sealed).not.toBe(before.auth_token_sealed);
  });
});
