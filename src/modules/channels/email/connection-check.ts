/**
 * The email channel's connection test and the plain-words descriptions of IMAP/SMTP failures (also
 * recorded as the mailbox session's lastError). Every host is vetted first by the outbound-address
 * guard (src/common/outbound-address.ts): resolved, refused when it is an internal or reserved address
 * (unless OUTBOUND_ALLOW_PRIVATE_TARGETS), and then connected to by the checked address only.
 *
 * Messages are our own words: what the peer sent (banners, response texts) is never quoted, so the
 * test cannot be used to read other services' greetings; at most a status code or an error code.
 */
import * as net from 'node:net';
import * as tls from 'node:tls';
import { DomainError } from '../../../common/domain-error';
import {
  OutboundAddressRefused,
  OutboundLookupFailed,
  resolveOutboundTarget,
  type OutboundPolicy,
  type OutboundTarget,
} from '../../../common/outbound-address';
import { imapClient, smtpTransport, type ImapSettings, type SmtpSettings } from './mail-clients';

export type CheckStep = 'dns' | 'tcp' | 'tls' | 'greeting' | 'auth' | 'mailbox';

export interface CheckResult {
  ok: boolean;
  /** The step that failed (absent when ok). */
  step?: CheckStep;
  /** What failed, in plain words (or what was checked, when ok). */
  message: string;
}

class StepFailure extends Error {
  constructor(
    readonly step: CheckStep,
    message: string,
  ) {
    super(message);
  }
}

/** An error code fit to repeat (ECONNRESET, CERT_HAS_EXPIRED, ...); anything else may be the peer's text. */
const code = (err: unknown): string => {
  const value = (err as { code?: unknown } | null)?.code;
  return typeof value === 'string' && /^[A-Za-z0-9_]{1,40}$/.test(value) ? value : '';
};
const inParens = (text: string) => (text ? ` (${text})` : '');

/**
 * The DNS step: resolves the host and vets its addresses (outbound-address guard); the address
 * returned is the one to connect to. Also what the mailbox session and the SMTP sender call.
 */
export async function vetMailHost(host: string, policy: OutboundPolicy): Promise<OutboundTarget> {
  try {
    return await resolveOutboundTarget(host, policy);
  } catch (err) {
    if (err instanceof OutboundAddressRefused || err instanceof OutboundLookupFailed) throw new StepFailure('dns', err.message);
    throw err;
  }
}

function tcp(host: string, address: string, port: number, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: address, port });
    const fail = (message: string) => {
      socket.destroy();
      reject(new StepFailure('tcp', message));
    };
    socket.setTimeout(timeoutMs, () => fail(`no answer from ${host}:${port} within ${timeoutMs / 1000} s (a firewall, or the wrong host or port)`));
    socket.once('connect', () => {
      socket.destroy();
      resolve();
    });
    socket.once('error', (err) =>
      fail(
        code(err) === 'ECONNREFUSED'
          ? `nothing accepts connections on ${host}:${port} (connection refused): check the host and port`
          : `could not connect to ${host}:${port}${inParens(code(err))}`,
      ),
    );
  });
}

function tlsHandshake(target: OutboundTarget, port: number, timeoutMs: number): Promise<void> {
  const host = target.host;
  return new Promise((resolve, reject) => {
    const socket = tls.connect({ host: target.address, port, ...(target.servername ? { servername: target.servername } : {}) });
    const fail = (message: string) => {
      socket.destroy();
      reject(new StepFailure('tls', message));
    };
    socket.setTimeout(timeoutMs, () => fail(`the TLS handshake with ${host}:${port} did not finish within ${timeoutMs / 1000} s (is TLS on for this port?)`));
    socket.once('secureConnect', () => {
      socket.destroy();
      resolve();
    });
    socket.once('error', (err) =>
      fail(
        // Only the code: the message can carry the certificate's names (the peer's words).
        /certificate|self[- ]signed|CERT_|unable to verify/i.test(`${code(err)} ${err.message}`)
          ? `the server's TLS certificate was not accepted${inParens(code(err))}`
          : `the TLS handshake with ${host}:${port} failed${inParens(code(err))}; is TLS really on for this port?`,
      ),
    );
  });
}

