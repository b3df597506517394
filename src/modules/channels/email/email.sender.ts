import { EntityManager } from '@mikro-orm/postgresql';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { OutboundAddressRefused, resolveOutboundTarget, type OutboundTarget } from '../../../common/outbound-address';
import { SecretBox } from '../../../common/secret-box';
import { APP_CONFIG, type ServiceConfig } from '../../../config/config';
import { ContactIdentity } from '../../contacts/contact.entity';
import { Conversation } from '../../conversations/conversation.entity';
import type { EmailMessageMeta } from '../../conversations/message.entity';
import type { ChannelSender, DeliveryResult, OutboundMessage } from '../channel-sender';
import { describeSmtpError } from './connection-check';
import { EmailChannel } from './email-channel.entity';
import { smtpTransport } from './mail-clients';

/** References kept on a reply (the oldest and the newest ones matter to clients; RFC 5322 suggests trimming the middle). */
const MAX_REFERENCES = 20;

/** Permanent: the server answered 5xx (unknown recipient, refused login, message refused). Everything else is retried. */
export function isPermanentSmtpError(err: unknown): boolean {
  const code = (err as { responseCode?: number }).responseCode;
  return typeof code === 'number' && code >= 500 && code < 600;
}

/**
 * The reason of a refusal. The server's own words are kept only when it refused a command (MAIL FROM,
 * RCPT TO, DATA, AUTH) after greeting us as an SMTP server; a peer that never spoke SMTP (a 5xx
 * "greeting" from another kind of service) is described in our words, so its banner is never shown.
 */
export function smtpErrorText(err: unknown): string {
  const e = err as { code?: string; command?: string; responseCode?: number; response?: string; message?: string };
  if (e.code === 'EPROTOCOL' || e.command === 'CONN' || !e.response) {
    return `SMTP error ${e.responseCode ?? ''}: the server refused the connection before an SMTP exchange`.replace('error :', 'error:');
  }
  return `SMTP error ${e.responseCode ?? ''}: ${e.response.trim().slice(0, 500)}`.replace('error :', 'error:');
}

/**
 * Our Message-ID for an outbound message: derived from its id, so a retried send uses the same one. It
 * is returned as the providerMessageId (stored on the message by the caller, which holds the message's
 * row lock while sending); customers' replies are threaded by it.
 */
export function outboundMessageId(messageId: string, inboxId: string, address: string): string {
  return `<cx.${messageId}.${inboxId.slice(0, 8)}@${address.split('@')[1] ?? 'localhost'}>`;
}

export function replySubject(subject: string | null | undefined): string | null {
  if (!subject?.trim()) return null;
  return /^(re|aw|sv|antw)\s*:/i.test(subject.trim()) ? subject.trim() : `Re: ${subject.trim()}`;
}

interface LastEmail {
  subject: string | null;
  email_message_id: string | null;
  email_meta: EmailMessageMeta | null;
  direction: 'inbound' | 'outbound';
}

/**
 * Outbound email through the inbox's SMTP server (nodemailer): From the channel's address, To the
 * contact's email, Subject "Re: <last subject>", In-Reply-To the last inbound Message-ID and References
 * its chain, so the customer's client threads the reply. Our own Message-ID is derived from the message
 * id (a retry sends the same one) and becomes the message's providerMessageId, so the customer's answer
 * to it threads back into this conversation. System messages (welcome, out-of-office, CSAT) carry
 * `Auto-Submitted: auto-replied` (RFC 3834), so the other side's auto-responder stays quiet.
 * SMTP 5xx answers fail the message with the server's reason; connection problems and 4xx are thrown
 * (the message stays queued for a retry).
 */
@Injectable()
export class EmailSender implements ChannelSender {
  readonly channelType = 'email' as const;
  private readonly logger = new Logger(EmailSender.name);

  constructor(
    private readonly em: EntityManager,
    private readonly secrets: SecretBox,
    @Inject(APP_CONFIG) private readonly config: ServiceConfig,
  ) {}

