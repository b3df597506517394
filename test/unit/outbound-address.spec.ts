/**
 * The outbound-address guard (src/common/outbound-address.ts): how each address is classified, in
 * every spelling, and what resolveOutboundTarget refuses or returns. DNS answers are given by a
 * stand-in resolver where a test needs a public name to point somewhere; `localhost` and the old IPv4
 * spellings also go through the system resolver, to show it reads them as the guard does.
 */
import { promises as dns } from 'node:dns';
import { DomainError } from '../../src/common/domain-error';
import {
  classifyAddress,
  OutboundAddressRefused,
  OutboundLookupFailed,
  parseIpv4,
  refuseLiteralHost,
  resolveOutboundTarget,
  type AddressCategory,
  type Lookup,
} from '../../src/common/outbound-address';
import { imapClient, smtpTransport } from '../../src/modules/channels/email/mail-clients';

const DENY = { allowPrivateTargets: false };
const ALLOW = { allowPrivateTargets: true };

const refused: Array<[string, AddressCategory]> = [
  // loopback, in every IPv4 spelling the system resolver accepts
  ['127.0.0.1', 'loopback'],
  ['127.1', 'loopback'],
  ['2130706433', 'loopback'],
  ['0x7f000001', 'loopback'],
  ['0177.0.0.1', 'loopback'],
  ['0x7f.0.0.1', 'loopback'],
  ['127.255.255.254', 'loopback'],
  // private
  ['10.0.0.5', 'private'],
  ['10.255.255.255', 'private'],
  ['012.0.0.1', 'private'],
  ['172.16.0.1', 'private'],
  ['172.31.255.255', 'private'],
  ['192.168.0.1', 'private'],
  ['192.168.255.255', 'private'],
  ['3232235777', 'private'],
  // link-local, CGNAT
  ['169.254.0.1', 'link-local'],
  ['169.254.255.255', 'link-local'],
  ['100.64.0.1', 'shared'],
  ['100.127.255.255', 'shared'],
  // unspecified, multicast, broadcast
  ['0.0.0.0', 'unspecified'],
  ['0', 'unspecified'],
  ['0.1.2.3', 'unspecified'],
  ['224.0.0.1', 'multicast'],
  ['239.255.255.250', 'multicast'],
  ['255.255.255.255', 'broadcast'],
  ['4294967295', 'broadcast'],
  // benchmarking, documentation, reserved
  ['198.18.0.1', 'benchmark'],
  ['198.19.255.255', 'benchmark'],
  ['192.0.2.10', 'documentation'],
  ['198.51.100.7', 'documentation'],
  ['203.0.113.9', 'documentation'],
  ['192.0.0.8', 'reserved'],
  ['192.88.99.1', 'reserved'],
  ['240.0.0.1', 'reserved'],
  ['254.1.2.3', 'reserved'],
  // cloud metadata services
  ['169.254.169.254', 'metadata'],
  ['0xa9fea9fe', 'metadata'],
  ['169.254.170.2', 'metadata'],
  ['100.100.100.200', 'metadata'],
  ['168.63.129.16', 'metadata'],
  ['192.0.0.192', 'metadata'],
  // IPv6
  ['::1', 'loopback'],
  ['[::1]', 'loopback'],
  ['0:0:0:0:0:0:0:1', 'loopback'],
  ['::', 'unspecified'],
  ['fd00::1', 'unique-local'],
  ['[fd00::1]', 'unique-local'],
  ['fc00::1', 'unique-local'],
  ['fdff:ffff:ffff:ffff:ffff:ffff:ffff:ffff', 'unique-local'],
  ['fec0::1', 'unique-local'],
  ['fe80::1', 'link-local'],
  ['fe80::1%eth0', 'link-local'],
  ['febf:ffff::1', 'link-local'],
  ['ff02::1', 'multicast'],
  ['ff05::1:3', 'multicast'],
  ['2001:db8::1', 'documentation'],
  ['3fff::1', 'documentation'],
  ['2001::1', 'reserved'],
  ['100::1', 'reserved'],
  ['4000::1', 'reserved'],
  ['fd00:ec2::254', 'metadata'],
  ['fd20:ce::254', 'metadata'],
  // IPv6 forms that carry an IPv4 address are judged by it
  ['::ffff:127.0.0.1', 'loopback'],
  ['::ffff:7f00:1', 'loopback'],
  ['[::ffff:127.0.0.1]', 'loopback'],
  ['0:0:0:0:0:ffff:7f00:0001', 'loopback'],
  ['::ffff:10.0.0.1', 'private'],
  ['::ffff:192.168.1.1', 'private'],
  ['::ffff:169.254.169.254', 'metadata'],
  ['::ffff:0.0.0.0', 'unspecified'],
  ['::127.0.0.1', 'loopback'],
  ['::7f00:1', 'loopback'],
  ['::10.0.0.1', 'private'],
  ['::8.8.8.8', 'reserved'],
  ['64:ff9b::127.0.0.1', 'loopback'],
  ['64:ff9b::a00:1', 'private'],
  ['64:ff9b::a9fe:a9fe', 'metadata'],
  ['64:ff9b:1::1', 'private'],
  ['2002:7f00:1::1', 'loopback'],
  ['2002:c0a8:101::', 'private'],
  ['2002:a9fe:a9fe::1', 'metadata'],
];

