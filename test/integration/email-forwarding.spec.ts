/**
 * Email by forwarding: the product's own SMTP ingress (smtp-server in the API process, on a free port
 * here) on the real stack (PostgreSQL, Temporal, API and worker). Mail is sent with nodemailer, as a
 * mail server or a mail client's forward rule would send it.
 *
 * SMTP_INGRESS_MAX_BYTES is 64 KB here, so "too large" is a 100 KB mail.
 */
import { randomBytes } from 'node:crypto';
import * as net from 'node:net';
import nodemailer from 'nodemailer';
import { Client } from 'pg';
import { SmtpIngressServer } from '../../src/modules/channels/email/ingress/smtp-ingress.server';
import { StoreInboundEmailUseCase } from '../../src/modules/channels/email/use-cases/store-inbound-email.use-case';
import { eventually, http, signUp, startApiReplica, startTestStack, type TestStack } from '../support/test-stack';

const DOMAIN = 'inbound.acme.test';
const MAX_BYTES = 64 * 1024;

interface ForwardingView {
  inboxId: string;
  address: string;
  domain: string;
  ingressPort: number | null;
  maxBytes: number;
  lastReceivedAt: string | null;
  receivedCount: number;
  refusals: { at: string; reason: string; response: string; recipient: string; mailFrom: string | null; size: number | null; remoteAddress: string | null }[];
}

interface MessageRow {
  id: string;
  conversation_id: string;
  content: string;
  subject: string | null;
  email_message_id: string | null;
  email_meta: Record<string, unknown>;
  attachments: { url: string; filename?: string; size?: number }[];
  contact_id: string;
}

let stack: TestStack;
let db: Client;
let port: number;
let n = 0;

interface Tenant {
  token: string;
  inboxId: string;
  address: string;
}
let a: Tenant;
let b: Tenant;

const newMessageId = () => `<${Date.now()}.${++n}.${randomBytes(4).toString('hex')}@customer.test>`;

async function tenant(name: string): Promise<Tenant> {
  const admin = await signUp(stack, name);
  const inbox = await http<{ id: string }>(stack, 'POST', '/api/v1/inboxes', { name: `${name} mail`, channelType: 'email', settings: { assignmentMode: 'open' } }, admin.token);
  expect(inbox.status).toBe(201);
  const view = await http<ForwardingView>(stack, 'GET', `/api/v1/inboxes/${inbox.body.id}/email-channel/forwarding`, undefined, admin.token);
  expect(view.status).toBe(200);
  return { token: admin.token, inboxId: inbox.body.id, address: view.body.address };
}

function mail(spec: { to: string; from?: string; messageId?: string | null; subject?: string; body?: string; headers?: Record<string, string> }): string {
  const lines = [
    `From: ${spec.from ?? 'Carla Customer <carla@customer.test>'}`,
    `To: ${spec.to}`,
    `Subject: ${spec.subject ?? 'Where is my parcel?'}`,
    `Date: ${new Date().toUTCString()}`,
    ...(spec.messageId === null ? [] : [`Message-ID: ${spec.messageId ?? newMessageId()}`]),
    ...Object.entries(spec.headers ?? {}).map(([k, v]) => `${k}: ${v}`),
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8',
  ];
  return `${lines.join('\r\n')}\r\n\r\n${spec.body ?? 'Hello, my order 4711 has not arrived.'}\r\n`;
}

/** Sends a raw mail to the ingress as a mail server would (envelope given), with nodemailer. */
async function send(to: string | string[], raw: string, from = 'mta@forwarder.test', toPort = port) {
  const transport = nodemailer.createTransport({ host: '127.0.0.1', port: toPort, secure: false, ignoreTLS: true, connectionTimeout: 5000, greetingTimeout: 5000, socketTimeout: 10000 });
  try {
    return await transport.sendMail({ envelope: { from, to }, raw });
  } finally {
    transport.close();
  }
}

