/**
 * The email channel on the real stack (PostgreSQL, Temporal, the API and a worker) against real
 * protocol peers started here: Debian's dovecot as the IMAP server (mail is appended with imapflow,
 * as the customer's mail server would deliver it) and an `smtp-server` receiver for our replies.
 *
 * The attachment limit is set to 100 KB: a 300 KB attachment and a real 30 MB one are dropped with a
 * note while the message and the mail behind it arrive.
 */
import { randomBytes } from 'node:crypto';
import { defaultPayloadConverter } from '@temporalio/common';
import { ImapFlow } from 'imapflow';
import { Client } from 'pg';
import { RunMailboxSessionUseCase, type MailboxSessionResult } from '../../src/modules/channels/email/use-cases/run-mailbox-session.use-case';
import { conversationStateQuery, conversationWorkflowId } from '../../workflows/contracts/conversation.contract';
import { mailboxWorkflowId } from '../../workflows/contracts/mailbox.contract';
import { startDovecot, type Dovecot } from '../support/dovecot';
import { startSmtpReceiver, type SmtpReceiver } from '../support/smtp-receiver';
import { eventually, http, signUp, startTestStack, type TestStack } from '../support/test-stack';

const ADDRESS = 'support@acme.test';
const WELCOME = 'Thanks for writing to Acme, we answer within a day.';
const MAILBOX_USER = 'support';
const LIMIT = 100 * 1024;

interface MessageRow {
  id: string;
  conversation_id: string;
  direction: string;
  sender_type: string;
  content: string;
  subject: string | null;
  automated: boolean;
  email_message_id: string | null;
  delivery_status: string;
  error: string | null;
  attachments: { url: string; contentType: string | null; filename?: string; size?: number }[];
}

let stack: TestStack;
let dovecot: Dovecot;
let smtp: SmtpReceiver;
let db: Client;
let admin: Awaited<ReturnType<typeof signUp>>;
let inboxId: string;
let n = 0;

const asAdmin = <T>(method: string, path: string, body?: unknown) => http<T>(stack, method, path, body, admin.token);
const newMessageId = () => `<${Date.now()}.${++n}.${randomBytes(4).toString('hex')}@customer.test>`;

function settings(extra: Record<string, unknown> = {}) {
  return {
    address: ADDRESS,
    displayName: 'Acme Support',
    imapHost: '127.0.0.1',
    imapPort: dovecot.port,
    imapSecure: false,
    imapUser: MAILBOX_USER,
    imapPassword: dovecot.password,
    smtpHost: '127.0.0.1',
    smtpPort: smtp.port,
    smtpSecure: false,
    smtpUser: smtp.user,
    smtpPassword: smtp.password,
    enabled: true,
    ...extra,
  };
}

interface MailSpec {
  from?: string;
  messageId?: string | null;
  subject?: string;
  body?: string;
  headers?: Record<string, string>;
}

function mail(spec: MailSpec = {}): string {
  const lines = [
    `From: ${spec.from ?? 'Carla Customer <Carla@Customer.test>'}`,
    `To: ${ADDRESS}`,
    `Subject: ${spec.subject ?? 'Where is my parcel?'}`,
    `Date: ${new Date().toUTCString()}`,
    ...(spec.messageId === null ? [] : [`Message-ID: ${spec.messageId ?? newMessageId()}`]),
    ...Object.entries(spec.headers ?? {}).map(([k, v]) => `${k}: ${v}`),
    'MIME-Version: 1.0',
  ];
  if (!spec.headers?.['Content-Type']) lines.push('Content-Type: text/plain; charset=utf-8');
  return `${lines.join('\r\n')}\r\n\r\n${spec.body ?? 'Hello, my order 4711 has not arrived.'}\r\n`;
}

/** Delivers a raw mail into the channel's mailbox, as the customer's mail server would; returns when the APPEND began (epoch ms). */
async function deliver(raw: string | Buffer): Promise<number> {
  const client = new ImapFlow({
    host: dovecot.host,
    port: dovecot.port,
    secure: false,
    doSTARTTLS: false,
    auth: { user: MAILBOX_USER, pass: dovecot.password },
    logger: false,
  });
  await client.connect();
  try {
    const appending = Date.now();
    await client.append('INBOX', raw);
    return appending;
  } finally {
    await client.logout().catch(() => client.close());
  }
}

