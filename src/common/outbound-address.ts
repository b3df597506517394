/**
 * The one guard for outbound connections to hosts that tenants choose (IMAP/SMTP servers today; webhook
 * and CRM URLs later). Without it a tenant's "mail server" could be 127.0.0.1, 169.254.169.254 or a
 * 10.x address, and the product would probe the operator's own network for them (SSRF).
 *
 * The rules hold for the addresses a host name resolves to, not for its spelling: the host is resolved
 * (every address), each address is classified, and the caller then connects to the address that was
 * checked (keeping the host name for TLS SNI and certificate checks), so a DNS answer that changes
 * between the check and the connection (rebinding) cannot swap the target.
 *
 *  - never: unspecified (0.0.0.0/8, ::), multicast, broadcast, reserved ranges (documentation,
 *    benchmarking 198.18/15, 240/4, IETF protocol assignments, ...) and cloud metadata services
 *    (169.254.169.254, fd00:ec2::254, metadata.google.internal, ...);
 *  - only with OUTBOUND_ALLOW_PRIVATE_TARGETS=true (on-premise mail servers, tests): loopback,
 *    private (10/8, 172.16/12, 192.168/16), link-local (169.254/16, fe80::/10), CGNAT 100.64/10 and
 *    IPv6 unique-local fc00::/7 (and the deprecated site-local fec0::/10);
 *  - IPv4-mapped (::ffff:a.b.c.d), IPv4-compatible (::a.b.c.d), NAT64 (64:ff9b::/96) and 6to4
 *    (2002::/16) IPv6 addresses are judged by the IPv4 address inside them; the old IPv4 spellings
 *    (127.1, 2130706433, 0x7f000001, 0177.0.0.1) are read as the address they mean.
 *
 * Refusals are our own words, naming the host, the address and the setting; nothing of the peer.
 */
import { promises as dns } from 'node:dns';
import * as net from 'node:net';
import { DomainError } from './domain-error';

export type AddressCategory =
  | 'public'
  | 'loopback'
  | 'private'
  | 'link-local'
  | 'shared'
  | 'unique-local'
  | 'unspecified'
  | 'multicast'
  | 'broadcast'
  | 'reserved'
  | 'documentation'
  | 'benchmark'
  | 'metadata';

/** Categories of the operator's own network: reachable only when OUTBOUND_ALLOW_PRIVATE_TARGETS is on. */
const INTERNAL: ReadonlySet<AddressCategory> = new Set(['loopback', 'private', 'link-local', 'shared', 'unique-local']);

const DESCRIPTION: Record<AddressCategory, string> = {
  public: 'a public address',
  loopback: 'a loopback address',
  private: 'a private network address',
  'link-local': 'a link-local address',
  shared: 'a carrier-grade NAT (shared, 100.64.0.0/10) address',
  'unique-local': 'a private network address (IPv6 unique local)',
  unspecified: 'the unspecified address',
  multicast: 'a multicast address',
  broadcast: 'the broadcast address',
  reserved: 'a reserved address (not routed on the internet)',
  documentation: 'a documentation address (not routed on the internet)',
  benchmark: 'a benchmarking address (not routed on the internet)',
  metadata: 'a cloud metadata service address',
};

export const ALLOW_PRIVATE_SETTING = 'OUTBOUND_ALLOW_PRIVATE_TARGETS';

export interface OutboundPolicy {
  /** OUTBOUND_ALLOW_PRIVATE_TARGETS: loopback, private, link-local, CGNAT and ULA targets are allowed. */
  allowPrivateTargets: boolean;
}

/** Where to connect: the checked address, and the name to present for TLS (absent for an IP literal). */
export interface OutboundTarget {
  host: string;
  address: string;
  family: 4 | 6;
  /** TLS SNI and certificate name: the host name as configured; undefined when the host is an IP. */
  servername?: string;
}

/** The host resolves to (or is) an address outbound connections may not reach. */
export class OutboundAddressRefused extends DomainError {
  constructor(
    readonly host: string,
    readonly address: string | null,
    readonly category: AddressCategory,
    message: string,
    field?: string,
  ) {
    super('UNPROCESSABLE', field ? `${field}: ${message}` : message, field ? [{ field, problem: message }] : []);
    this.name = 'OutboundAddressRefused';
  }
}