async function refusedWith(to: string, raw: string): Promise<{ responseCode?: number; response?: string; rejected?: string[]; message: string }> {
  try {
    await send(to, raw);
  } catch (err) {
    return err as { responseCode?: number; response?: string; message: string };
  }
  throw new Error(`mail to ${to} was accepted`);
}

const messagesWithId = async (inboxId: string, messageId: string): Promise<MessageRow[]> =>
  (
    await db.query(
      `select m.*, c.contact_id from messages m join conversations c on c.id = m.conversation_id where c.inbox_id = $1 and m.email_message_id = $2 order by m.id`,
      [inboxId, messageId],
    )
  ).rows as MessageRow[];

const arrived = (inboxId: string, messageId: string) => eventually(async () => (await messagesWithId(inboxId, messageId))[0], 15_000, `mail ${messageId}`);

/** Speaks SMTP line by line (one command after each answer); returns every answer line. */
function smtpDialogue(commands: string[]): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    const lines: string[] = [];
    let buffer = '';
    const queue = [...commands];
    socket.setEncoding('latin1');
    socket.on('data', (d: string) => {
      buffer += d;
      let i: number;
      while ((i = buffer.indexOf('\r\n')) >= 0) {
        const line = buffer.slice(0, i);
        buffer = buffer.slice(i + 2);
        lines.push(line);
        // A final answer line ("250 ok", not "250-…"): send the next command.
        if (/^\d{3} /.test(line)) {
          const next = queue.shift();
          if (next === undefined) socket.end();
          else socket.write(next + '\r\n');
        }
      }
    });
    socket.on('error', reject);
    socket.on('close', () => resolve(lines));
  });
}

const forwarding = async (t: Tenant) => (await http<ForwardingView>(stack, 'GET', `/api/v1/inboxes/${t.inboxId}/email-channel/forwarding`, undefined, t.token)).body;

beforeAll(async () => {
  stack = await startTestStack({ env: { INBOUND_EMAIL_DOMAIN: DOMAIN, SMTP_INGRESS_MAX_BYTES: String(MAX_BYTES), EMAIL_MAX_ATTACHMENT_BYTES: String(32 * 1024) } });
  port = stack.api.get(SmtpIngressServer).port!;
  db = new Client({ connectionString: stack.config.database.url });
  await db.connect();
  a = await tenant('Acme');
  b = await tenant('Bolt');
}, 120_000);

afterAll(async () => {
  await db?.end();
  await stack?.close();
});

describe('the forwarding address', () => {
  test('each email inbox has its own random address at INBOUND_EMAIL_DOMAIN, stable across reads and shown with the channel settings', async () => {
    expect(port).toBeGreaterThan(0);
    expect(a.address).toMatch(new RegExp(`^[a-z2-7]{20}@${DOMAIN.replace(/\./g, '\\.')}$`));
    expect(b.address).not.toBe(a.address);
    const again = await forwarding(a);
    expect(again).toMatchObject({ address: a.address, domain: DOMAIN, ingressPort: port, maxBytes: MAX_BYTES, lastReceivedAt: null, receivedCount: 0, refusals: [] });
    const put = await http<{ forwardingAddress: string }>(
      stack,
      'PUT',
      `/api/v1/inboxes/${a.inboxId}/email-channel`,
      { address: 'support@acme.test', imapHost: '127.0.0.1', imapPort: 1, imapSecure: false, imapUser: 'x', imapPassword: 'y', smtpHost: '127.0.0.1', smtpPort: 1, smtpSecure: false, smtpUser: null, enabled: false },
      a.token,
    );
    expect(put.status).toBe(200);
    expect(put.body.forwardingAddress).toBe(a.address);
    const get = await http<{ forwardingAddress: string }>(stack, 'GET', `/api/v1/inboxes/${a.inboxId}/email-channel`, undefined, a.token);
    expect(get.body.forwardingAddress).toBe(a.address);
  });

  test('an API inbox has no forwarding address (422 naming the inbox), another account gets 404', async () => {
    const api = await http<{ id: string }>(stack, 'POST', '/api/v1/inboxes', { name: 'API', channelType: 'api' }, a.token);
    const res = await http<{ message: string }>(stack, 'GET', `/api/v1/inboxes/${api.body.id}/email-channel/forwarding`, undefined, a.token);
    expect(res.status).toBe(422);
    const other = await http(stack, 'GET', `/api/v1/inboxes/${a.inboxId}/email-channel/forwarding`, undefined, b.token);
    expect(other.status).toBe(404);
  });
});