const publicAddresses = [
  '8.8.8.8',
  '1.1.1.1',
  '93.184.215.14',
  '11.0.0.1',
  '100.63.255.255',
  '100.128.0.0',
  '169.255.0.1',
  '172.15.255.255',
  '172.32.0.0',
  '192.167.255.255',
  '192.169.0.1',
  '198.17.255.255',
  '198.20.0.0',
  '223.255.255.255',
  '134744072', // 8.8.8.8
  '2001:4860:4860::8888',
  '2606:4700:4700::1111',
  '2a00:1450:4001:82a::200e',
  '::ffff:8.8.8.8',
  '64:ff9b::808:808',
  '2002:808:808::1',
];

describe('classifyAddress', () => {
  test.each(refused)('%s is %s', (address, category) => {
    expect(classifyAddress(address)).toBe(category);
  });

  test.each(publicAddresses)('%s is public', (address) => {
    expect(classifyAddress(address)).toBe('public');
  });

  test('a host name is not an address', () => {
    expect(() => classifyAddress('imap.example.com')).toThrow(TypeError);
  });
});

describe('parseIpv4 reads what inet_aton reads', () => {
  test.each([
    ['127.0.0.1', [127, 0, 0, 1]],
    ['127.1', [127, 0, 0, 1]],
    ['10.1.2', [10, 1, 0, 2]],
    ['2130706433', [127, 0, 0, 1]],
    ['0x7f000001', [127, 0, 0, 1]],
    ['0X7F.1', [127, 0, 0, 1]],
    ['0177.0.0.1', [127, 0, 0, 1]],
    ['4294967295', [255, 255, 255, 255]],
    ['0', [0, 0, 0, 0]],
  ])('%s is %j', (text, bytes) => {
    expect(parseIpv4(text)).toEqual(bytes);
  });

  test.each(['256.1.1.1', '1.2.3.4.5', '08.1.1.1', '4294967296', '1.2.3.256', '1..2', 'example.com', '1e3', 'deadbeef', ''])('%j is not an IPv4 address', (text) => {
    expect(parseIpv4(text)).toBeNull();
  });

  test.each(['127.1', '2130706433', '0x7f000001', '0177.0.0.1', '10.1.2', '0xa9fea9fe'])('the system resolver reads %s as the guard does', async (text) => {
    const resolved = await dns.lookup(text, { family: 4 });
    expect(resolved.address).toBe(parseIpv4(text)!.join('.'));
  });
});

/** A resolver with fixed answers that counts its calls. */
function fakeDns(answers: Record<string, string[]>): Lookup & { calls: string[] } {
  const calls: string[] = [];
  const lookup = async (host: string) => {
    calls.push(host);
    const found = answers[host];
    if (!found) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND' });
    return found.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
  };
  return Object.assign(lookup, { calls });
}