async function rows(sql: string, params: unknown[] = []): Promise<MessageRow[]> {
  return (await db.query(sql, params)).rows as MessageRow[];
}

const messagesWithId = (messageId: string) =>
  rows(`select m.* from messages m join conversations c on c.id = m.conversation_id where c.inbox_id = $1 and m.email_message_id = $2 order by m.id`, [
    inboxId,
    messageId,
  ]);

async function arrived(messageId: string, timeoutMs = 15_000): Promise<MessageRow> {
  return eventually(async () => (await messagesWithId(messageId))[0], timeoutMs, `mail ${messageId} to arrive`);
}

const conversationMessages = (conversationId: string) => rows(`select * from messages where conversation_id = $1 order by id`, [conversationId]);

/** Waits until the conversation workflow handled `count` inbound messages (welcome, out-of-office and routing done). */
async function handled(conversationId: string, count = 1): Promise<void> {
  await eventually(
    async () => {
      const state = await stack.temporal.workflow.getHandle(conversationWorkflowId(conversationId)).query(conversationStateQuery);
      return state.inboundHandled >= count ? true : undefined;
    },
    15_000,
    `conversation ${conversationId} to handle ${count} message(s)`,
  );
}

beforeAll(async () => {
  dovecot = await startDovecot();
  smtp = await startSmtpReceiver();
  stack = await startTestStack({
    env: { EMAIL_MAX_ATTACHMENT_BYTES: String(LIMIT), EMAIL_MAILBOX_CHECK_MS: '300', EMAIL_RECONNECT_MAX_SECONDS: '1', EMAIL_CONNECT_TIMEOUT_MS: '3000' },
  });
  db = new Client({ connectionString: stack.config.database.url });
  await db.connect();
  admin = await signUp(stack, 'Acme Mail');
  const inbox = await asAdmin<{ id: string }>('POST', '/api/v1/inboxes', {
    name: 'Support mail',
    channelType: 'email',
    welcomeMessage: WELCOME,
    settings: { assignmentMode: 'open' },
  });
  expect(inbox.status).toBe(201);
  inboxId = inbox.body.id;
  const put = await asAdmin('PUT', `/api/v1/inboxes/${inboxId}/email-channel`, settings());
  expect(put.status).toBe(200);
}, 120_000);

afterAll(async () => {
  if (inboxId && stack) await asAdmin('PUT', `/api/v1/inboxes/${inboxId}/email-channel`, settings({ enabled: false })).catch(() => undefined);
  await db?.end();
  await stack?.close();
  await smtp?.close();
  await dovecot?.stop();
});

describe('email settings', () => {
  test('passwords are write-only and stored encrypted; the view shows the mailbox checkpoint', async () => {
    const view = await asAdmin<Record<string, unknown>>('GET', `/api/v1/inboxes/${inboxId}/email-channel`);
    expect(view.status).toBe(200);
    expect(view.body).toMatchObject({
      inboxId,
      address: ADDRESS,
      displayName: 'Acme Support',
      imapHost: '127.0.0.1',
      imapPort: dovecot.port,
      imapSecure: false,
      imapUser: MAILBOX_USER,
      imapPasswordSet: true,
      imapFolder: 'INBOX',
      smtpUser: smtp.user,
      smtpPasswordSet: true,
      enabled: true,
      mailbox: { workflowId: mailboxWorkflowId(inboxId) },
    });
    const text = JSON.stringify(view.body);
    expect(text).not.toContain(dovecot.password);
    expect(text).not.toContain(smtp.password);
    const { rows: [stored] } = await db.query('select imap_password_sealed, smtp_password_sealed from email_channels where inbox_id = $1', [inboxId]);
    expect(stored.imap_password_sealed).toMatch(/^v1:/);
    expect(stored.imap_password_sealed).not.toContain(dovecot.password);
    expect(stored.smtp_password_sealed).toMatch(/^v1:/);
  });

  test('bad settings answer 400/422 naming the field, and nothing is written', async () => {
    const fresh = await asAdmin<{ id: string }>('POST', '/api/v1/inboxes', { name: 'Fresh mail', channelType: 'email' });
    const api = await asAdmin<{ id: string }>('POST', '/api/v1/inboxes', { name: 'Not mail', channelType: 'api' });
    const cases: Array<[string, Record<string, unknown>, number, string]> = [
      [fresh.body.id, settings({ imapPassword: undefined, enabled: false }), 400, 'imapPassword'],
      [fresh.body.id, settings({ imapPort: 70000 }), 400, 'imapPort'],
      [fresh.body.id, settings({ smtpHost: 'smtp://x.test' }), 400, 'smtpHost'],
      [fresh.body.id, settings({ address: 'not-an-address' }), 400, 'address'],
      [fresh.body.id, settings({ imapSecure: 'yes' }), 400, 'imapSecure'],
      [fresh.body.id, settings({ smtpPassword: undefined, enabled: false }), 400, 'smtpPassword'],
      [api.body.id, settings(), 422, 'inboxId'],
    ];
    for (const [id, body, status, field] of cases) {
      const res = await asAdmin<{ details: { field: string }[] }>('PUT', `/api/v1/inboxes/${id}/email-channel`, body);
      expect([res.status, res.body.details?.[0]?.field]).toEqual([status, field]);
    }
    const { rows: written } = await db.query('select 1 from email_channels where inbox_id = any($1)', [[fresh.body.id, api.body.id]]);
    expect(written).toEqual([]);
  });

});

