/**
 * HTTP(S) requests to URLs that tenants choose, through the outbound-address guard
 * (outbound-address.ts): the host is resolved and vetted, and the socket connects to the address that
 * was checked (the lookup is pinned to it; TLS still checks the host name), so a DNS answer that
 * changes in between cannot move the request elsewhere. Redirects are never followed.
 */
import * as http from 'node:http';
import * as https from 'node:https';
import type { LookupFunction } from 'node:net';
import { type OutboundPolicy, type OutboundTarget, resolveOutboundTarget } from './outbound-address';

/** A socket lookup that answers the checked address whatever name is asked. */
export function pinnedLookup(target: Pick<OutboundTarget, 'address' | 'family'>): LookupFunction {
  return (_host, opts, cb) => {
    if ((opts as { all?: boolean }).all) (cb as unknown as (e: null, a: { address: string; family: number }[]) => void)(null, [{ address: target.address, family: target.family }]);
    else cb(null, target.address, target.family);
  };
}

export interface HeadResult {
  status: number;
  headers: http.IncomingHttpHeaders;
}

/**
 * A HEAD request to `url` (http or https) through the guard, within `timeoutMs`. Throws the guard's
 * refusal (OutboundAddressRefused / OutboundLookupFailed) or an Error in our own words ("timed out",
 * "connection failed: ECONNREFUSED"); nothing of the peer is quoted.
 */
export async function headOutbound(url: URL, policy: OutboundPolicy, opts: { timeoutMs: number; field?: string }): Promise<HeadResult> {
  const target = await resolveOutboundTarget(url.hostname.replace(/^\[|\]$/g, ''), policy, { field: opts.field });
  const isHttps = url.protocol === 'https:';
  return new Promise<HeadResult>((resolve, reject) => {
    const req = (isHttps ? https : http).request(url, { method: 'HEAD', lookup: pinnedLookup(target), headers: { 'user-agent': 'cx-platform/1' }, agent: false });
    const timer = setTimeout(() => {
      req.destroy();
      reject(new Error(`no answer within ${opts.timeoutMs} ms`));
    }, opts.timeoutMs);
    req.on('error', (err: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      reject(new Error(`connection failed (${err.code ?? 'error'})`));
    });
    req.on('response', (res) => {
      clearTimeout(timer);
      res.resume();
      resolve({ status: res.statusCode ?? 0, headers: res.headers });
    });
    req.end();
  });
}

export interface OutboundAnswer {
  status: number;
  headers: http.IncomingHttpHeaders;
  /** The body's first `maxBytes` bytes. */
  body: string;
  /** The body was longer than maxBytes. */
  truncated: boolean;
  durationMs: number;
}

/**
 * A GET (or another method with `body`) to `url` through the guard, the whole exchange within
 * `timeoutMs`, reading at most `maxBytes` of the answer. Throws the guard's refusal or an Error in
 * our own words ("no answer within 500 ms", "connection failed (ECONNREFUSED)").
 */
export async function requestOutbound(
  url: URL,
  policy: OutboundPolicy,
  opts: { timeoutMs: number; maxBytes: number; method?: string; headers?: Record<string, string>; body?: string; field?: string },
): Promise<OutboundAnswer> {
  const started = Date.now();
  const target = await resolveOutboundTarget(url.hostname.replace(/^\[|\]$/g, ''), policy, { field: opts.field });
  const isHttps = url.protocol === 'https:';
  return new Promise<OutboundAnswer>((resolve, reject) => {
    let settled = false;
    const settle = (fn: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      fn();
    };
    const req = (isHttps ? https : http).request(url, {
      method: opts.method ?? 'GET',
      lookup: pinnedLookup(target),
      headers: { 'user-agent': 'cx-platform/1', accept: 'application/json', ...opts.headers },
      agent: false,
    });
    const timer = setTimeout(() => {
      settle(() => reject(new Error(`no answer within ${opts.timeoutMs} ms`)));
      req.destroy();
    }, opts.timeoutMs);
    req.on('error', (err: NodeJS.ErrnoException) => settle(() => reject(new Error(`connection failed (${err.code ?? 'error'})`))));
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      const complete = (truncated: boolean) =>
        settle(() =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks).subarray(0, opts.maxBytes).toString('utf8'),
            truncated,
            durationMs: Date.now() - started,
          }),
        );
      res.on('data', (chunk: Buffer) => {
        chunks.push(chunk);
        size += chunk.length;
        if (size > opts.maxBytes) {
          complete(true);
          res.destroy();
        }
      });
      res.on('end', () => complete(false));
      res.on('error', () => settle(() => reject(new Error('the answer broke off'))));
    });
    req.end(opts.body);
  });
}