describe('resolveOutboundTarget', () => {
  test('a name resolving to a private address is refused in our words, naming host, address and setting', async () => {
    const lookup = fakeDns({ 'imap.example.com': ['10.0.0.5'] });
    const err = await resolveOutboundTarget('imap.example.com', DENY, { lookup }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OutboundAddressRefused);
    expect(err).toBeInstanceOf(DomainError);
    expect((err as DomainError).code).toBe('UNPROCESSABLE');
    expect((err as Error).message).toBe(
      'the address of imap.example.com (10.0.0.5) is a private network address; outbound connections there are not allowed (OUTBOUND_ALLOW_PRIVATE_TARGETS)',
    );
  });

  test('any refused address refuses the name (a record set mixing public and internal addresses)', async () => {
    const lookup = fakeDns({ 'mixed.example.com': ['93.184.215.14', '127.0.0.1'] });
    await expect(resolveOutboundTarget('mixed.example.com', DENY, { lookup })).rejects.toThrow('the address of mixed.example.com (127.0.0.1) is a loopback address');
  });

  test('IPv6 answers are judged too (ULA, mapped loopback)', async () => {
    const lookup = fakeDns({ 'v6.example.com': ['fd12:3456::1'], 'mapped.example.com': ['::ffff:127.0.0.1'] });
    await expect(resolveOutboundTarget('v6.example.com', DENY, { lookup })).rejects.toThrow('(fd12:3456::1) is a private network address (IPv6 unique local)');
    await expect(resolveOutboundTarget('mapped.example.com', DENY, { lookup })).rejects.toThrow('(::ffff:127.0.0.1) is a loopback address');
  });

  test('a public name: the checked address to connect to, the name for TLS; resolved once', async () => {
    const lookup = fakeDns({ 'imap.example.com': ['93.184.215.14', '2606:2800:21f:cb07:6820:80da:af6b:8b2c'] });
    const target = await resolveOutboundTarget('IMAP.Example.com.', DENY, { lookup });
    expect(target).toEqual({ host: 'IMAP.Example.com.', address: '93.184.215.14', family: 4, servername: 'imap.example.com' });
    expect(lookup.calls).toEqual(['imap.example.com']);
  });

  test('literal addresses are not looked up; the old spellings connect to the address they mean', async () => {
    const lookup = fakeDns({});
    expect(await resolveOutboundTarget('8.8.8.8', DENY, { lookup })).toEqual({ host: '8.8.8.8', address: '8.8.8.8', family: 4 });
    expect(await resolveOutboundTarget('2130706433', ALLOW, { lookup })).toEqual({ host: '2130706433', address: '127.0.0.1', family: 4 });
    expect(await resolveOutboundTarget('[::1]', ALLOW, { lookup })).toEqual({ host: '[::1]', address: '::1', family: 6 });
    await expect(resolveOutboundTarget('2130706433', DENY, { lookup })).rejects.toThrow(
      'the address of 2130706433 (127.0.0.1) is a loopback address; outbound connections there are not allowed (OUTBOUND_ALLOW_PRIVATE_TARGETS)',
    );
    await expect(resolveOutboundTarget('127.0.0.1', DENY, { lookup })).rejects.toThrow('127.0.0.1 is a loopback address;');
    expect(lookup.calls).toEqual([]);
  });

  test('localhost through the system resolver is refused', async () => {
    await expect(resolveOutboundTarget('localhost', DENY)).rejects.toThrow(
      /^the address of localhost \((127\.0\.0\.1|::1)\) is a loopback address; outbound connections there are not allowed \(OUTBOUND_ALLOW_PRIVATE_TARGETS\)$/,
    );
    expect((await resolveOutboundTarget('localhost', ALLOW)).address).toMatch(/^(127\.0\.0\.1|::1)$/);
  });

  test('metadata services stay refused with OUTBOUND_ALLOW_PRIVATE_TARGETS on, by name (no lookup) and by address', async () => {
    const lookup = fakeDns({ 'innocent.example.com': ['169.254.169.254'] });
    for (const name of ['metadata.google.internal', 'METADATA.Google.Internal.', 'metadata', 'instance-data.ec2.internal']) {
      await expect(resolveOutboundTarget(name, ALLOW, { lookup })).rejects.toThrow(`${name} is a cloud metadata service name; outbound connections there are never made`);
    }
    expect(lookup.calls).toEqual([]);
    await expect(resolveOutboundTarget('innocent.example.com', ALLOW, { lookup })).rejects.toThrow(
      'the address of innocent.example.com (169.254.169.254) is a cloud metadata service address; outbound connections there are never made',
    );
    await expect(resolveOutboundTarget('[fd00:ec2::254]', ALLOW, { lookup })).rejects.toThrow('is a cloud metadata service address');
  });

  test('OUTBOUND_ALLOW_PRIVATE_TARGETS allows the internal ranges, never the unroutable ones', async () => {
    for (const address of ['127.0.0.1', '10.0.0.5', '172.20.1.1', '192.168.1.10', '169.254.10.10', '100.64.1.1', 'fd00::1', 'fe80::1', '::ffff:10.0.0.1']) {
      expect((await resolveOutboundTarget(address, ALLOW)).address).toBe(address.replace(/^\[|\]$/g, ''));
    }
    for (const address of ['0.0.0.0', '224.0.0.1', '255.255.255.255', '198.18.0.1', '192.0.2.1', '240.0.0.1', '::', 'ff02::1', '2001:db8::1']) {
      await expect(resolveOutboundTarget(address, ALLOW)).rejects.toThrow('outbound connections there are never made');
    }
  });

  test('an unknown name fails as a lookup, with the resolver code', async () => {
    const err = await resolveOutboundTarget('no-such-host.invalid', DENY).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OutboundLookupFailed);
    expect((err as OutboundLookupFailed).code).toMatch(/^(ENOTFOUND|EAI_AGAIN)$/);
    expect((err as Error).message).toMatch(/^the host name no-such-host\.invalid could not be resolved/);
  });
});

