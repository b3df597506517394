import { Entity, Enum, Index, ManyToOne, OptionalProps, PrimaryKey, Property, type Ref } from '@mikro-orm/core';
import { Conversation } from './conversation.entity';

/**
 * inbound: from the customer; outbound: to the customer through the channel; internal: a private note
 * of an agent, which never leaves the product (no channel sender is ever called for it).
 */
export const MESSAGE_DIRECTIONS = ['inbound', 'outbound', 'internal'] as const;
export type MessageDirection = (typeof MESSAGE_DIRECTIONS)[number];
/** system: automatic messages (welcome, out-of-office, CSAT); ai: the AI agent's answers; note: an agent's private note (direction internal). */
export const SENDER_TYPES = ['contact', 'agent', 'system', 'ai', 'note', 'rule'] as const;
export type SenderType = (typeof SENDER_TYPES)[number];
/** Media kept with a message (MMS media: Twilio's URL and content type; nothing is downloaded). */
export interface MessageAttachment {
  url: string;
  contentType: string | null;
  /** Email attachments: the file name and size in bytes (the bytes are in message_attachment_blobs). */
  filename?: string | null;
  size?: number;
}

/** What an email message carried besides its body (inbound as received, outbound as sent). */
export interface EmailMessageMeta {
  from?: string | null;
  to?: string[];
  cc?: string[];
  inReplyTo?: string | null;
  references?: string[];
  /** Inbound: where the mailbox found it, `<uidValidity>:<uid>` of the folder. */
  uid?: string | null;
  /** Why the message counts as automated (auto-reply, bounce, list mail). */
  automatedBecause?: string | null;
  /** Inbound through the SMTP ingress: `forwarding`, and the forwarding address it was sent to. */
  via?: 'forwarding';
  forwardedTo?: string;
  /** A forwarded mail whose original sender was recovered: who forwarded it, and where the sender was read. */
  forwardedBy?: string | null;
  originalSenderFrom?: 'x-original-from' | 'forwarded-block' | 'reply-to';
}

export const DELIVERY_STATUSES = ['received', 'queued', 'sent', 'delivered', 'failed'] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

/**
 * A message in a conversation. The id is a database sequence, so ordering by id is the order in
 * which messages were committed. `idempotencyKey` makes retried writes (welcome message, provider
 * redeliveries, client retries) land once.
 */
@Entity({ tableName: 'messages' })
@Index({ properties: ['conversation', 'id'] })
@Index({
  name: 'messages_content_fts',
  expression: `create index "messages_content_fts" on "messages" using gin (to_tsvector('simple', "content"))`,
})
export class Message {
  [OptionalProps]?: 'createdAt' | 'idempotencyKey' | 'senderUserId' | 'error' | 'providerMessageId' | 'attachments' | 'subject' | 'automated' | 'emailMessageId' | 'emailMeta';

  @PrimaryKey({ type: 'bigint', autoincrement: true })
  id!: string;

  @ManyToOne(() => Conversation, { ref: true, deleteRule: 'cascade' })
  conversation!: Ref<Conversation>;

  @Enum({ items: () => MESSAGE_DIRECTIONS })
  direction!: MessageDirection;

  @Enum({ items: () => SENDER_TYPES })
  senderType!: SenderType;

  @Property({ type: 'text' })
  content!: string;

  @Enum({ items: () => DELIVERY_STATUSES })
  deliveryStatus!: DeliveryStatus;

  /** The agent who wrote an outbound message. */
  @Property({ type: 'uuid', nullable: true })
  senderUserId: string | null = null;

  /** Why delivery failed, in the provider's words. */
  @Property({ type: 'text', nullable: true })
  error: string | null = null;

  /** The provider's id for an outbound message (Twilio's Message SID); status callbacks find it by this. */
  @Property({ type: 'text', nullable: true, index: true })
  providerMessageId: string | null = null;

  @Property({ type: 'jsonb', default: '[]' })
  attachments: MessageAttachment[] = [];

  /** Email: the subject line. */
  @Property({ type: 'text', nullable: true })
  subject: string | null = null;

  /**
   * An automatic message from the customer's side (auto-reply, out-of-office, bounce, list mail): stored
   * and routed like any other, but it never triggers the welcome or out-of-office message, so two
   * auto-responders cannot loop.
   */
  @Property({ type: 'boolean', default: false })
  automated: boolean = false;

  /** Email: the RFC 5322 Message-ID (with angle brackets); replies are threaded by it. */
  @Property({ type: 'text', nullable: true, index: true })
  emailMessageId: string | null = null;

  @Property({ type: 'jsonb', nullable: true })
  emailMeta: EmailMessageMeta | null = null;

  @Property({ type: 'text', nullable: true, unique: true })
  idempotencyKey: string | null = null;

  @Property({ type: 'timestamptz', defaultRaw: 'now()' })
  createdAt: Date = new Date();
}
