import { createHash, randomUUID } from 'node:crypto';
import { EntityManager } from '@mikro-orm/postgresql';
import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, type ServiceConfig } from '../../../../config/config';
import type { EmailMessageMeta, MessageAttachment } from '../../../conversations/message.entity';
import { ReceiveInboundMessageUseCase } from '../../../conversations/use-cases/receive-inbound-message.use-case';
import { originalSender, parseEmail, type InboundEmail } from '../parse-email';

export interface StoreInboundEmailInput {
  inboxId: string;
  raw: Buffer;
  /** IMAP: where the mailbox found it, the folder's UIDVALIDITY and the message's UID (absent with `forwarded`). */
  uidValidity?: string;
  uid?: string;
  /**
   * The mail came through the SMTP ingress to the inbox's forwarding address (not from the mailbox):
   * the original sender of a forwarded mail is recovered (parse-email.ts `originalSender`), and a mail
   * without Message-ID is keyed by the SHA-256 of its bytes (a sender's retry of the same mail is stored once).
   */
  forwarded?: { recipient: string };
  /**
   * After a UIDVALIDITY change the whole folder is read again: a mail already stored (same Message-ID,
   * or same UID under this UIDVALIDITY) is skipped without telling its conversation workflow again.
   */
  rescan?: boolean;
}

export interface StoreInboundEmailResult {
  outcome: 'stored' | 'duplicate' | 'skipped';
  messageId?: string;
  conversationId?: string;
  automatedBecause?: string | null;
}

/** Sender address for mails without a readable From (kept, so nothing in the mailbox is lost). */
export const UNKNOWN_SENDER = 'unknown-sender@invalid';