/** The host name could not be resolved (the resolver's code, e.g. ENOTFOUND, is on `code`). */
export class OutboundLookupFailed extends Error {
  constructor(
    readonly host: string,
    readonly code: string,
  ) {
    super(`the host name ${host} could not be resolved (${code})`);
    this.name = 'OutboundLookupFailed';
  }
}

/** Metadata services by name (their addresses are refused below as well, whatever name leads there). */
const METADATA_NAMES = new Set([
  'metadata',
  'metadata.google.internal',
  'metadata.goog',
  'instance-data',
  'instance-data.ec2.internal',
  'metadata.azure.internal',
  'metadata.tencentyun.com',
  'metadata.platformequinix.com',
]);

/** AWS/GCP/Azure/OpenStack/DigitalOcean, AWS ECS, Alibaba, Azure WireServer, Oracle; AWS and GCP over IPv6. */
const METADATA_V4 = new Set(['169.254.169.254', '169.254.170.2', '100.100.100.200', '168.63.129.16', '192.0.0.192']);
const METADATA_V6 = ['fd00:ec2::254', 'fd20:ce::254'];

type Range = [network: number[], prefix: number, category: AddressCategory];

/** IANA IPv4 special-purpose ranges, most specific first (the first match wins). */
const V4_RANGES: Range[] = [
  [[255, 255, 255, 255], 32, 'broadcast'],
  [[0, 0, 0, 0], 8, 'unspecified'],
  [[10, 0, 0, 0], 8, 'private'],
  [[100, 64, 0, 0], 10, 'shared'],
  [[127, 0, 0, 0], 8, 'loopback'],
  [[169, 254, 0, 0], 16, 'link-local'],
  [[172, 16, 0, 0], 12, 'private'],
  [[192, 0, 0, 0], 24, 'reserved'],
  [[192, 0, 2, 0], 24, 'documentation'],
  [[192, 88, 99, 0], 24, 'reserved'],
  [[192, 168, 0, 0], 16, 'private'],
  [[198, 18, 0, 0], 15, 'benchmark'],
  [[198, 51, 100, 0], 24, 'documentation'],
  [[203, 0, 113, 0], 24, 'documentation'],
  [[224, 0, 0, 0], 4, 'multicast'],
  [[240, 0, 0, 0], 4, 'reserved'],
];

/** IPv6 ranges that do not embed an IPv4 address (those are handled before), most specific first. */
const V6_RANGES: Range[] = [
  [hex6('0100::'), 64, 'reserved'], // discard-only
  [hex6('2001:db8::'), 32, 'documentation'],
  [hex6('2001::'), 23, 'reserved'], // IETF protocol assignments (Teredo, ORCHID, ...)
  [hex6('3fff::'), 20, 'documentation'],
  [hex6('64:ff9b:1::'), 48, 'private'], // local-use NAT64
  [hex6('fc00::'), 7, 'unique-local'],
  [hex6('fe80::'), 10, 'link-local'],
  [hex6('fec0::'), 10, 'unique-local'], // site-local (deprecated): private networks
  [hex6('ff00::'), 8, 'multicast'],
];

function hex6(text: string): number[] {
  const bytes = ipv6Bytes(text);
  if (!bytes) throw new Error(`bad IPv6 constant ${text}`);
  return bytes;
}

function inRange(bytes: number[], network: number[], prefix: number): boolean {
  for (let bit = 0; bit < prefix; bit += 8) {
    const i = bit / 8;
    const width = Math.min(8, prefix - bit);
    const mask = (0xff << (8 - width)) & 0xff;
    if ((bytes[i] & mask) !== (network[i] & mask)) return false;
  }
  return true;
}

/**
 * An IPv4 address in any spelling inet_aton(3) accepts (what the system resolver turns into an address
 * without asking DNS): 1 to 4 parts, each decimal, octal (leading 0) or hex (0x); the last part fills
 * the remaining bytes. `127.1`, `2130706433`, `0x7f000001`, `0177.0.0.1` all mean 127.0.0.1.
 */