/** An IMAP error in plain words, with the step it belongs to (also used for the mailbox session's lastError). */
export function describeImapError(err: unknown, s: Pick<ImapSettings, 'host' | 'port' | 'user'>): { step: CheckStep; message: string } {
  if (err instanceof StepFailure) return { step: err.step, message: err.message };
  if (err instanceof OutboundAddressRefused || err instanceof OutboundLookupFailed) return { step: 'dns', message: err.message };
  // Ours (e.g. the database is unavailable while storing a mail): already in our words.
  if (err instanceof DomainError) return { step: 'greeting', message: err.message };
  const e = err as { authenticationFailed?: boolean; tlsFailed?: boolean };
  const c = code(err);
  const at = `${s.host}:${s.port}`;
  if (e.authenticationFailed || c === 'AUTHENTICATIONFAILED') return { step: 'auth', message: `the server refused the login for user ${s.user}` };
  if (e.tlsFailed) return { step: 'tls', message: `TLS with ${at} failed${inParens(c)}` };
  if (c === 'ENOTFOUND' || c === 'EAI_AGAIN') return { step: 'dns', message: `the host name ${s.host} could not be resolved (${c})` };
  if (c === 'ECONNREFUSED') return { step: 'tcp', message: `nothing accepts connections on ${at} (connection refused)` };
  if (c === 'CONNECT_TIMEOUT' || c === 'ETIMEDOUT') return { step: 'tcp', message: `no answer from ${at} (${c})` };
  if (c === 'GREETING_TIMEOUT') return { step: 'greeting', message: `${at} accepted the connection but sent no IMAP greeting (is this an IMAP port? is TLS on/off right?)` };
  if (/^ClosedAfterConnect/.test(c) || c === 'ECONNRESET' || c === 'EPIPE') {
    return { step: 'greeting', message: `${at} closed the connection before an IMAP login (is this an IMAP port? is TLS on/off right?)` };
  }
  return { step: 'greeting', message: `the IMAP conversation with ${at} failed${inParens(c)}` };
}

/** DNS (and the address guard), TCP, TLS (when on), login and the folder, one after the other; the first failure is reported. */
export async function checkImap(s: ImapSettings, folder: string, timeoutMs: number, policy: OutboundPolicy): Promise<CheckResult> {
  try {
    const target = await vetMailHost(s.host, policy);
    await tcp(s.host, target.address, s.port, timeoutMs);
    if (s.secure) await tlsHandshake(target, s.port, timeoutMs);
    const client = imapClient(s, timeoutMs, target);
    client.on('error', () => undefined);
    try {
      await client.connect();
      try {
        await client.mailboxOpen(folder, { readOnly: true });
      } catch (err) {
        const status = code({ code: (err as { serverResponseCode?: unknown }).serverResponseCode });
        throw new StepFailure('mailbox', `logged in, but the folder "${folder}" cannot be opened${inParens(status)}: check the folder name`);
      }
      await client.logout().catch(() => undefined);
    } finally {
      client.close();
    }
    return { ok: true, message: `logged in as ${s.user} on ${s.host}:${s.port} and opened "${folder}"` };
  } catch (err) {
    return { ok: false, ...describeImapError(err, s) };
  }
}

/** An SMTP error in plain words, with its step. */
export function describeSmtpError(err: unknown, s: Pick<SmtpSettings, 'host' | 'port' | 'user'>): { step: CheckStep; message: string } {
  if (err instanceof StepFailure) return { step: err.step, message: err.message };
  if (err instanceof OutboundAddressRefused || err instanceof OutboundLookupFailed) return { step: 'dns', message: err.message };
  // nodemailer puts the server's lines into message and response: only its code and the status code are repeated.
  const e = err as { message?: string; responseCode?: number };
  const c = code(err);
  const at = `${s.host}:${s.port}`;
  const status = typeof e.responseCode === 'number' ? ` (SMTP ${e.responseCode})` : '';
  if (c === 'EAUTH') return { step: 'auth', message: `the server refused the login for user ${s.user}${status}` };
  if (c === 'EDNS') return { step: 'dns', message: `the host name ${s.host} could not be resolved` };
  if (c === 'ETLS') return { step: 'tls', message: `TLS with ${at} failed` };
  if (c === 'ECONNECTION' && /ECONNREFUSED/.test(e.message ?? '')) return { step: 'tcp', message: `nothing accepts connections on ${at} (connection refused)` };
  if (c === 'ETIMEDOUT') return { step: 'greeting', message: `${at} did not answer like an SMTP server in time (is TLS on/off right?)` };
  if (c === 'EPROTOCOL') return { step: 'greeting', message: `${at} did not answer like an SMTP server${status} (is this an SMTP port? is TLS on/off right?)` };
  return { step: 'greeting', message: `the SMTP conversation with ${at} failed${status || inParens(c)}` };
}

/** DNS (and the address guard), TCP, TLS (when on), then the SMTP greeting and login. */
export async function checkSmtp(s: SmtpSettings, timeoutMs: number, policy: OutboundPolicy): Promise<CheckResult> {
  try {
    const target = await vetMailHost(s.host, policy);
    await tcp(s.host, target.address, s.port, timeoutMs);
    if (s.secure) await tlsHandshake(target, s.port, timeoutMs);
    const transport = smtpTransport(s, timeoutMs, target);
    try {
      await transport.verify();
    } finally {
      transport.close();
    }
    return { ok: true, message: s.user ? `logged in as ${s.user} on ${s.host}:${s.port}` : `${s.host}:${s.port} answers as an SMTP server (no login configured)` };
  } catch (err) {
    return { ok: false, ...describeSmtpError(err, s) };
  }
}
