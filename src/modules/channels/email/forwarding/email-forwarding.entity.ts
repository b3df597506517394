import { Entity, Index, ManyToOne, OptionalProps, PrimaryKey, Property, type Ref } from '@mikro-orm/core';
import { Inbox } from '../../../inboxes/inbox.entity';

/**
 * A forwarding address `<localPart>@<INBOUND_EMAIL_DOMAIN>` of an email inbox: mail sent to it through
 * the product's SMTP ingress lands in the inbox. An inbox has one current address (`retiredAt` null);
 * a regenerated address stays as a retired row, so mail still sent to it is refused naming why and is
 * listed with the inbox's refusals. The local part is random (100 bits), lower-case, unique
 * installation-wide: it is the only thing that picks the inbox (and so the account) of a mail.
 */
@Entity({ tableName: 'email_forwarding_addresses' })
export class EmailForwardingAddress {
  [OptionalProps]?: 'createdAt' | 'retiredAt' | 'lastReceivedAt' | 'receivedCount';

  @PrimaryKey({ type: 'text' })
  localPart!: string;

  @ManyToOne(() => Inbox, { ref: true, deleteRule: 'cascade', index: true })
  inbox!: Ref<Inbox>;

  @Property({ type: 'timestamptz', nullable: true })
  retiredAt: Date | null = null;

  /** When the ingress last stored (or found already stored) a mail sent to this address. */
  @Property({ type: 'timestamptz', nullable: true })
  lastReceivedAt: Date | null = null;

  @Property({ type: 'integer', default: 0 })
  receivedCount: number = 0;

  @Property({ type: 'timestamptz', defaultRaw: 'now()' })
  createdAt: Date = new Date();
}

export const REFUSAL_REASONS = ['unknown_recipient', 'too_large', 'too_many_recipients', 'temporary_failure'] as const;
export type RefusalReason = (typeof REFUSAL_REASONS)[number];

/**
 * A mail the SMTP ingress refused (or could not take now) for an inbox's forwarding address, with why.
 * Only the newest EMAIL_REFUSALS_KEPT per inbox are kept. Mail for addresses that never existed has no
 * inbox to be listed with: it is refused at RCPT and only logged.
 */
@Entity({ tableName: 'email_ingress_refusals' })
@Index({ properties: ['inbox', 'id'] })
export class EmailIngressRefusal {
  [OptionalProps]?: 'createdAt' | 'mailFrom' | 'size' | 'remoteAddress';

  @PrimaryKey({ type: 'bigint', autoincrement: true })
  id!: string;

  @ManyToOne(() => Inbox, { ref: true, deleteRule: 'cascade', index: false })
  inbox!: Ref<Inbox>;

  @Property({ type: 'text' })
  recipient!: string;

  /** The envelope sender (MAIL FROM); null for a bounce (<>). */
  @Property({ type: 'text', nullable: true })
  mailFrom: string | null = null;

  @Property({ type: 'text' })
  reason!: RefusalReason;

  /** The SMTP answer the sender got (code and text). */
  @Property({ type: 'text' })
  response!: string;

  /** Bytes of the mail (or as declared with MAIL FROM SIZE=), when known. */
  @Property({ type: 'bigint', nullable: true })
  size: string | null = null;

  @Property({ type: 'text', nullable: true })
  remoteAddress: string | null = null;

  @Property({ type: 'timestamptz', defaultRaw: 'now()' })
  createdAt: Date = new Date();
}

/** Refusals kept per inbox (older ones are deleted as new ones come). */
export const EMAIL_REFUSALS_KEPT = 50;