export function parseIpv4(text: string): number[] | null {
  if (!/^[0-9a-fA-FxX.]+$/.test(text)) return null;
  const parts = text.split('.');
  if (parts.length > 4 || parts.some((p) => p === '')) return null;
  const values: number[] = [];
  for (const part of parts) {
    let value: number;
    if (/^0[xX][0-9a-fA-F]*$/.test(part)) value = part.length === 2 ? 0 : parseInt(part.slice(2), 16);
    else if (/^0[0-7]*$/.test(part)) value = part.length === 1 ? 0 : parseInt(part.slice(1), 8);
    else if (/^[1-9][0-9]*$/.test(part)) value = Number(part);
    else return null;
    if (!Number.isSafeInteger(value)) return null;
    values.push(value);
  }
  const last = values.pop()!;
  if (values.some((v) => v > 255) || last >= 2 ** (8 * (4 - values.length))) return null;
  const bytes = [...values];
  for (let i = 4 - values.length - 1; i >= 0; i -= 1) bytes.push(Math.floor(last / 2 ** (8 * i)) % 256);
  return bytes;
}

/** The 16 bytes of an IPv6 address (with `::`, an IPv4 tail, brackets or a zone id), or null. */
export function ipv6Bytes(text: string): number[] | null {
  const bare = text.replace(/^\[(.*)\]$/, '$1').replace(/%.*$/, '');
  if (!net.isIPv6(bare)) return null;
  let head = bare;
  const tail: number[] = [];
  const v4 = /^(.*:)(\d+\.\d+\.\d+\.\d+)$/.exec(bare);
  if (v4) {
    head = v4[1].endsWith('::') ? v4[1] : v4[1].slice(0, -1);
    const quad = v4[2].split('.').map(Number);
    tail.push((quad[0] << 8) | quad[1], (quad[2] << 8) | quad[3]);
  }
  const [left, right] = head.includes('::') ? head.split('::') : [head, undefined];
  const words = (s: string | undefined) => (s ? s.split(':').map((w) => parseInt(w, 16)) : []);
  const leftWords = words(left);
  const rightWords = [...words(right), ...tail];
  const fill = 8 - leftWords.length - rightWords.length;
  const all = right === undefined && !head.includes('::') ? [...leftWords, ...tail] : [...leftWords, ...new Array(fill).fill(0), ...rightWords];
  if (all.length !== 8) return null;
  return all.flatMap((w) => [w >> 8, w & 0xff]);
}

function classifyV4(bytes: number[]): AddressCategory {
  if (METADATA_V4.has(bytes.join('.'))) return 'metadata';
  for (const [network, prefix, category] of V4_RANGES) if (inRange(bytes, network, prefix)) return category;
  return 'public';
}

const METADATA_V6_BYTES = METADATA_V6.map(hex6);
const NAT64 = hex6('64:ff9b::');

function classifyV6(bytes: number[]): AddressCategory {
  if (METADATA_V6_BYTES.some((m) => m.every((b, i) => b === bytes[i]))) return 'metadata';
  const zeros = (from: number, to: number) => bytes.slice(from, to).every((b) => b === 0);
  if (zeros(0, 16)) return 'unspecified';
  if (zeros(0, 15) && bytes[15] === 1) return 'loopback';
  // ::ffff:a.b.c.d (mapped) and 64:ff9b::a.b.c.d (NAT64) reach that IPv4 address.
  if (zeros(0, 10) && bytes[10] === 0xff && bytes[11] === 0xff) return classifyV4(bytes.slice(12));
  if (inRange(bytes, NAT64, 96)) return classifyV4(bytes.slice(12));
  // ::a.b.c.d (IPv4-compatible, deprecated): judged by the IPv4 inside, and never routed anyway.
  if (zeros(0, 12)) {
    const inner = classifyV4(bytes.slice(12));
    return inner === 'public' ? 'reserved' : inner;
  }
  // 2002:AABB:CCDD::/48 (6to4) is routed to the IPv4 address AA.BB.CC.DD.
  if (bytes[0] === 0x20 && bytes[1] === 0x02) {
    const inner = classifyV4(bytes.slice(2, 6));
    if (inner !== 'public') return inner;
  }
  for (const [network, prefix, category] of V6_RANGES) if (inRange(bytes, network, prefix)) return category;
  // Global unicast is 2000::/3; the rest of the space is not assigned.
  return (bytes[0] & 0xe0) === 0x20 ? 'public' : 'reserved';
}