  async send(message: OutboundMessage): Promise<DeliveryResult> {
    const em = this.em.fork();
    const channel = await em.findOne(EmailChannel, { inbox: message.inboxId });
    if (!channel) {
      return { status: 'failed', error: `inbox ${message.inboxId} has no email settings yet; a manager sets them under the inbox's email channel` };
    }
    const to = await this.recipient(em, message.conversationId);
    if (!to) return { status: 'failed', error: 'the contact has no email address' };

    // The message the customer wrote last (else our own last mail): its Message-ID and chain thread this one.
    const [last] = await em.execute<LastEmail[]>(
      `select subject, coalesce(email_message_id, provider_message_id) as email_message_id, email_meta, direction from messages
       where conversation_id = ? and id <> ? and (email_message_id is not null or (direction = 'outbound' and provider_message_id like '<%>'))
       order by (direction = 'inbound') desc, id desc limit 1`,
      [message.conversationId, message.messageId],
    );
    const [row] = await em.execute<{ sender_type: string; subject: string | null }[]>(`select sender_type, subject from messages where id = ?`, [message.messageId]);
    const inReplyTo = last?.email_message_id ?? null;
    const references = [...(last?.email_meta?.references ?? []), ...(inReplyTo ? [inReplyTo] : [])].filter((v, i, all) => all.indexOf(v) === i);
    const trimmed = references.length > MAX_REFERENCES ? [references[0], ...references.slice(-(MAX_REFERENCES - 1))] : references;
    // A message with its own subject (the first mail of a conversation an agent started) keeps it.
    const subject = row?.subject?.trim() || replySubject(last?.subject) || `Message from ${channel.displayName ?? channel.address}`;
    const ownId = outboundMessageId(message.messageId, message.inboxId, channel.address);

    // The address guard (src/common/outbound-address.ts): a refused host fails the message in our words;
    // a DNS failure is thrown (the message stays queued for a retry). The checked address is used.
    let target: OutboundTarget;
    try {
      target = await resolveOutboundTarget(channel.smtpHost, this.config.outbound);
    } catch (err) {
      if (!(err instanceof OutboundAddressRefused)) throw err;
      this.logger.warn(`message ${message.messageId}: not sent: ${err.message}`);
      return { status: 'failed', error: `the SMTP server was not contacted: ${err.message}` };
    }
    const transport = smtpTransport(
      {
        host: channel.smtpHost,
        port: channel.smtpPort,
        secure: channel.smtpSecure,
        user: channel.smtpUser,
        password: channel.smtpPasswordSealed ? this.secrets.decrypt(channel.smtpPasswordSealed, 'smtpPassword') : null,
      },
      this.config.email.connectTimeoutMs,
      target,
    );
    try {
      await transport.sendMail({
        from: channel.displayName ? { name: channel.displayName, address: channel.address } : channel.address,
        to,
        subject,
        text: message.content,
        messageId: ownId,
        ...(inReplyTo ? { inReplyTo, references: trimmed } : {}),
        headers: row?.sender_type === 'system' ? { 'Auto-Submitted': 'auto-replied' } : undefined,
      });
      return { status: 'sent', providerMessageId: ownId };
    } catch (err) {
      if (!isPermanentSmtpError(err)) {
        const described = describeSmtpError(err, { host: channel.smtpHost, port: channel.smtpPort, user: channel.smtpUser }).message;
        this.logger.warn(`message ${message.messageId}: SMTP server unavailable (${described}); it stays queued for a retry`);
        throw err;
      }
      const reason = smtpErrorText(err);
      this.logger.warn(`message ${message.messageId}: the SMTP server refused it: ${reason}`);
      return { status: 'failed', error: reason };
    } finally {
      transport.close();
    }
  }

  /** The address the contact wrote from, else the email on the contact. */
  private async recipient(em: EntityManager, conversationId: string): Promise<string | null> {
    const conversation = await em.findOneOrFail(Conversation, { id: conversationId }, { populate: ['contact'] });
    const identity = await em.findOne(ContactIdentity, { contact: conversation.contact.id, channelType: 'email' }, { orderBy: { createdAt: 'asc' } });
    const address = identity?.address ?? conversation.contact.getEntity().email ?? null;
    return address && address !== 'unknown-sender@invalid' ? address : null;
  }
}