describe('inbound mail', () => {
  let firstConversation: string;
  let firstMessageId: string;

  test('a new mail becomes an inbound message within seconds, with its subject and sender; the welcome goes out by SMTP', async () => {
    const connected = await eventually(async () => {
      const { rows: [c] } = await db.query('select last_connected_at from email_channels where inbox_id = $1', [inboxId]);
      return c?.last_connected_at ?? undefined;
    }, 15_000, 'the mailbox session to connect');
    expect(connected).toBeTruthy();
    firstMessageId = newMessageId();
    const started = await deliver(mail({ messageId: firstMessageId, subject: 'Where is my parcel?' }));
    const row = await arrived(firstMessageId);
    const latency = Date.now() - started;
    // Steady state: a few more mails from other senders, one at a time.
    const more: number[] = [];
    for (let i = 0; i < 3; i++) {
      const id = newMessageId();
      const t0 = await deliver(mail({ from: `latency${i}.${Date.now()}@customer.test`, messageId: id, subject: `Latency ${i}` }));
      await arrived(id);
      more.push(Date.now() - t0);
    }
    process.stdout.write(`[email-channel] new mail -> inbound message row (IMAP APPEND to committed row, via IDLE): first ${latency} ms, then ${more.join(' / ')} ms\n`);
    expect(Math.max(latency, ...more)).toBeLessThan(5000);
    expect(row).toMatchObject({ direction: 'inbound', sender_type: 'contact', subject: 'Where is my parcel?', automated: false });
    expect(row.content).toContain('my order 4711 has not arrived');
    firstConversation = row.conversation_id;

    const conversation = await asAdmin<{ contactId: string; messages: { subject?: string | null; content: string }[] }>('GET', `/api/v1/conversations/${firstConversation}`);
    expect(conversation.status).toBe(200);
    expect(conversation.body.messages[0]).toMatchObject({ subject: 'Where is my parcel?' });
    const { rows: identity } = await db.query(`select i.address, c.name, c.email from contact_identities i join contacts c on c.id = i.contact_id where i.contact_id = $1 and i.channel_type = 'email'`, [
      conversation.body.contactId,
    ]);
    expect(identity).toEqual([{ address: 'carla@customer.test', name: 'Carla Customer', email: 'carla@customer.test' }]);

    // The welcome message is a system message: sent through SMTP, marked Auto-Submitted so the customer's autoresponder stays quiet.
    const welcome = await eventually(async () => smtp.mails.find((m) => m.parsed.text?.includes(WELCOME)), 15_000, 'the welcome mail');
    expect(welcome.to).toEqual(['carla@customer.test']);
    expect(welcome.header('auto-submitted')).toBe('auto-replied');
    expect(welcome.header('in-reply-to')).toBe(firstMessageId);
    expect(welcome.parsed.subject).toBe('Re: Where is my parcel?');
  });

  test('a reply (In-Reply-To) joins the same conversation; a mail that replies to nothing opens a new one', async () => {
    const replyId = newMessageId();
    await deliver(mail({ messageId: replyId, subject: 'Re: Where is my parcel?', body: 'Any news?', headers: { 'In-Reply-To': firstMessageId, References: firstMessageId } }));
    expect((await arrived(replyId)).conversation_id).toBe(firstConversation);

    const unrelatedId = newMessageId();
    await deliver(mail({ messageId: unrelatedId, subject: 'Another question', body: 'Do you ship to Austria?' }));
    const unrelated = await arrived(unrelatedId);
    expect(unrelated.conversation_id).not.toBe(firstConversation);
    await handled(unrelated.conversation_id); // its welcome mail is out before the next tests count mails
    await eventually(async () => ((await conversationMessages(unrelated.conversation_id)).some((m) => m.sender_type === 'system' && m.delivery_status === 'sent') ? true : undefined));
  });

  test("an agent's reply goes out by SMTP with threading headers, and the customer's answer to it threads back", async () => {
    const lastInbound = (await conversationMessages(firstConversation)).filter((m) => m.direction === 'inbound').pop()!;
    const before = smtp.mails.length;
    const sent = await asAdmin<{ message: { id: string; deliveryStatus: string; providerMessageId: string } }>('POST', `/api/v1/conversations/${firstConversation}/messages`, {
      content: 'It left our warehouse today.',
    });
    expect(sent.status).toBe(201);
    expect(sent.body.message.deliveryStatus).toBe('sent');
    const out = await eventually(async () => smtp.mails.slice(before).find((m) => m.parsed.text?.includes('It left our warehouse today.')), 10_000, 'the reply mail');
    expect(out.from).toBe(ADDRESS);
    expect(out.to).toEqual(['carla@customer.test']);
    expect(out.header('from')).toBe(`Acme Support <${ADDRESS}>`);
    expect(out.parsed.subject).toBe('Re: Where is my parcel?');
    expect(out.header('in-reply-to')).toBe(lastInbound.email_message_id);
    expect(out.header('references')?.split(/\s+/)).toEqual([firstMessageId, lastInbound.email_message_id]);
    expect(out.header('auto-submitted')).toBeUndefined();
    const ourId = sent.body.message.providerMessageId;
    expect(ourId).toBe(out.header('message-id'));

    const answerId = newMessageId();
    await deliver(mail({ messageId: answerId, subject: 'Re: Where is my parcel?', body: 'Great, thanks!', headers: { 'In-Reply-To': ourId, References: `${firstMessageId} ${ourId}` } }));
    expect((await arrived(answerId)).conversation_id).toBe(firstConversation);
  });

  test('an SMTP 5xx refusal fails the reply with the server reason', async () => {
    smtp.rejectNext(550, 'No such mailbox here');
    const sent = await asAdmin<{ message: { deliveryStatus: string; error: string } }>('POST', `/api/v1/conversations/${firstConversation}/messages`, { content: 'Hello?' });
    expect(sent.status).toBe(201);
    expect(sent.body.message.deliveryStatus).toBe('failed');
    expect(sent.body.message.error).toContain('550');
    expect(sent.body.message.error).toContain('No such mailbox here');
  });

  test('an auto-reply (Auto-Submitted: auto-replied) is stored but triggers no welcome message', async () => {
    const autoId = newMessageId();
    const before = smtp.mails.length;
    await deliver(mail({ from: 'Bob Away <bob@elsewhere.test>', messageId: autoId, subject: 'Out of office', body: 'I am on holiday.', headers: { 'Auto-Submitted': 'auto-replied' } }));
    const row = await arrived(autoId);
    expect(row.automated).toBe(true);
    await handled(row.conversation_id);
    const messages = await conversationMessages(row.conversation_id);
    expect(messages.map((m) => [m.direction, m.sender_type])).toEqual([['inbound', 'contact']]);
    expect(smtp.mails.slice(before).filter((m) => m.to.includes('bob@elsewhere.test'))).toEqual([]);

    // A bounce from MAILER-DAEMON is automated too.
    const bounceId = newMessageId();
    await deliver(mail({ from: 'Mail Delivery System <MAILER-DAEMON@mx.customer.test>', messageId: bounceId, subject: 'Undelivered Mail Returned to Sender' }));
    expect((await arrived(bounceId)).automated).toBe(true);
  });

  test('malformed MIME and an unknown charset are stored with what could be read; the next good mail still arrives', async () => {
    const brokenId = newMessageId();
    await deliver(
      mail({
        messageId: brokenId,
        subject: 'Broken',
        headers: { 'Content-Type': 'multipart/mixed; boundary="zzz"' },
        body: '--zzz\r\nContent-Type: text/plain\r\n\r\npart one survives\r\n--zzz\r\nContent-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n\r\n!!!not base64@@@',
      }),
    );
    const charsetId = newMessageId();
    await deliver(
      Buffer.from(mail({ messageId: charsetId, subject: 'Klingon', headers: { 'Content-Type': 'text/plain; charset="x-klingon-9"' }, body: "qapla' \xe9 batlh" }), 'latin1'),
    );
    const noIdSubject = `No Message-ID ${Date.now()}`;
    await deliver(mail({ messageId: null, subject: noIdSubject, body: 'I have no Message-ID' }));
    const goodId = newMessageId();
    await deliver(mail({ messageId: goodId, subject: 'Good again', body: 'All fine' }));

    expect((await arrived(brokenId)).content).toContain('part one survives');
    const charset = await arrived(charsetId);
    expect(charset.content).toContain('qapla');
    expect(charset.content).toContain('unknown character set x-klingon-9');
    expect((await arrived(goodId)).content).toBe('All fine');
    const noId = await rows(`select m.* from messages m join conversations c on c.id = m.conversation_id where c.inbox_id = $1 and m.subject = $2`, [inboxId, noIdSubject]);
    expect(noId).toHaveLength(1);
  });

  test('attachments are kept (downloadable); one above EMAIL_MAX_ATTACHMENT_BYTES is dropped with a note', async () => {
    const small = randomBytes(2000);
    const big = randomBytes(300 * 1024);
    const boundary = 'b' + randomBytes(6).toString('hex');
    const part = (name: string, data: Buffer) =>
      `--${boundary}\r\nContent-Type: application/octet-stream; name="${name}"\r\nContent-Disposition: attachment; filename="${name}"\r\nContent-Transfer-Encoding: base64\r\n\r\n${data.toString('base64').replace(/.{76}/g, '$&\r\n')}\r\n`;
    const id = newMessageId();
    await deliver(
      mail({
        messageId: id,
        subject: 'Photos',
        headers: { 'Content-Type': `multipart/mixed; boundary="${boundary}"` },
        body: `--${boundary}\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nSee attached.\r\n${part('receipt.bin', small)}${part('video.bin', big)}--${boundary}--`,
      }),
    );
    const row = await arrived(id);
    expect(row.content).toContain('See attached.');
    expect(row.content).toContain(`attachment dropped: video.bin (300 KB, ${big.length} bytes) is larger than the limit of 100 KB (EMAIL_MAX_ATTACHMENT_BYTES)`);
    expect(row.attachments).toEqual([{ url: expect.stringMatching(/^\/api\/v1\/attachments\/[0-9a-f-]{36}$/), contentType: 'application/octet-stream', filename: 'receipt.bin', size: small.length }]);
    const res = await fetch(stack.baseUrl + row.attachments[0].url, { headers: { authorization: `Bearer ${admin.token}` } });
    expect(res.status).toBe(200);
    expect(Buffer.from(await res.arrayBuffer()).equals(small)).toBe(true);
  });

  test('a 30 MB attachment: the message is kept with a note, nothing else is lost, the mailbox goes on', async () => {
    const huge = randomBytes(30 * 1024 * 1024);
    const boundary = 'h' + randomBytes(6).toString('hex');
    const id = newMessageId();
    const started = Date.now();
    await deliver(
      Buffer.concat([
        Buffer.from(
          `Message-ID: ${id}\r\nFrom: Big Sender <big@customer.test>\r\nTo: ${ADDRESS}\r\nSubject: The whole video\r\nDate: ${new Date().toUTCString()}\r\n` +
            `MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary="${boundary}"\r\n\r\n` +
            `--${boundary}\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nHere is the full recording.\r\n` +
            `--${boundary}\r\nContent-Type: video/quicktime; name="recording.mov"\r\nContent-Disposition: attachment; filename="recording.mov"\r\nContent-Transfer-Encoding: base64\r\n\r\n`,
        ),
        Buffer.from(huge.toString('base64').replace(/.{76}/g, '$&\r\n')),
        Buffer.from(`\r\n--${boundary}--\r\n`),
      ]),
    );
    const afterId = newMessageId();
    await deliver(mail({ messageId: afterId, subject: 'Right behind the big one' }));

    const row = await arrived(id, 60_000);
    process.stdout.write(`[email-channel] 30 MB attachment: appended -> stored in ${Date.now() - started} ms\n`);
    expect(row.content).toContain('Here is the full recording.');
    expect(row.content).toContain(`attachment dropped: recording.mov (30 MB, ${huge.length} bytes) is larger than the limit of 100 KB (EMAIL_MAX_ATTACHMENT_BYTES)`);
    expect(row.attachments).toEqual([]);
    expect((await arrived(afterId)).subject).toBe('Right behind the big one');
    expect(await messagesWithId(id)).toHaveLength(1);
  }, 90_000);
});