/** The address a literal host means (any IPv4 spelling, bracketed or zoned IPv6), or null for a name. */
export function parseIpLiteral(host: string): { address: string; family: 4 | 6 } | null {
  const v4 = parseIpv4(host);
  if (v4) return { address: v4.join('.'), family: 4 };
  const v6 = ipv6Bytes(host);
  if (v6) return { address: host.replace(/^\[(.*)\]$/, '$1'), family: 6 };
  return null;
}

/** The category of an IP address (IPv4 in any inet_aton spelling, or IPv6). Throws for a host name. */
export function classifyAddress(address: string): AddressCategory {
  const v4 = parseIpv4(address);
  if (v4) return classifyV4(v4);
  const v6 = ipv6Bytes(address);
  if (v6) return classifyV6(v6);
  throw new TypeError(`${address} is not an IP address`);
}

/** Whether an address of this category may be connected to under the policy. */
export function isAllowedCategory(category: AddressCategory, policy: OutboundPolicy): boolean {
  return category === 'public' || (policy.allowPrivateTargets && INTERNAL.has(category));
}

function normalizeName(host: string): string {
  return host.trim().toLowerCase().replace(/\.$/, '');
}

function refusal(host: string, address: string | null, category: AddressCategory, field?: string): OutboundAddressRefused {
  const literal = address !== null && address === host.replace(/^\[(.*)\]$/, '$1');
  const what =
    address === null
      ? `${host} is ${DESCRIPTION[category].replace(' address', ' name')}`
      : literal
        ? `${host} is ${DESCRIPTION[category]}`
        : `the address of ${host} (${address}) is ${DESCRIPTION[category]}`;
  const why = INTERNAL.has(category) ? `outbound connections there are not allowed (${ALLOW_PRIVATE_SETTING})` : 'outbound connections there are never made';
  return new OutboundAddressRefused(host, address, category, `${what}; ${why}`, field);
}

/**
 * The check that needs no DNS (for saving settings): a literal IP address or a metadata service name
 * the policy refuses. Returns the refusal (not thrown), or null when the host may be saved; the
 * addresses a name resolves to are checked again at every connection by resolveOutboundTarget.
 */
export function refuseLiteralHost(host: string, policy: OutboundPolicy, field?: string): OutboundAddressRefused | null {
  const name = normalizeName(host);
  if (METADATA_NAMES.has(name)) return refusal(host, null, 'metadata', field);
  const literal = parseIpLiteral(name);
  if (!literal) return null;
  const category = literal.family === 4 ? classifyV4(parseIpv4(literal.address)!) : classifyV6(ipv6Bytes(literal.address)!);
  return isAllowedCategory(category, policy) ? null : refusal(host, literal.address, category, field);
}

export type Lookup = (host: string) => Promise<Array<{ address: string; family: number }>>;

const systemLookup: Lookup = (host) => dns.lookup(host, { all: true, verbatim: true });

/**
 * Resolves `host` (every address) and returns the address to connect to, or throws
 * OutboundAddressRefused when any of its addresses is refused by the policy (a name that also points
 * at an internal address is refused as a whole), OutboundLookupFailed when it cannot be resolved.
 * Connect to `address` and present `servername` for TLS; never resolve `host` again.
 */
export async function resolveOutboundTarget(
  host: string,
  policy: OutboundPolicy,
  opts: { lookup?: Lookup; field?: string } = {},
): Promise<OutboundTarget> {
  const literalRefusal = refuseLiteralHost(host, policy, opts.field);
  if (literalRefusal) throw literalRefusal;
  const name = normalizeName(host);
  const literal = parseIpLiteral(name);
  if (literal) return { host, address: literal.address, family: literal.family };

  let found: Array<{ address: string; family: number }>;
  try {
    found = await (opts.lookup ?? systemLookup)(name);
  } catch (err) {
    throw new OutboundLookupFailed(host, String((err as { code?: string }).code ?? 'lookup failed'));
  }
  if (found.length === 0) throw new OutboundLookupFailed(host, 'no addresses');
  for (const { address } of found) {
    const category = classifyAddress(address);
    if (!isAllowedCategory(category, policy)) throw refusal(host, address, category, opts.field);
  }
  const first = found[0];
  return { host, address: first.address, family: first.family === 6 ? 6 : 4, servername: name };
}