describe('mail through the ingress', () => {
  test('a forwarded mail appears in the inbox as a conversation; a second copy (same Message-ID) does not', async () => {
    const messageId = newMessageId();
    const raw = mail({ to: a.address, messageId, subject: 'Parcel 4711' });
    const info = await send(a.address.toUpperCase(), raw);
    expect(info.accepted).toHaveLength(1);
    expect(info.rejected).toEqual([]);
    const stored = await arrived(a.inboxId, messageId);
    expect(stored.subject).toBe('Parcel 4711');
    expect(stored.email_meta).toMatchObject({ via: 'forwarding', forwardedTo: a.address, from: 'carla@customer.test' });

    const list = await http<{ items: { id: string; contactName: string | null; channelType: string }[] }>(stack, 'GET', `/api/v1/conversations?inboxId=${a.inboxId}`, undefined, a.token);
    expect(list.status).toBe(200);
    expect(list.body.items.map((c) => c.id)).toContain(stored.conversation_id);
    expect(list.body.items.find((c) => c.id === stored.conversation_id)).toMatchObject({ contactName: 'Carla Customer', channelType: 'email' });

    const before = await forwarding(a);
    expect(before.lastReceivedAt).not.toBeNull();
    await send(a.address, raw);
    const after = await forwarding(a);
    expect(after.receivedCount).toBe(before.receivedCount + 1);
    expect(new Date(after.lastReceivedAt!).getTime()).toBeGreaterThanOrEqual(new Date(before.lastReceivedAt!).getTime());
    expect(await messagesWithId(a.inboxId, messageId)).toHaveLength(1);
  });

  test('a reply threads into its conversation, and attachments follow the email channel rules (kept, or dropped with a note above EMAIL_MAX_ATTACHMENT_BYTES)', async () => {
    const first = newMessageId();
    await send(a.address, mail({ to: a.address, messageId: first, from: 'Dora <dora@customer.test>', subject: 'Invoice' }));
    const original = await arrived(a.inboxId, first);
    const small = randomBytes(2000).toString('base64');
    const big = randomBytes(40 * 1024).toString('base64').slice(0, 40 * 1024);
    const boundary = 'b-' + randomBytes(6).toString('hex');
    const reply = newMessageId();
    const raw = [
      `From: Dora <dora@customer.test>`,
      `To: ${a.address}`,
      `Subject: Re: Invoice`,
      `Message-ID: ${reply}`,
      `In-Reply-To: ${first}`,
      `References: ${first}`,
      'MIME-Version: 1.0',
      `Content-Type: multipart/mixed; boundary="${boundary}"`,
      '',
      `--${boundary}`,
      'Content-Type: text/plain; charset=utf-8',
      '',
      'Here are the files.',
      `--${boundary}`,
      'Content-Type: application/octet-stream; name="small.bin"',
      'Content-Disposition: attachment; filename="small.bin"',
      'Content-Transfer-Encoding: base64',
      '',
      small.replace(/(.{76})/g, '$1\r\n'),
      `--${boundary}`,
      'Content-Type: application/octet-stream; name="big.bin"',
      'Content-Disposition: attachment; filename="big.bin"',
      'Content-Transfer-Encoding: base64',
      '',
      Buffer.from(big).toString('base64').replace(/(.{76})/g, '$1\r\n'),
      `--${boundary}--`,
      '',
    ].join('\r\n');
    await send(a.address, raw);
    const stored = await arrived(a.inboxId, reply);
    expect(stored.conversation_id).toBe(original.conversation_id);
    expect(stored.attachments.map((x) => x.filename)).toEqual(['small.bin']);
    expect(stored.content).toContain('attachment dropped: big.bin');
  });

  test('an unknown recipient is refused at RCPT with 550 and a reason; another domain is not relayed', async () => {
    const unknown = `${'a'.repeat(20)}@${DOMAIN}`;
    const err = await refusedWith(unknown, mail({ to: unknown }));
    expect(err.responseCode).toBe(550);
    expect(err.response).toMatch(/no such forwarding address/);
    expect(err.rejected).toEqual([unknown]);

    const relay = await refusedWith('someone@elsewhere.test', mail({ to: 'someone@elsewhere.test' }));
    expect(relay.responseCode).toBe(550);
    expect(relay.response).toMatch(/relaying denied/);

    // One known and one unknown recipient: the known one gets the mail.
    const messageId = newMessageId();
    const info = await send([unknown, a.address], mail({ to: a.address, messageId }));
    expect(info.rejected).toEqual([unknown]);
    expect(info.accepted).toEqual([a.address]);
    await arrived(a.inboxId, messageId);
  });

  test('a mail over SMTP_INGRESS_MAX_BYTES is refused with 552 and listed with the inbox', async () => {
    const raw = mail({ to: a.address, body: 'x'.repeat(100 * 1024).replace(/(.{70})/g, '$1\r\n') });
    const err = await refusedWith(a.address, raw);
    expect(err.responseCode).toBe(552);
    expect(err.response).toMatch(/too large.*limit is 64 KB/);
    const view = await forwarding(a);
    expect(view.refusals[0]).toMatchObject({ reason: 'too_large', recipient: a.address, mailFrom: 'mta@forwarder.test', remoteAddress: expect.stringContaining('127.0.0.1') });
    expect(view.refusals[0].response).toMatch(/^552 Message too large/);
    expect(view.refusals[0].size).toBeGreaterThan(MAX_BYTES);
  });

  test('a declared SIZE= above the limit is refused at RCPT (552, listed); more than 50 recipients: 452 from the 51st', async () => {
    const lines = await smtpDialogue([
      'EHLO sender.test',
      `MAIL FROM:<declared@customer.test> SIZE=${MAX_BYTES * 10}`,
      `RCPT TO:<${a.address}>`,
      'QUIT',
    ]);
    expect(lines.find((l) => l.startsWith('250-SIZE') || l.startsWith('250 SIZE'))).toMatch(/SIZE$/);
    expect(lines.some((l) => /^552 .*Message too large/.test(l))).toBe(true);
    const view = await forwarding(a);
    expect(view.refusals[0]).toMatchObject({ reason: 'too_large', mailFrom: 'declared@customer.test', size: MAX_BYTES * 10 });

    // 51 distinct recipients (smtp-server folds a repeated RCPT of one address into one): extra addresses of inbox A, written directly.
    const extra = Array.from({ length: 50 }, (_, i) => `${'q'.repeat(16)}${String.fromCharCode(97 + (i % 26))}${String.fromCharCode(97 + Math.floor(i / 26))}z`);
    for (const local of extra) await db.query(`insert into email_forwarding_addresses (local_part, inbox_id) values ($1, $2) on conflict do nothing`, [local, a.inboxId]);
    const recipients = [a.address, ...extra.map((l) => `${l}@${DOMAIN}`)];
    const many = await smtpDialogue(['EHLO sender.test', 'MAIL FROM:<many@customer.test>', ...recipients.map((r) => `RCPT TO:<${r}>`), 'QUIT']);
    await db.query(`delete from email_forwarding_addresses where local_part = any($1)`, [extra]);
    const rcptAnswers = many.filter((l) => /^(250|452) /.test(l)).slice(2); // after EHLO's last line and MAIL FROM
    expect(rcptAnswers.slice(0, 50).every((l) => l.startsWith('250'))).toBe(true);
    expect(rcptAnswers[50]).toMatch(/^452 .*Too many recipients/);
    expect((await forwarding(a)).refusals[0]).toMatchObject({ reason: 'too_many_recipients', mailFrom: 'many@customer.test' });
  });

  test("storing fails (the database is away): 451, listed as a temporary failure; the sender's retry is stored once", async () => {
    const store = stack.api.get(StoreInboundEmailUseCase);
    const spy = jest.spyOn(store, 'execute').mockRejectedValueOnce(new Error('connection terminated'));
    try {
      const messageId = newMessageId();
      const raw = mail({ to: a.address, messageId, subject: 'Retried' });
      const err = await refusedWith(a.address, raw);
      expect(err.responseCode).toBe(451);
      expect((await forwarding(a)).refusals[0]).toMatchObject({ reason: 'temporary_failure', response: '451 The mail could not be stored now; try again later' });
      expect(await messagesWithId(a.inboxId, messageId)).toHaveLength(0);
      await send(a.address, raw);
      await send(a.address, raw);
      await arrived(a.inboxId, messageId);
      expect(await messagesWithId(a.inboxId, messageId)).toHaveLength(1);
    } finally {
      spy.mockRestore();
    }
  });

  test('bad input never stops the ingress: garbage, a line of 100 KB, a dropped connection mid-DATA', async () => {
    const talk = (lines: string[]) =>
      new Promise<string>((resolve) => {
        const socket = net.connect(port, '127.0.0.1');
        let got = '';
        socket.on('data', (d) => (got += d.toString('latin1')));
        socket.on('error', () => resolve(got));
        socket.on('close', () => resolve(got));
        socket.once('data', () => {
          for (const l of lines) socket.write(l);
          setTimeout(() => socket.destroy(), 300);
        });
      });
    await talk([randomBytes(4000).toString('latin1'), '\r\n']);
    await talk(['EHLO x\r\n', `MAIL FROM:<${'a'.repeat(100_000)}@x.test>\r\n`]);
    await talk(['EHLO x\r\n', 'MAIL FROM:<a@x.test>\r\n', `RCPT TO:<${a.address}>\r\n`, 'DATA\r\n', 'Subject: half\r\n\r\nand then the sender went away']);
    const messageId = newMessageId();
    await send(a.address, mail({ to: a.address, messageId }));
    await arrived(a.inboxId, messageId);
  });
});

