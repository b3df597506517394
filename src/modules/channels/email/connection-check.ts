import { promises as dns } from 'node:dns';
import * as net from 'node:net';
import * as tls from 'node:tls';
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

const code = (err: unknown): string => String((err as { code?: string }).code ?? '');

async function lookup(host: string): Promise<string> {
  try {
    return (await dns.lookup(host)).address;
  } catch (err) {
    throw new StepFailure('dns', `the host name ${host} could not be resolved (${code(err) || (err as Error).message})`);
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
          : `could not connect to ${host}:${port} (${code(err) || err.message})`,
      ),
    );
  });
}

function tlsHandshake(host: string, address: string, port: number, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = tls.connect({ host: address, port, servername: net.isIP(host) ? undefined : host });
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
        /certificate|self[- ]signed|CERT_|unable to verify/i.test(`${code(err)} ${err.message}`)
          ? `the server's TLS certificate was not accepted (${code(err) || err.message})`
          : `the TLS handshake with ${host}:${port} failed (${code(err) || err.message}); is TLS really on for this port?`,
      ),
    );
  });
}

/** An IMAP error in plain words, with the step it belongs to (also used for the mailbox session's lastError). */
export function describeImapError(err: unknown, s: Pick<ImapSettings, 'host' | 'port' | 'user'>): { step: CheckStep; message: string } {
  if (err instanceof StepFailure) return { step: err.step, message: err.message };
  const e = err as { code?: string; message?: string; authenticationFailed?: boolean; tlsFailed?: boolean; responseText?: string };
  if (e.authenticationFailed || e.code === 'AUTHENTICATIONFAILED') {
    return { step: 'auth', message: `the server refused the login for user ${s.user}${e.responseText ? ` (${e.responseText})` : ''}` };
  }
  if (e.tlsFailed) return { step: 'tls', message: `TLS with ${s.host}:${s.port} failed (${e.message})` };
  if (e.code === 'ENOTFOUND' || e.code === 'EAI_AGAIN') return { step: 'dns', message: `the host name ${s.host} could not be resolved (${e.code})` };
  if (e.code === 'ECONNREFUSED') return { step: 'tcp', message: `nothing accepts connections on ${s.host}:${s.port} (connection refused)` };
  if (e.code === 'CONNECT_TIMEOUT' || e.code === 'ETIMEDOUT') return { step: 'tcp', message: `no answer from ${s.host}:${s.port} (${e.code})` };
  if (e.code === 'GREETING_TIMEOUT') return { step: 'greeting', message: `${s.host}:${s.port} accepted the connection but sent no IMAP greeting (is this an IMAP port? is TLS on/off right?)` };
  return { step: 'greeting', message: `the IMAP conversation with ${s.host}:${s.port} failed: ${e.responseText ?? e.message ?? String(err)}` };
}

/** DNS, TCP, TLS (when on), login and the folder, one after the other; the first failure is reported. */
export async function checkImap(s: ImapSettings, folder: string, timeoutMs: number): Promise<CheckResult> {
  try {
    const address = await lookup(s.host);
    await tcp(s.host, address, s.port, timeoutMs);
    if (s.secure) await tlsHandshake(s.host, address, s.port, timeoutMs);
    const client = imapClient(s, timeoutMs);
    client.on('error', () => undefined);
    try {
      await client.connect();
      try {
        await client.mailboxOpen(folder, { readOnly: true });
      } catch (err) {
        throw new StepFailure('mailbox', `logged in, but the folder "${folder}" cannot be opened (${(err as { responseText?: string }).responseText ?? (err as Error).message})`);
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
  const e = err as { code?: string; message?: string; response?: string; responseCode?: number };
  if (e.code === 'EAUTH') return { step: 'auth', message: `the server refused the login for user ${s.user}${e.response ? ` (${e.response})` : ''}` };
  if (e.code === 'EDNS') return { step: 'dns', message: `the host name ${s.host} could not be resolved` };
  if (e.code === 'ETLS') return { step: 'tls', message: `TLS with ${s.host}:${s.port} failed (${e.message})` };
  if (e.code === 'ECONNECTION' && /ECONNREFUSED/.test(e.message ?? '')) return { step: 'tcp', message: `nothing accepts connections on ${s.host}:${s.port} (connection refused)` };
  if (e.code === 'ETIMEDOUT') return { step: 'greeting', message: `${s.host}:${s.port} did not answer like an SMTP server in time (is TLS on/off right?)` };
  return { step: 'greeting', message: `the SMTP conversation with ${s.host}:${s.port} failed: ${e.response ?? e.message ?? String(err)}` };
}

export async function checkSmtp(s: SmtpSettings, timeoutMs: number): Promise<CheckResult> {
  try {
    const address = await lookup(s.host);
    await tcp(s.host, address, s.port, timeoutMs);
    if (s.secure) await tlsHandshake(s.host, address, s.port, timeoutMs);
    const transport = smtpTransport(s, timeoutMs);
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
