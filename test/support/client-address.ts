/**
 * Requests "from" another client: the test stack runs with TRUST_PROXY=loopback, so an
 * X-Forwarded-For header sent from 127.0.0.1 becomes the client address (as behind a proxy).
 * Random addresses keep tests apart from each other and from earlier runs on the same database.
 */
import { randomBytes } from 'node:crypto';

/** A fresh client in its own IPv6 /64 of the documentation range (2001:db8::/32). */
export function randomClient(): string {
  // canonical form (no leading zeros, RFC 5952), as the server writes it back
  const [a, b] = [randomBytes(2).readUInt16BE(0).toString(16), randomBytes(2).readUInt16BE(0).toString(16)];
  return `2001:db8:${a}:${b}::1`;
}

/** JSON over HTTP with `X-Forwarded-For: <from>`. */
export async function httpFrom<T = unknown>(
  stack: { baseUrl: string },
  from: string,
  method: string,
  path: string,
  body?: unknown,
  token?: string,
): Promise<{ status: number; body: T }> {
  const headers: Record<string, string> = { 'x-forwarded-for': from };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (token) headers.authorization = `Bearer ${token}`;
  const res = await fetch(stack.baseUrl + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : undefined) as T };
}
