import { isIPv4, isIPv6 } from 'node:net';

/**
 * The client a login or sign-up limit counts against, from the request's address (req.ip, which
 * follows X-Forwarded-For only behind the proxies TRUST_PROXY names). IPv4-mapped IPv6 addresses
 * count as their IPv4 address; other IPv6 addresses count per /64, the smallest network one
 * subscriber gets: otherwise one attacker could rotate through 2^64 addresses for free.
 */
export function clientKey(address: string | undefined): string {
  const raw = (address ?? '').trim().replace(/%.*$/, '').toLowerCase();
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/.exec(raw);
  if (mapped && isIPv4(mapped[1])) return mapped[1];
  if (isIPv4(raw)) return raw;
  if (isIPv6(raw)) {
    const groups = expandIPv6(raw);
    if (groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff) {
      return [groups[6] >> 8, groups[6] & 0xff, groups[7] >> 8, groups[7] & 0xff].join('.');
    }
    return `${groups
      .slice(0, 4)
      .map((g) => g.toString(16))
      .join(':')}::/64`;
  }
  return raw || 'unknown';
}

/** The eight 16-bit groups of a valid IPv6 address (with `::` and an embedded IPv4 tail expanded). */
function expandIPv6(address: string): number[] {
  let text = address;
  const v4 = /(\d{1,3}(?:\.\d{1,3}){3})$/.exec(text);
  if (v4) {
    const [a, b, c, d] = v4[1].split('.').map(Number);
    text = text.slice(0, v4.index) + `${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head, tail] = text.split('::');
  const parse = (part: string | undefined) => (part ? part.split(':').map((g) => parseInt(g, 16)) : []);
  const left = parse(head);
  const right = parse(tail);
  const zeros = tail === undefined ? [] : new Array<number>(8 - left.length - right.length).fill(0);
  return [...left, ...zeros, ...right];
}
