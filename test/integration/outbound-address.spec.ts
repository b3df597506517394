/**
 * The outbound-address guard on the real stack: with OUTBOUND_ALLOW_PRIVATE_TARGETS off, an email
 * channel pointing at the machine itself (127.0.0.1, localhost, 2130706433, ...) or at an internal or
 * metadata address is refused by the connection test, the mailbox session and outbound SMTP replies,
 * in our own words and without a single connection: a "trap" listener on 127.0.0.1 that greets like
 * a mail server counts connections, and its banner must never come back. With the setting on (as
 * every other test stack runs), the same hosts reach a real dovecot and smtp-server.
 */
import * as net from 'node:net';
import { StoreInboundEmailUseCase } from '../../src/modules/channels/email/use-cases/store-inbound-email.use-case';
import { startDovecot, type Dovecot } from '../support/dovecot';
import { startSmtpReceiver, type SmtpReceiver } from '../support/smtp-receiver';
import { eventually, http, signUp, startTestStack, type TestStack } from '../support/test-stack';

const BANNER = 'SECRET-BANNER-4711';
const RULE = 'outbound connections there are not allowed (OUTBOUND_ALLOW_PRIVATE_TARGETS)';

interface Trap {
  port: number;
  connections: number;
  close(): Promise<void>;
}