describe('reconnects and restarts', () => {
  test('IMAP server killed mid-IDLE and restarted (with a UIDVALIDITY change): the mailbox reconnects, rescans, nothing lost, nothing duplicated', async () => {
    const beforeId = newMessageId();
    await deliver(mail({ messageId: beforeId, subject: 'Before the crash' }));
    const beforeRow = await arrived(beforeId);
    await handled(beforeRow.conversation_id);
    const handledCount = async () =>
      (await stack.temporal.workflow.getHandle(conversationWorkflowId(beforeRow.conversation_id)).query(conversationStateQuery)).inboundHandled;
    const handledBefore = await handledCount();
    await new Promise((r) => setTimeout(r, 300)); // back in IDLE
    const { rows: [{ n: inboundBefore }] } = await db.query(
      `select count(*)::int as n from messages m join conversations c on c.id = m.conversation_id where c.inbox_id = $1 and m.direction = 'inbound'`,
      [inboxId],
    );
    // The checkpoint follows each stored mail in its own statement: wait until it covers every mail so far.
    const real = await eventually(async () => {
      const { rows: [row] } = await db.query('select uid_validity::text as v, last_uid::text as u from email_channels where inbox_id = $1', [inboxId]);
      return Number(row.u) === inboundBefore ? (row as { v: string; u: string }) : undefined;
    }, 5_000, 'the checkpoint at the last mail');
    // As if the server had renumbered the folder: on reconnect the checkpoint's UIDVALIDITY differs, so the folder is read again.
    await db.query(`update email_channels set uid_validity = 1 where inbox_id = $1`, [inboxId]);
    await dovecot.kill();
    await new Promise((r) => setTimeout(r, 1500));
    await dovecot.start();
    const afterId = newMessageId();
    const started = await deliver(mail({ messageId: afterId, subject: 'After the crash' }));
    await arrived(afterId, 20_000);
    process.stdout.write(`[email-channel] after an IMAP server crash and restart: mail arrived ${Date.now() - started} ms after delivery\n`);
    const dupes = await db.query(
      `select m.email_message_id, count(*)::int as n from messages m join conversations c on c.id = m.conversation_id
       where c.inbox_id = $1 and m.direction = 'inbound' group by 1 having count(*) > 1`,
      [inboxId],
    );
    expect(dupes.rows).toEqual([]);
    const { rows: [{ n: inboundAfter }] } = await db.query(
      `select count(*)::int as n from messages m join conversations c on c.id = m.conversation_id where c.inbox_id = $1 and m.direction = 'inbound'`,
      [inboxId],
    );
    expect(inboundAfter).toBe(inboundBefore + 1);
    // The checkpoint moves right after the message is stored (its own statement): wait for it.
    const expected = { v: real.v, u: String(Number(real.u) + 1) };
    const now = await eventually(async () => {
      const { rows: [row] } = await db.query('select uid_validity::text as v, last_uid::text as u from email_channels where inbox_id = $1', [inboxId]);
      return row.v === expected.v && row.u === expected.u ? row : undefined;
    }, 5_000, 'the checkpoint at the new mail');
    expect(now).toEqual(expected);
    // The mails read again were recognised before the inbound path: their conversations were not told again.
    await new Promise((r) => setTimeout(r, 1000));
    expect(await handledCount()).toBe(handledBefore);
  });

  test('worker restarted (mail delivered while none runs): it arrives once, earlier mail is not fetched again', async () => {
    const { rows: [{ n: before }] } = await db.query(`select count(*)::int as n from messages m join conversations c on c.id = m.conversation_id where c.inbox_id = $1`, [inboxId]);
    await stack.stopWorker();
    const whileDownId = newMessageId();
    await deliver(mail({ messageId: whileDownId, subject: 'While the worker was down' }));
    await stack.startWorker();
    await arrived(whileDownId, 30_000);
    const { rows: [{ n: after }] } = await db.query(
      `select count(*)::int as n from messages m join conversations c on c.id = m.conversation_id where c.inbox_id = $1 and m.direction = 'inbound'`,
      [inboxId],
    );
    const { rows: [{ n: inboundBefore }] } = await db.query(
      `select count(*)::int as n from messages m join conversations c on c.id = m.conversation_id where c.inbox_id = $1 and m.direction = 'inbound' and m.email_message_id is distinct from $2`,
      [inboxId, whileDownId],
    );
    expect(after).toBe(inboundBefore + 1);
    expect(before).toBeGreaterThan(0);
    const dupes = await db.query(
      `select m.email_message_id, count(*)::int as n from messages m join conversations c on c.id = m.conversation_id
       where c.inbox_id = $1 and m.direction = 'inbound' and m.email_message_id is not null group by 1 having count(*) > 1`,
      [inboxId],
    );
    expect(dupes.rows).toEqual([]);
    const { rows: [{ n: fetched }] } = await db.query(
      `select count(*)::int as n from messages m join conversations c on c.id = m.conversation_id where c.inbox_id = $1 and m.direction = 'inbound'`,
      [inboxId],
    );
    const checkpoint = await eventually(async () => {
      const { rows: [row] } = await db.query('select last_uid::text as last_uid, last_error from email_channels where inbox_id = $1', [inboxId]);
      return Number(row.last_uid) === fetched ? row : undefined;
    }, 5_000, 'the checkpoint at the last mail');
    expect(Number(checkpoint.last_uid)).toBe(fetched);
  });

  test('disabling the channel stops the mailbox workflow', async () => {
    const handle = stack.temporal.workflow.getHandle(mailboxWorkflowId(inboxId));
    expect((await handle.describe()).status.name).toBe('RUNNING');
    const put = await asAdmin<{ enabled: boolean }>('PUT', `/api/v1/inboxes/${inboxId}/email-channel`, settings({ enabled: false, imapPassword: undefined, smtpPassword: undefined }));
    expect(put.status).toBe(200);
    expect(put.body.enabled).toBe(false);
    const status = await eventually(async () => {
      const s = (await handle.describe()).status.name;
      return s === 'RUNNING' ? undefined : s;
    }, 10_000, 'the mailbox workflow to close');
    expect(['TERMINATED', 'COMPLETED']).toContain(status);
    // Mail delivered now stays in the mailbox (it is read when the channel is enabled again).
    const laterId = newMessageId();
    await deliver(mail({ messageId: laterId, subject: 'While disabled' }));
    await new Promise((r) => setTimeout(r, 1500));
    expect(await messagesWithId(laterId)).toEqual([]);
    const again = await asAdmin('PUT', `/api/v1/inboxes/${inboxId}/email-channel`, settings({ imapPassword: undefined, smtpPassword: undefined }));
    expect(again.status).toBe(200);
    await arrived(laterId);
  });
});

