import type { AddressInfo } from 'node:net';
import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { SMTPServer, type SMTPServerAddress, type SMTPServerDataStream, type SMTPServerSession } from 'smtp-server';
import { APP_CONFIG, type ServiceConfig } from '../../../../config/config';
import type { RefusalReason } from '../forwarding/email-forwarding.entity';
import { SmtpIngressState } from '../forwarding/smtp-ingress-state';
import { formatBytes } from '../use-cases/store-inbound-email.use-case';
import { FindForwardingRecipientUseCase } from '../use-cases/find-forwarding-recipient.use-case';
import { ForwardedEmailNotStored, ReceiveForwardedEmailUseCase } from '../use-cases/receive-forwarded-email.use-case';
import { RecordIngressRefusalUseCase } from '../use-cases/record-ingress-refusal.use-case';

/** Recipients one mail may name (RCPT TO beyond this: 452, the sender sends the rest in another transaction). */
export const MAX_RECIPIENTS_PER_MAIL = 50;

type SmtpError = Error & { responseCode: number };
const smtpError = (code: number, text: string): SmtpError => Object.assign(new Error(text), { responseCode: code });

/** Accepted recipients of the session's current mail, with their inboxes (smtp-server resets the envelope after each mail). */
interface Accepted {
  inboxId: string;
  address: string;
}

/**
 * The product's own SMTP ingress (smtp-server), in the API process: mail to an email inbox's forwarding
 * address `<random>@<INBOUND_EMAIL_DOMAIN>` lands in that inbox through the email channel's one
 * inbound path. No relay, no AUTH, no STARTTLS (put a TLS-terminating MTA or proxy in front if needed).
 *
 *  - RCPT TO: only current forwarding addresses are taken; another domain: 550 relaying denied; an
 *    address that never existed: 550 no such address (logged only: no inbox to list it with); a
 *    replaced address: 550 naming the replacement, listed with its inbox's refusals.
 *  - Size: SMTP_INGRESS_MAX_BYTES. EHLO advertises SIZE without a number, so a too large mail is refused
 *    after its recipient is known (a declared SIZE= at RCPT TO, else at the end of DATA: 552) and is
 *    listed with the inbox it was meant for. At most that many bytes are held in memory per mail.
 *  - Storing fails (database or Temporal down): 451, the sending server retries; Message-ID dedupe (or
 *    the mail's SHA-256 without one) keeps a retried mail from being stored twice.
 *
 * All state is in PostgreSQL: several API replicas may each run an ingress behind one MX.
 */