describe('the original sender of a forwarded mail', () => {
  test('a Gmail-style manual forward: the contact is the person in the quoted From: block, not the forwarder', async () => {
    const messageId = newMessageId();
    const body = [
      'Can you help this customer?',
      '',
      '---------- Forwarded message ---------',
      'From: Erik Example <Erik@Example.test>',
      'Date: Mon, 30 Nov 2026 at 09:12',
      'Subject: Broken zipper',
      'To: <agent@acme.test>',
      '',
      'My jacket arrived with a broken zipper.',
    ].join('\r\n');
    await send(a.address, mail({ to: a.address, messageId, from: 'Agent Alice <alice@acme.test>', subject: 'Fwd: Broken zipper', body }));
    const stored = await arrived(a.inboxId, messageId);
    const contact = (await db.query(`select name, email from contacts where id = $1`, [stored.contact_id])).rows[0];
    expect(contact).toEqual({ name: 'Erik Example', email: 'erik@example.test' });
    expect(stored.email_meta).toMatchObject({ forwardedBy: 'alice@acme.test', originalSenderFrom: 'forwarded-block' });
    expect(stored.content).toContain('My jacket arrived with a broken zipper.');
  });

  test('X-Original-From wins; Reply-To is used when From was rewritten (a group "via" the list)', async () => {
    const viaHeader = newMessageId();
    await send(a.address, mail({ to: a.address, messageId: viaHeader, from: 'Forwarder <fwd@relay.test>', headers: { 'X-Original-From': 'Fiona Field <fiona@field.test>', 'Reply-To': 'other@field.test' } }));
    const one = await arrived(a.inboxId, viaHeader);
    expect((await db.query(`select email from contacts where id = $1`, [one.contact_id])).rows[0].email).toBe('fiona@field.test');
    expect(one.email_meta).toMatchObject({ originalSenderFrom: 'x-original-from', forwardedBy: 'fwd@relay.test' });

    const viaReplyTo = newMessageId();
    await send(a.address, mail({ to: a.address, messageId: viaReplyTo, from: "'Gus' via Support <support-group@groups.test>", headers: { 'Reply-To': 'Gus Grant <gus@grant.test>' } }));
    const two = await arrived(a.inboxId, viaReplyTo);
    expect((await db.query(`select name, email from contacts where id = $1`, [two.contact_id])).rows[0]).toEqual({ name: 'Gus Grant', email: 'gus@grant.test' });
  });
});

