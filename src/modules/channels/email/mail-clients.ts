import { ImapFlow } from 'imapflow';
import nodemailer, { type Transporter } from 'nodemailer';
import type SMTPTransport from 'nodemailer/lib/smtp-transport';
import type { OutboundTarget } from '../../../common/outbound-address';

export interface ImapSettings {
  host: string;
  port: number;
  /** true: TLS from the first byte; false: plain IMAP (no STARTTLS). */
  secure: boolean;
  user: string;
  password: string;
}

export interface SmtpSettings {
  host: string;
  port: number;
  /** true: TLS from the first byte; false: plain SMTP (no STARTTLS). */
  secure: boolean;
  user: string | null;
  password: string | null;
}

/*
 * Both clients connect to `target.address`, the address resolveOutboundTarget checked for `s.host`
 * (src/common/outbound-address.ts), never to the host name: a second DNS lookup could answer with
 * another address (rebinding). The host name stays the TLS server name (SNI and certificate check).
 */

/** An IMAP client for a mailbox: no logging (credentials never reach a log), no automatic IDLE (the session runs it). */
export function imapClient(s: ImapSettings, timeoutMs: number, target: OutboundTarget): ImapFlow {
  return new ImapFlow({
    host: target.address,
    port: s.port,
    secure: s.secure,
    doSTARTTLS: s.secure ? undefined : false,
    servername: target.servername,
    auth: { user: s.user, pass: s.password },
    logger: false,
    disableAutoIdle: true,
    // Servers end an IDLE after 30 minutes at the latest; restart it well before.
    maxIdleTime: 5 * 60 * 1000,
    connectionTimeout: timeoutMs,
    greetingTimeout: timeoutMs,
    socketTimeout: 10 * 60 * 1000,
  });
}

/** A one-shot SMTP transport (no pool): replies are few, and settings may change between them. */
export function smtpTransport(s: SmtpSettings, timeoutMs: number, target: OutboundTarget): Transporter<SMTPTransport.SentMessageInfo> {
  return nodemailer.createTransport({
    host: target.address,
    port: s.port,
    secure: s.secure,
    ignoreTLS: !s.secure,
    ...(s.user ? { auth: { user: s.user, pass: s.password ?? '' } } : {}),
    connectionTimeout: timeoutMs,
    greetingTimeout: timeoutMs,
    socketTimeout: Math.max(timeoutMs, 60_000),
    ...(target.servername ? { tls: { servername: target.servername } } : {}),
    logger: false,
    debug: false,
  });
}