export function formatBytes(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${(bytes / (1024 * 1024)).toFixed(1).replace(/\.0$/, '')} MB`;
  if (bytes >= 1024) return `${Math.round(bytes / 1024)} KB`;
  return `${bytes} bytes`;
}

/**
 * One mail from a mailbox into the inbox, through the one inbound path (ReceiveInboundMessageUseCase):
 *  - idempotent on the Message-ID (else `<uidValidity>:<uid>`), so a mail fetched twice is stored once;
 *  - sender → contact (source id: the lower-cased address, with the display name); for mail through the
 *    SMTP ingress (`forwarded`), the original sender of a forwarded mail (X-Original-From, a quoted
 *    "From:" block, Reply-To), the forwarder kept in the message's email meta;
 *  - threaded: In-Reply-To/References matched against the Message-IDs of earlier messages of the inbox
 *    (inbound and our own replies) → that conversation; a mail that replies to nothing opens a new one;
 *  - subject, Message-ID and the other headers kept on the message; auto-replies and bounces flagged
 *    `automated` (no welcome, no out-of-office);
 *  - attachments stored in Postgres up to EMAIL_MAX_ATTACHMENT_BYTES each; a larger one is dropped and
 *    the message says so (name, size, limit); unreadable MIME or charsets keep what could be read, with a note.
 */
@Injectable()
export class StoreInboundEmailUseCase {
  constructor(
    private readonly em: EntityManager,
    private readonly receive: ReceiveInboundMessageUseCase,
    @Inject(APP_CONFIG) private readonly config: ServiceConfig,
  ) {}

  async execute(input: StoreInboundEmailInput): Promise<StoreInboundEmailResult> {
    const email = await parseEmail(input.raw);
    const uidKey = input.forwarded ? null : `${input.uidValidity}:${input.uid}`;
    const externalId = email.messageId ?? uidKey ?? `sha256:${createHash('sha256').update(input.raw).digest('hex')}`;
    // Forwarded mail: the contact is the person who wrote the original, not the one who forwarded it.
    const recovered = input.forwarded ? originalSender(email) : null;
    const sender = recovered ? { address: recovered.sender.address, name: recovered.sender.name } : { address: email.fromAddress, name: email.fromName };
    const em = this.em.fork();

    if (input.rescan) {
      const known = await em.execute<{ id: string }[]>(
        `select m.id from messages m join conversations c on c.id = m.conversation_id
         where c.inbox_id = ? and (m.idempotency_key = ? or (m.direction = 'inbound' and m.email_meta->>'uid' = ?)) limit 1`,
        [input.inboxId, `inbound:${input.inboxId}:${externalId}`, uidKey],
      );
      if (known.length > 0) return { outcome: 'skipped', messageId: String(known[0].id) };
    }

    const threadInto = await this.thread(em, input.inboxId, email);
    const { attachments, blobs, notes } = this.attachments(email);
    const content = this.content(email, notes);
    const meta: EmailMessageMeta = {
      from: email.fromAddress,
      to: email.to,
      cc: email.cc,
      inReplyTo: email.inReplyTo,
      references: email.references,
      uid: uidKey,
      automatedBecause: email.automatedBecause,
      ...(input.forwarded
        ? { via: 'forwarding' as const, forwardedTo: input.forwarded.recipient, ...(recovered ? { forwardedBy: email.fromAddress, originalSenderFrom: recovered.source } : {}) }
        : {}),
    };

    const received = await this.receive.execute({
      inboxId: input.inboxId,
      contact: {
        sourceId: sender.address ?? UNKNOWN_SENDER,
        name: sender.name ?? undefined,
        email: sender.address ?? undefined,
      },
      content,
      externalId,
      expectChannel: 'email',
      attachments,
      automated: email.automatedBecause !== null,
      threadInto,
      startNewConversation: true,
      onStored: async (tx, stored) => {
        await tx.execute(`update messages set subject = ?, email_message_id = ?, email_meta = ? where id = ?`, [
          email.subject,
          email.messageId,
          JSON.stringify(meta),
          stored.messageId,
        ]);
        for (const blob of blobs) {
          await tx.execute(
            `insert into message_attachment_blobs (id, message_id, filename, content_type, size, content, created_at) values (?, ?, ?, ?, ?, ?, now())`,
            [blob.id, stored.messageId, blob.filename, blob.contentType, blob.size, blob.content],
          );
        }
      },
    });
    return {
      outcome: received.duplicate ? 'duplicate' : 'stored',
      messageId: received.messageId,
      conversationId: received.conversationId,
      automatedBecause: email.automatedBecause,
    };
  }

  /** The newest conversation of the inbox holding a message this mail replies to (a customer's mail, or our reply by its providerMessageId); not spam. */
  private async thread(em: EntityManager, inboxId: string, email: InboundEmail): Promise<string | null> {
    const ids = [...new Set([email.inReplyTo, ...email.references].filter((v): v is string => Boolean(v)))];
    if (ids.length === 0) return null;
    const list = ids.map(() => '?').join(', ');
    const rows = await em.execute<{ conversation_id: string }[]>(
      `select m.conversation_id from messages m join conversations c on c.id = m.conversation_id
       where (m.email_message_id in (${list}) or (m.direction = 'outbound' and m.provider_message_id in (${list})))
         and c.inbox_id = ? and c.status <> 'spam'
       order by (coalesce(m.email_message_id, m.provider_message_id) = ?) desc, m.id desc limit 1`,
      [...ids, ...ids, inboxId, email.inReplyTo ?? ''],
    );
    return rows[0]?.conversation_id ?? null;
  }

  private attachments(email: InboundEmail) {
    const limit = this.config.email.maxAttachmentBytes;
    const attachments: MessageAttachment[] = [];
    const blobs: { id: string; filename: string | null; contentType: string | null; size: number; content: Buffer }[] = [];
    const notes = [...email.notes];
    for (const a of email.attachments) {
      const name = a.filename ?? `unnamed ${a.contentType ?? 'attachment'}`;
      if (a.size > limit) {
        notes.push(
          `attachment dropped: ${name} (${formatBytes(a.size)}, ${a.size} bytes) is larger than the limit of ${formatBytes(limit)} (EMAIL_MAX_ATTACHMENT_BYTES)`,
        );
        continue;
      }
      const id = randomUUID();
      blobs.push({ id, filename: a.filename, contentType: a.contentType, size: a.size, content: a.content });
      attachments.push({ url: `/api/v1/attachments/${id}`, contentType: a.contentType, filename: a.filename, size: a.size });
    }
    return { attachments, blobs, notes };
  }

  private content(email: InboundEmail, notes: string[]): string {
    const body = email.text.trim() || '(the mail has no readable text)';
    return notes.length ? `${body}\n\n${notes.map((n) => `[${n}]`).join('\n')}` : body;
  }
}
