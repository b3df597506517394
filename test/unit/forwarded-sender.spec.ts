/** Who wrote a mail that reached the forwarding address: parse-email.ts originalSender and its pieces. */
import { loadConfig } from '../../src/config/config';
import { originalSender, parseAddressLine, parseEmail, quotedForwardedSender } from '../../src/modules/channels/email/parse-email';

const raw = (headers: string[], body = 'hello') => Buffer.from(`${['From: Alice Agent <Alice@Acme.test>', 'Message-ID: <f1@acme.test>', ...headers].join('\r\n')}\r\n\r\n${body}\r\n`);

test.each([
  ['Carla Customer <Carla@Customer.test>', { address: 'carla@customer.test', name: 'Carla Customer' }],
  ['"Doe, John" <j@x.org>', { address: 'j@x.org', name: 'Doe, John' }],
  ['Carla Customer [mailto:carla@customer.test]', { address: 'carla@customer.test', name: 'Carla Customer' }],
  ['<carla@customer.test>', { address: 'carla@customer.test', name: null }],
  ['carla@customer.test', { address: 'carla@customer.test', name: null }],
  ['Carla Customer', null],
  ['', null],
])('address line %j', (line, expected) => {
  expect(parseAddressLine(line)).toEqual(expected);
});

test.each([
  ['Gmail', 'See below\n\n---------- Forwarded message ---------\nFrom: Erik Example <erik@example.test>\nDate: Mon\nSubject: x\n\nbody', 'erik@example.test'],
  ['Outlook', 'FYI\n\n-----Original Message-----\nFrom: Erik Example [mailto:erik@example.test]\nSent: Monday\n', 'erik@example.test'],
  ['Outlook (underscores, bold labels)', 'FYI\n\n________________________________\n*From:* Erik Example <erik@example.test>\n*Sent:* Monday', 'erik@example.test'],
  ['Thunderbird', '-------- Forwarded Message --------\nSubject: x\nDate: Mon\nFrom: Erik <erik@example.test>\n', 'erik@example.test'],
  ['Apple Mail', 'Begin forwarded message:\n\n> From: Erik <erik@example.test>\n> Subject: x', 'erik@example.test'],
  ['German Outlook', '-----Ursprüngliche Nachricht-----\nVon: Erik <erik@example.test>\nGesendet: Montag', 'erik@example.test'],
])('a quoted forward block (%s)', (_client, text, address) => {
  expect(quotedForwardedSender(text)?.address).toBe(address);
});

test('no marker, or a marker with no address in its block: no quoted sender', () => {
  expect(quotedForwardedSender('Hi,\nFrom: someone@else.test wrote that…')).toBeNull();
  expect(quotedForwardedSender('---------- Forwarded message ---------\nFrom: Erik Example\nDate: Mon')).toBeNull();
});

test('X-Original-From wins over the quoted block and Reply-To; then the block; then Reply-To; else none', async () => {
  const block = 'note\n\n---------- Forwarded message ---------\nFrom: Erik <erik@example.test>\n';
  const all = await parseEmail(raw(['X-Original-From: Fiona <fiona@field.test>', 'Reply-To: gus@grant.test'], block));
  expect(originalSender(all)).toEqual({ sender: { address: 'fiona@field.test', name: 'Fiona' }, source: 'x-original-from' });
  const blockAndReplyTo = await parseEmail(raw(['Reply-To: gus@grant.test'], block));
  expect(originalSender(blockAndReplyTo)).toEqual({ sender: { address: 'erik@example.test', name: 'Erik' }, source: 'forwarded-block' });
  const replyTo = await parseEmail(raw(['Reply-To: Gus <gus@grant.test>']));
  expect(originalSender(replyTo)).toEqual({ sender: { address: 'gus@grant.test', name: 'Gus' }, source: 'reply-to' });
  expect(originalSender(await parseEmail(raw([])))).toBeNull();
  // Reply-To (or X-Original-From) equal to From changes nothing.
  expect(originalSender(await parseEmail(raw(['Reply-To: alice@acme.test', 'X-Original-From: ALICE@acme.test'])))).toBeNull();
});

test('the ingress settings: defaults, off, a free port, and clear errors', () => {
  expect(loadConfig({}).smtpIngress).toEqual({ host: '127.0.0.1', port: 2525, maxBytes: 35 * 1024 * 1024 });
  expect(loadConfig({ HOST: '0.0.0.0' }).smtpIngress.host).toBe('0.0.0.0');
  expect(loadConfig({ SMTP_INGRESS_PORT: 'off' }).smtpIngress.port).toBeNull();
  expect(loadConfig({ SMTP_INGRESS_PORT: '0' }).smtpIngress.port).toBe(0);
  expect(() => loadConfig({ SMTP_INGRESS_PORT: '70000' })).toThrow('Configuration error: SMTP_INGRESS_PORT must be a port (1-65535), 0 for a free port, or off (got "70000")');
  expect(loadConfig({}).email.inboundDomain).toBe('inbound.localhost');
  expect(loadConfig({ INBOUND_EMAIL_DOMAIN: 'Inbound.Example.COM.' }).email.inboundDomain).toBe('inbound.example.com');
  expect(() => loadConfig({ INBOUND_EMAIL_DOMAIN: 'not a domain' })).toThrow(/INBOUND_EMAIL_DOMAIN must be a mail domain/);
});