describe('tenant isolation', () => {
  test("mail to account A's address lands only in A; the same Message-ID sent to B's address is B's own copy", async () => {
    const messageId = newMessageId();
    const raw = mail({ to: a.address, messageId, subject: 'For Acme only' });
    await send(a.address, raw);
    await arrived(a.inboxId, messageId);
    const inB = await db.query(
      `select count(*)::int as n from messages m join conversations c on c.id = m.conversation_id join inboxes i on i.id = c.inbox_id
        where m.email_message_id = $1 and i.id = $2`,
      [messageId, b.inboxId],
    );
    expect(inB.rows[0].n).toBe(0);
    const listB = await http<{ items: unknown[] }>(stack, 'GET', `/api/v1/conversations?inboxId=${b.inboxId}`, undefined, b.token);
    expect(listB.body.items).toHaveLength(0);

    await send(b.address, mail({ to: b.address, messageId }));
    const copyB = await arrived(b.inboxId, messageId);
    const copyA = (await messagesWithId(a.inboxId, messageId))[0];
    expect(copyB.conversation_id).not.toBe(copyA.conversation_id);
    expect(copyB.contact_id).not.toBe(copyA.contact_id);
    expect(await messagesWithId(a.inboxId, messageId)).toHaveLength(1);
    expect((await forwarding(b)).receivedCount).toBe(1);
  });

  test('a regenerated address: the old one is refused with 550 naming why, listed with the inbox; the new one works', async () => {
    const old = b.address;
    const res = await http<ForwardingView>(stack, 'POST', `/api/v1/inboxes/${b.inboxId}/email-channel/forwarding/regenerate`, undefined, b.token);
    expect(res.status).toBe(200);
    expect(res.body.address).not.toBe(old);
    expect(res.body.receivedCount).toBe(1);
    const err = await refusedWith(old, mail({ to: old }));
    expect(err.responseCode).toBe(550);
    expect(err.response).toMatch(/was replaced/);
    const view = await forwarding(b);
    expect(view.refusals[0]).toMatchObject({ reason: 'unknown_recipient', recipient: old });
    b.address = res.body.address;
    const messageId = newMessageId();
    await send(b.address, mail({ to: b.address, messageId }));
    await arrived(b.inboxId, messageId);
    // A's admin cannot replace B's address.
    expect((await http(stack, 'POST', `/api/v1/inboxes/${b.inboxId}/email-channel/forwarding/regenerate`, undefined, a.token)).status).toBe(404);
  });
});

describe('several API replicas', () => {
  test('each runs an ingress; the same mail delivered to two replicas at once is stored once', async () => {
    const replica = await startApiReplica(stack);
    const off = await startApiReplica(stack, { SMTP_INGRESS_PORT: 'off' });
    try {
      expect(off.api.get(SmtpIngressServer).port).toBeNull();
      const other = replica.api.get(SmtpIngressServer).port!;
      expect(other).toBeGreaterThan(0);
      expect(other).not.toBe(port);
      const messageId = newMessageId();
      const raw = mail({ to: a.address, messageId, subject: 'Delivered twice' });
      await Promise.all([send(a.address, raw, 'mx1@forwarder.test', port), send(a.address, raw, 'mx2@forwarder.test', other), send(a.address, raw, 'mx3@forwarder.test', other)]);
      await arrived(a.inboxId, messageId);
      expect(await messagesWithId(a.inboxId, messageId)).toHaveLength(1);
    } finally {
      await replica.close();
      await off.close();
    }
  });
});