@Injectable()
export class SmtpIngressServer implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('SmtpIngress');
  private server?: SMTPServer;
  private readonly accepted = new Map<string, Accepted[]>();

  constructor(
    @Inject(APP_CONFIG) private readonly config: ServiceConfig,
    private readonly state: SmtpIngressState,
    private readonly findRecipient: FindForwardingRecipientUseCase,
    private readonly recordRefusal: RecordIngressRefusalUseCase,
    private readonly receive: ReceiveForwardedEmailUseCase,
  ) {}

  /** The bound port (null: off). */
  get port(): number | null {
    return this.state.port;
  }

  async onApplicationBootstrap(): Promise<void> {
    const { host, port, maxBytes } = this.config.smtpIngress;
    if (port === null) return;
    const server = new SMTPServer({
      name: this.config.email.inboundDomain,
      banner: 'forwarding ingress',
      secure: false,
      disabledCommands: ['AUTH', 'STARTTLS'],
      authOptional: true,
      size: maxBytes,
      hideSize: true,
      disableReverseLookup: true,
      maxClients: 500,
      closeTimeout: 5000,
      logger: false,
      onRcptTo: (address, session, callback) => {
        this.onRcptTo(address, session).then(
          () => callback(),
          (err: Error) => callback(this.answerable(err, `looking up ${address.address}`)),
        );
      },
      onData: (stream, session, callback) => {
        this.onData(stream, session).then(
          (text) => callback(null, text),
          (err: Error) => callback(err),
        );
      },
      onClose: (session) => {
        this.accepted.delete(session.id);
      },
    });
    // Connection-level problems (a client resetting, garbage on the wire) are the client's: never the process's.
    server.on('error', (err) => this.logger.warn(`SMTP ingress: ${err.message}`));
    await new Promise<void>((resolve, reject) => {
      const onError = (err: Error) => reject(new Error(`SMTP ingress could not listen on ${host}:${port} (SMTP_INGRESS_HOST/SMTP_INGRESS_PORT): ${err.message}`));
      server.server.once('error', onError);
      server.listen(port, host, () => {
        server.server.off('error', onError);
        resolve();
      });
    });
    this.server = server;
    this.state.port = (server.server.address() as AddressInfo).port;
    this.logger.log(`SMTP ingress listening on ${host}:${this.state.port} for *@${this.config.email.inboundDomain}`);
  }

  async onApplicationShutdown(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    this.state.port = null;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private async onRcptTo(address: SMTPServerAddress, session: SMTPServerSession): Promise<void> {
    const recipient = await this.findRecipient.execute({ address: address.address });
    const mailFrom = session.envelope.mailFrom ? session.envelope.mailFrom.address || null : null;
    const remoteAddress = session.remoteAddress || null;
    if (recipient.kind === 'other-domain') {
      throw smtpError(550, `<${recipient.address}>: relaying denied; this server takes mail only for forwarding addresses @${this.config.email.inboundDomain}`);
    }
    if (recipient.kind === 'unknown') {
      this.logger.warn(`refused mail for unknown forwarding address ${recipient.address} from ${mailFrom ?? '<>'} (${remoteAddress})`);
      throw smtpError(550, `<${recipient.address}>: no such forwarding address; copy the address from the inbox's email channel settings`);
    }
    if (recipient.kind === 'retired') {
      const text = `<${recipient.address}>: this forwarding address was replaced on ${recipient.retiredAt.toISOString().slice(0, 10)}; use the inbox's new forwarding address`;
      await this.refuse(recipient.inboxId, recipient.address, 'unknown_recipient', 550, text, session);
      throw smtpError(550, text);
    }
    const list = this.accepted.get(session.id) ?? [];
    // smtp-server starts a new envelope per mail: drop recipients of a previous mail in this session.
    const current = list.filter((a) => session.envelope.rcptTo.some((r) => r.address.toLowerCase() === a.address));
    if (session.envelope.rcptTo.length >= MAX_RECIPIENTS_PER_MAIL) {
      const text = `Too many recipients: at most ${MAX_RECIPIENTS_PER_MAIL} per mail; send the rest in another one`;
      await this.refuse(recipient.inboxId, recipient.address, 'too_many_recipients', 452, text, session);
      throw smtpError(452, text);
    }
    const sizeArg = session.envelope.mailFrom && session.envelope.mailFrom.args ? session.envelope.mailFrom.args.SIZE : undefined;
    if (typeof sizeArg === 'string' && /^\d{1,20}$/.test(sizeArg) && Number(sizeArg) > this.config.smtpIngress.maxBytes) {
      const text = this.tooLargeText(Number(sizeArg));
      await this.refuse(recipient.inboxId, recipient.address, 'too_large', 552, text, session, Number(sizeArg));
      throw smtpError(552, text);
    }
    current.push({ inboxId: recipient.inboxId, address: recipient.address });
    this.accepted.set(session.id, current);
  }

  private async onData(stream: SMTPServerDataStream, session: SMTPServerSession): Promise<string> {
    const limit = this.config.smtpIngress.maxBytes;
    const chunks: Buffer[] = [];
    let bytes = 0;
    await new Promise<void>((resolve, reject) => {
      stream.on('data', (chunk: Buffer) => {
        bytes += chunk.length;
        if (bytes <= limit) chunks.push(chunk);
      });
      stream.once('end', () => resolve());
      stream.once('error', reject);
    });
    const recipients = (this.accepted.get(session.id) ?? []).filter((a) => session.envelope.rcptTo.some((r) => r.address.toLowerCase() === a.address));
    this.accepted.delete(session.id);
    if (recipients.length === 0) throw smtpError(503, 'No valid recipients');
    if (stream.sizeExceeded || bytes > limit) {
      const text = this.tooLargeText(bytes);
      for (const r of recipients) await this.refuse(r.inboxId, r.address, 'too_large', 552, text, session, bytes);
      throw smtpError(552, text);
    }
    try {
      const results = await this.receive.execute({ raw: Buffer.concat(chunks), recipients });
      const stored = results.filter((r) => r.outcome === 'stored').length;
      return `Accepted: ${stored} stored, ${results.length - stored} already known`;
    } catch (err) {
      this.logger.warn(`SMTP ingress: storing a mail for ${recipients.map((r) => r.address).join(', ')} failed: ${(err as Error).message}`);
      const text = 'The mail could not be stored now; try again later';
      const notStored = err instanceof ForwardedEmailNotStored ? err.failed : recipients;
      for (const r of notStored) await this.refuse(r.inboxId, r.address, 'temporary_failure', 451, text, session, bytes);
      throw smtpError(451, text);
    }
  }

  /** An SMTP answer for the error: ours as they are; anything else (database down) a 451, so the sender retries. */
  private answerable(err: Error, doing: string): Error {
    if (typeof (err as Partial<SmtpError>).responseCode === 'number') return err;
    this.logger.warn(`SMTP ingress: ${doing} failed: ${err.message}`);
    return smtpError(451, 'Temporary problem on our side; try again later');
  }

  private tooLargeText(bytes: number): string {
    const limit = this.config.smtpIngress.maxBytes;
    return `Message too large: ${formatBytes(bytes)} (${bytes} bytes), the limit is ${formatBytes(limit)} (${limit} bytes)`;
  }

  /** Lists the refusal with the inbox; a failure to record it never changes the SMTP answer. */
  private async refuse(inboxId: string, recipient: string, reason: RefusalReason, code: number, text: string, session: SMTPServerSession, size?: number): Promise<void> {
    await this.recordRefusal
      .execute({
        inboxId,
        recipient,
        reason,
        response: `${code} ${text}`,
        mailFrom: session.envelope.mailFrom ? session.envelope.mailFrom.address || null : null,
        size: size ?? null,
        remoteAddress: session.remoteAddress || null,
      })
      .catch((err: Error) => this.logger.warn(`SMTP ingress: could not record a refusal for ${recipient}: ${err.message}`));
  }
}