describe('refuseLiteralHost (for saving settings, no DNS)', () => {
  test('names the field', () => {
    const err = refuseLiteralHost('0x7f000001', DENY, 'imapHost');
    expect(err?.details).toEqual([{ field: 'imapHost', problem: expect.stringContaining('(127.0.0.1) is a loopback address') }]);
    expect(err?.message).toMatch(/^imapHost: the address of 0x7f000001 \(127\.0\.0\.1\) is a loopback address/);
  });

  test('names are left to the connection-time check, except metadata names', () => {
    expect(refuseLiteralHost('imap.example.com', DENY)).toBeNull();
    expect(refuseLiteralHost('10.0.0.5', ALLOW)).toBeNull();
    expect(refuseLiteralHost('metadata.google.internal', ALLOW)?.category).toBe('metadata');
  });
});

describe('the mail clients connect to the checked address', () => {
  const target = { host: 'mail.example.com', address: '93.184.215.14', family: 4 as const, servername: 'mail.example.com' };

  test('imapflow gets the address as host and the name as TLS server name', () => {
    const client = imapClient({ host: 'mail.example.com', port: 993, secure: true, user: 'u', password: 'p' }, 1000, target);
    expect(client.host).toBe('93.184.215.14');
    expect(client.servername).toBe('mail.example.com');
  });

  test('nodemailer gets the address as host and the name as tls.servername', () => {
    const transport = smtpTransport({ host: 'mail.example.com', port: 465, secure: true, user: null, password: null }, 1000, target);
    const options = transport.options as { host?: string; tls?: { servername?: string } };
    expect(options.host).toBe('93.184.215.14');
    expect(options.tls?.servername).toBe('mail.example.com');
    transport.close();
  });

  test('an IP literal host gets no TLS server name', () => {
    const literal = { host: '93.184.215.14', address: '93.184.215.14', family: 4 as const };
    expect(imapClient({ host: literal.host, port: 993, secure: true, user: 'u', password: 'p' }, 1000, literal).servername).toBe(false);
    const transport = smtpTransport({ host: literal.host, port: 465, secure: true, user: null, password: null }, 1000, literal);
    expect((transport.options as { tls?: unknown }).tls).toBeUndefined();
    transport.close();
  });
});