/**
 * The session use case itself, driven here as the mailbox activity drives it, with the hooks recording
 * what it would heartbeat. Every heartbeat and the result pass through Temporal's payload converter:
 * a value it cannot encode (e.g. a BigInt) makes the SDK cancel the activity.
 */
describe('the mailbox session', () => {
  async function runSession(id: string, maxRunMs: number): Promise<{ beats: unknown[]; result: MailboxSessionResult }> {
    const beats: unknown[] = [];
    const session = stack.api.get(RunMailboxSessionUseCase, { strict: false });
    const result = await session.execute({ inboxId: id, maxRunMs, hooks: { heartbeat: (details) => beats.push(details), signal: new AbortController().signal } });
    return { beats, result };
  }
  const encodable = (value: unknown) => expect(() => defaultPayloadConverter.toPayload(value)).not.toThrow();

  test('while it reconnects, its heartbeats and its result can be encoded by Temporal', async () => {
    const closedPort = await (await import('../../src/local-stack/free-port')).freePort();
    const other = await asAdmin<{ id: string }>('POST', '/api/v1/inboxes', { name: 'Unreachable mail', channelType: 'email' });
    const put = await asAdmin('PUT', `/api/v1/inboxes/${other.body.id}/email-channel`, settings({ imapPort: closedPort }));
    expect(put.status).toBe(200);
    // A mailbox that was read before (its checkpoint is set) and whose server is now unreachable.
    await db.query('update email_channels set uid_validity = 1796118302, last_uid = 7 where inbox_id = $1', [other.body.id]);
    try {
      const { beats, result } = await runSession(other.body.id, 2500);
      expect(beats.length).toBeGreaterThan(0);
      expect(beats[0]).toMatchObject({ uidValidity: '1796118302', lastUid: '7', state: expect.stringMatching(/^reconnecting: nothing accepts connections/) });
      beats.forEach(encodable);
      expect(result).toMatchObject({ outcome: 'rotate', uidValidity: '1796118302', lastUid: '7', connections: 0 });
      encodable(result);
    } finally {
      await asAdmin('PUT', `/api/v1/inboxes/${other.body.id}/email-channel`, settings({ imapPort: closedPort, enabled: false }));
    }
  });

  test('a new session resumes at the checkpoint (same UIDVALIDITY): nothing is read again', async () => {
    const read = async () => (await db.query('select uid_validity::text as v, last_uid::text as u from email_channels where inbox_id = $1', [inboxId])).rows[0] as { v: string; u: string };
    // The running mailbox workflow moves the checkpoint right after each stored mail: wait until it rests.
    const checkpoint = await eventually(async () => {
      const first = await read();
      await new Promise((r) => setTimeout(r, 300));
      const second = await read();
      return first.u === second.u ? second : undefined;
    }, 5_000, 'the checkpoint to rest');
    expect(Number(checkpoint.u)).toBeGreaterThan(0);
    const { beats, result } = await runSession(inboxId, 1500);
    expect(result).toMatchObject({ outcome: 'rotate', uidValidity: checkpoint.v, lastUid: checkpoint.u, stored: 0, duplicates: 0, connections: 1 });
    beats.forEach(encodable);
    encodable(result);
    expect(await read()).toEqual(checkpoint);
  });
});