/** Accepts connections on 127.0.0.1, greets with `greeting` (which names BANNER) and counts them. */
async function startTrap(greeting: string): Promise<Trap> {
  const sockets = new Set<net.Socket>();
  const trap: Trap = { port: 0, connections: 0, close: async () => undefined };
  const server = net.createServer((socket) => {
    trap.connections += 1;
    sockets.add(socket);
    socket.on('error', () => undefined);
    socket.on('close', () => sockets.delete(socket));
    socket.write(greeting);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  trap.port = (server.address() as net.AddressInfo).port;
  trap.close = () =>
    new Promise<void>((resolve) => {
      for (const s of sockets) s.destroy();
      server.close(() => resolve());
    });
  return trap;
}

interface CheckView {
  ok: boolean;
  step?: string;
  message: string;
}

let denying: TestStack;
let allowing: TestStack;
let imapTrap: Trap;
let smtpTrap: Trap;
let dovecot: Dovecot;
let smtp: SmtpReceiver;

beforeAll(async () => {
  imapTrap = await startTrap(`* OK [CAPABILITY IMAP4rev1] ${BANNER} ready\r\n`);
  smtpTrap = await startTrap(`220 ${BANNER} ESMTP\r\n`);
  dovecot = await startDovecot();
  smtp = await startSmtpReceiver();
  denying = await startTestStack({
    env: { OUTBOUND_ALLOW_PRIVATE_TARGETS: 'false', EMAIL_CONNECT_TIMEOUT_MS: '2000', EMAIL_MAILBOX_CHECK_MS: '300', EMAIL_RECONNECT_MAX_SECONDS: '1' },
  });
  allowing = await startTestStack({ worker: false, env: { EMAIL_CONNECT_TIMEOUT_MS: '3000' } });
}, 120_000);

afterAll(async () => {
  await denying?.close();
  await allowing?.close();
  await imapTrap?.close();
  await smtpTrap?.close();
  await smtp?.close();
  await dovecot?.stop();
});

async function emailInbox(stack: TestStack, token: string, name: string): Promise<string> {
  // Open assignment: anyone of the inbox may answer a conversation (the reply test answers as the admin).
  const inbox = await http<{ id: string }>(stack, 'POST', '/api/v1/inboxes', { name, channelType: 'email', settings: { assignmentMode: 'open' } }, token);
  expect(inbox.status).toBe(201);
  return inbox.body.id;
}

function channel(host: string, extra: Record<string, unknown> = {}) {
  return {
    address: 'support@acme.test',
    imapHost: host,
    imapPort: imapTrap.port,
    imapSecure: false,
    imapUser: 'support',
    imapPassword: 'imap-secret',
    smtpHost: host,
    smtpPort: smtpTrap.port,
    smtpSecure: false,
    smtpUser: 'smtp-user',
    smtpPassword: 'smtp-secret',
    enabled: false,
    ...extra,
  };
}

describe('OUTBOUND_ALLOW_PRIVATE_TARGETS=false', () => {
  test.each([
    ['127.0.0.1', '127.0.0.1 is a loopback address'],
    ['localhost', 'the address of localhost (127.0.0.1) is a loopback address'],
    ['2130706433', 'the address of 2130706433 (127.0.0.1) is a loopback address'],
    ['0x7f000001', 'the address of 0x7f000001 (127.0.0.1) is a loopback address'],
    ['127.1', 'the address of 127.1 (127.0.0.1) is a loopback address'],
    ['[::1]', 'is a loopback address'],
  ])('the connection test refuses %s before connecting, in our words', async (host, expected) => {
    const admin = await signUp(denying);
    const inboxId = await emailInbox(denying, admin.token, `Trap ${host}`);
    const put = await http(denying, 'PUT', `/api/v1/inboxes/${inboxId}/email-channel`, channel(host), admin.token);
    expect(put.status).toBe(200);
    const before = imapTrap.connections + smtpTrap.connections;
    const res = await http<{ imap: CheckView; smtp: CheckView }>(denying, 'POST', `/api/v1/inboxes/${inboxId}/email-channel/test`, undefined, admin.token);
    expect(res.status).toBe(200);
    for (const side of [res.body.imap, res.body.smtp]) {
      expect(side).toMatchObject({ ok: false, step: 'dns' });
      expect(side.message).toContain(expected);
      expect(side.message).toContain(RULE);
    }
    expect(JSON.stringify(res.body)).not.toContain(BANNER);
    expect(imapTrap.connections + smtpTrap.connections).toBe(before);
  });

  test.each([
    ['169.254.169.254', '169.254.169.254 is a cloud metadata service address; outbound connections there are never made'],
    ['metadata.google.internal', 'metadata.google.internal is a cloud metadata service name; outbound connections there are never made'],
    ['10.0.0.5', `10.0.0.5 is a private network address; ${RULE}`],
    ['192.168.1.20', `192.168.1.20 is a private network address; ${RULE}`],
    ['[fd00::1]', `[fd00::1] is a private network address (IPv6 unique local); ${RULE}`],
  ])('the connection test refuses %s', async (host, expected) => {
    const admin = await signUp(denying);
    const inboxId = await emailInbox(denying, admin.token, `Internal ${host}`);
    expect((await http(denying, 'PUT', `/api/v1/inboxes/${inboxId}/email-channel`, channel(host), admin.token)).status).toBe(200);
    const res = await http<{ imap: CheckView; smtp: CheckView }>(denying, 'POST', `/api/v1/inboxes/${inboxId}/email-channel/test`, undefined, admin.token);
    expect(res.body.imap).toMatchObject({ ok: false, step: 'dns' });
    expect(res.body.imap.message).toContain(expected);
    expect(res.body.smtp.message).toContain(expected);
  });

  test('the mailbox session records the refusal as lastError and never connects', async () => {
    const admin = await signUp(denying);
    const inboxId = await emailInbox(denying, admin.token, 'Trap mailbox');
    const before = imapTrap.connections;
    const put = await http(denying, 'PUT', `/api/v1/inboxes/${inboxId}/email-channel`, channel('localhost', { enabled: true }), admin.token);
    expect(put.status).toBe(200);
    const view = await eventually(
      async () => {
        const res = await http<{ mailbox: { lastError: string | null } }>(denying, 'GET', `/api/v1/inboxes/${inboxId}/email-channel`, undefined, admin.token);
        return res.body.mailbox.lastError ? res.body : undefined;
      },
      15_000,
      'the mailbox session to record its error',
    );
    expect(view.mailbox.lastError).toBe(`the address of localhost (127.0.0.1) is a loopback address; ${RULE}`);
    await new Promise((r) => setTimeout(r, 1500)); // a reconnect or two later
    expect(imapTrap.connections).toBe(before);
    await http(denying, 'PUT', `/api/v1/inboxes/${inboxId}/email-channel`, channel('localhost', { enabled: false }), admin.token);
  });

  test('a reply through a refused SMTP host fails in our words and never connects', async () => {
    const admin = await signUp(denying);
    const inboxId = await emailInbox(denying, admin.token, 'Trap replies');
    expect((await http(denying, 'PUT', `/api/v1/inboxes/${inboxId}/email-channel`, channel('2130706433'), admin.token)).status).toBe(200);
    // A customer's mail, stored as the mailbox session would store it.
    const raw = Buffer.from(
      `From: Carla <carla@customer.test>\r\nTo: support@acme.test\r\nSubject: Hello\r\nMessage-ID: <trap.${Date.now()}@customer.test>\r\n\r\nHi there\r\n`,
    );
    const stored = await denying.api.get(StoreInboundEmailUseCase, { strict: false }).execute({ inboxId, raw, uidValidity: '1', uid: '1', rescan: false });
    expect(stored.conversationId).toBeDefined();
    const before = smtpTrap.connections;
    const sent = await http<{ message: { deliveryStatus: string; error: string } }>(
      denying,
      'POST',
      `/api/v1/conversations/${stored.conversationId}/messages`,
      { content: 'We are on it.' },
      admin.token,
    );
    expect(sent.status).toBe(201);
    expect(sent.body.message.deliveryStatus).toBe('failed');
    expect(sent.body.message.error).toBe(`the SMTP server was not contacted: the address of 2130706433 (127.0.0.1) is a loopback address; ${RULE}`);
    expect(smtpTrap.connections).toBe(before);
  });
});

describe('OUTBOUND_ALLOW_PRIVATE_TARGETS=true', () => {
  test.each(['127.0.0.1', 'localhost', '2130706433'])('the connection test reaches the local mail servers at %s', async (host) => {
    const admin = await signUp(allowing);
    const inboxId = await emailInbox(allowing, admin.token, `Local ${host}`);
    const put = await http(
      allowing,
      'PUT',
      `/api/v1/inboxes/${inboxId}/email-channel`,
      channel(host, { imapPort: dovecot.port, imapPassword: dovecot.password, smtpPort: smtp.port, smtpUser: smtp.user, smtpPassword: smtp.password }),
      admin.token,
    );
    expect(put.status).toBe(200);
    const res = await http<{ imap: CheckView; smtp: CheckView }>(allowing, 'POST', `/api/v1/inboxes/${inboxId}/email-channel/test`, undefined, admin.token);
    expect(res.body.imap).toEqual({ ok: true, message: `logged in as support on ${host}:${dovecot.port} and opened "INBOX"` });
    expect(res.body.smtp).toEqual({ ok: true, message: `logged in as ${smtp.user} on ${host}:${smtp.port}` });
  });

  test('a peer that is no mail server is described in our words, its banner never quoted', async () => {
    const admin = await signUp(allowing);
    const inboxId = await emailInbox(allowing, admin.token, 'Foreign peers');
    // The IMAP side meets the SMTP-looking trap and the SMTP side the IMAP-looking one.
    const put = await http(allowing, 'PUT', `/api/v1/inboxes/${inboxId}/email-channel`, channel('127.0.0.1', { imapPort: smtpTrap.port, smtpPort: imapTrap.port }), admin.token);
    expect(put.status).toBe(200);
    const res = await http<{ imap: CheckView; smtp: CheckView }>(allowing, 'POST', `/api/v1/inboxes/${inboxId}/email-channel/test`, undefined, admin.token);
    expect(res.body.imap.ok).toBe(false);
    expect(res.body.smtp).toMatchObject({ ok: false, step: 'greeting' });
    expect(res.body.smtp.message).toContain(`127.0.0.1:${imapTrap.port} did not answer like an SMTP server`);
    expect(JSON.stringify(res.body)).not.toContain(BANNER);
  });
});
