import { parseEmail, stripHtml } from '../../src/modules/channels/email/parse-email';
import { isPermanentSmtpError, outboundMessageId, replySubject } from '../../src/modules/channels/email/email.sender';
import { formatBytes } from '../../src/modules/channels/email/use-cases/store-inbound-email.use-case';

const raw = (headers: string[], body = 'hello') => Buffer.from(`${['From: Ann <Ann@Example.test>', 'Message-ID: <m1@example.test>', ...headers].join('\r\n')}\r\n\r\n${body}\r\n`);

test.each([
  [['Auto-Submitted: auto-replied'], 'Auto-Submitted: auto-replied'],
  [['Auto-Submitted: auto-generated; type=x'], 'Auto-Submitted: auto-generated'],
  [['Precedence: bulk'], 'Precedence: bulk'],
  [['Precedence: auto_reply'], 'Precedence: auto_reply'],
  [['X-Autoreply: yes'], 'X-Autoreply header'],
  [['List-Id: <news.example.test>'], 'mailing-list mail (List-Id)'],
  [['Content-Type: multipart/report; report-type=delivery-status; boundary="x"'], 'multipart/report (a delivery or read report)'],
])('%j is automated', async (headers, reason) => {
  expect((await parseEmail(raw(headers))).automatedBecause).toBe(reason);
});

test.each([[['Auto-Submitted: no']], [['Precedence: first-class']], [[]]])('%j is a person writing', async (headers) => {
  expect((await parseEmail(raw(headers))).automatedBecause).toBeNull();
});

test('MAILER-DAEMON and postmaster senders are bounces', async () => {
  const bounce = Buffer.from('From: Mail Delivery System <MAILER-DAEMON@mx.test>\r\nSubject: Undelivered\r\n\r\nsorry\r\n');
  expect((await parseEmail(bounce)).automatedBecause).toBe('sent by mailer-daemon (a bounce)');
});

test('sender lower-cased, references in order with In-Reply-To last, html-only mail as text', async () => {
  const mail = await parseEmail(
    raw(['Subject: Re: Parcel', 'In-Reply-To: <b@x.test>', 'References: <a@x.test>\r\n <b@x.test>', 'Content-Type: text/html'], '<p>Hi <b>there</b></p><script>evil()</script>'),
  );
  expect(mail).toMatchObject({ fromAddress: 'ann@example.test', fromName: 'Ann', messageId: '<m1@example.test>', subject: 'Re: Parcel', inReplyTo: '<b@x.test>', references: ['<a@x.test>', '<b@x.test>'] });
  expect(mail.text).toBe('Hi there');
  expect(stripHtml('<div>a&amp;b</div><style>x{}</style><br>c')).toBe('a&b\n\nc');
});

test('garbage keeps a note instead of failing', async () => {
  const mail = await parseEmail(Buffer.from([0, 1, 2, 3]));
  expect(mail.fromAddress).toBeNull();
  expect(mail.notes.join(' ')).toContain('no readable sender');
});

test('reply subjects, our Message-ID, byte sizes, permanent SMTP errors', () => {
  expect(replySubject('Parcel')).toBe('Re: Parcel');
  expect(replySubject('RE: Parcel')).toBe('RE: Parcel');
  expect(replySubject('AW: Paket')).toBe('AW: Paket');
  expect(replySubject('  ')).toBeNull();
  expect(outboundMessageId('42', '12345678-aaaa', 'support@acme.test')).toBe('<cx.42.12345678@acme.test>');
  expect(formatBytes(300 * 1024)).toBe('300 KB');
  expect(formatBytes(30 * 1024 * 1024)).toBe('30 MB');
  expect(isPermanentSmtpError({ responseCode: 550 })).toBe(true);
  expect(isPermanentSmtpError({ responseCode: 451 })).toBe(false);
  expect(isPermanentSmtpError({ code: 'ECONNECTION' })).toBe(false);
});