// Last: dovecot delays further logins from 127.0.0.1 for a while after a refused one (its auth penalty).
describe('connection test', () => {
  test('the connection test reports each step: ok, a refused login (auth) and a closed port (tcp)', async () => {
    const good = await asAdmin<{ imap: { ok: boolean }; smtp: { ok: boolean } }>('POST', `/api/v1/inboxes/${inboxId}/email-channel/test`);
    expect(good.status).toBe(200);
    expect(good.body.imap.ok).toBe(true);
    expect(good.body.smtp.ok).toBe(true);

    const other = await asAdmin<{ id: string }>('POST', '/api/v1/inboxes', { name: 'Broken mail', channelType: 'email' });
    const closedPort = (await import('../../src/local-stack/free-port')).freePort;
    const put = await asAdmin('PUT', `/api/v1/inboxes/${other.body.id}/email-channel`, settings({ imapPassword: 'wrong password', smtpPort: await closedPort(), enabled: false }));
    expect(put.status).toBe(200);
    const bad = await asAdmin<{ imap: { ok: boolean; step: string; message: string }; smtp: { ok: boolean; step: string; message: string } }>(
      'POST',
      `/api/v1/inboxes/${other.body.id}/email-channel/test`,
    );
    expect(bad.status).toBe(200);
    expect(bad.body.imap).toMatchObject({ ok: false, step: 'auth' });
    expect(bad.body.imap.message).toContain(`refused the login for user ${MAILBOX_USER}`);
    expect(bad.body.smtp).toMatchObject({ ok: false, step: 'tcp' });
    expect(bad.body.smtp.message).toContain('connection refused');
    expect(JSON.stringify(bad.body)).not.toContain('wrong password');

    const unknownHost = await asAdmin('PUT', `/api/v1/inboxes/${other.body.id}/email-channel`, settings({ imapHost: 'no-such-host.invalid', enabled: false }));
    expect(unknownHost.status).toBe(200);
    const dns = await asAdmin<{ imap: { ok: boolean; step: string } }>('POST', `/api/v1/inboxes/${other.body.id}/email-channel/test`);
    expect(dns.body.imap).toMatchObject({ ok: false, step: 'dns' });
  });
});
