import { randomUUID } from 'node:crypto';
import { Entity, Enum, Index, ManyToOne, OptionalProps, PrimaryKey, Property, Unique, type Ref } from '@mikro-orm/core';
import { Account } from '../accounts/account.entity';
import { Contact } from '../contacts/contact.entity';
import type { MessageAttachment } from '../conversations/message.entity';
import { Inbox } from '../inboxes/inbox.entity';
import type { QuietHours } from './quiet-hours';

/**
 * one_off: a single announcement; promotional: marketing (opt-outs always honoured);
 * notification: service information. The type is recorded and reported; sending treats them alike
 * (every type skips opted-out contacts).
 */
export const CAMPAIGN_TYPES = ['one_off', 'promotional', 'notification'] as const;
export type CampaignType = (typeof CAMPAIGN_TYPES)[number];

/** draft → scheduled → running ⇄ paused → completed | cancelled | failed */
export const CAMPAIGN_STATUSES = ['draft', 'scheduled', 'running', 'paused', 'completed', 'cancelled', 'failed'] as const;
export type CampaignStatus = (typeof CAMPAIGN_STATUSES)[number];

/**
 * Who receives the campaign: the account's contacts, narrowed by an explicit id list, by tags
 * (contacts having any of them) and/or attribute equality filters (custom attributes first, then
 * platform attributes, by key); the parts combine with AND. An empty audience object means every
 * contact of the account.
 */
export interface CampaignAudience {
  contactIds?: string[];
  /** Normalised contact tags (see contacts/contact-tags.ts); a contact matches with any one of them. */
  tags?: string[];
  attributes?: Record<string, string>;
}

@Entity({ tableName: 'campaigns' })
@Index({ properties: ['account', 'createdAt'] })
export class Campaign {
  [OptionalProps]?: 'createdAt' | 'updatedAt' | 'status' | 'scheduledAt' | 'rateLimitPerSecond' | 'companyNamePrefix' | 'startedAt' | 'finishedAt' | 'audienceTotal' | 'statusReason' | 'quietHours' | 'media';

  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @ManyToOne(() => Account, { ref: true, deleteRule: 'cascade' })
  account!: Ref<Account>;

  @ManyToOne(() => Inbox, { ref: true, deleteRule: 'cascade' })
  inbox!: Ref<Inbox>;

  @Property({ type: 'text' })
  name!: string;

  @Enum({ items: () => CAMPAIGN_TYPES })
  type!: CampaignType;

  @Enum({ items: () => CAMPAIGN_STATUSES })
  status: CampaignStatus = 'draft';

  @Property({ type: 'text', nullable: true })
  statusReason: string | null = null;

  @Property({ type: 'jsonb' })
  audience!: CampaignAudience;

  /** The audience's size when the run started (recipients to process). */
  @Property({ type: 'integer', nullable: true })
  audienceTotal: number | null = null;

  @Property({ type: 'text' })
  template!: string;

  /**
   * MMS media sent with every recipient's message (SMS inboxes only): each URL as checked when the draft
   * was saved and again when it was started (type and size from its HEAD answer). Twilio fetches them.
   */
  @Property({ type: 'jsonb', default: '[]' })
  media: MessageAttachment[] = [];

  /** Prefix the message with "<company name>: " when the account's companyNameInsertion setting is on. */
  @Property({ type: 'boolean', default: false })
  companyNamePrefix: boolean = false;

  /** null: send as soon as started. */
  @Property({ type: 'timestamptz', nullable: true })
  scheduledAt: Date | null = null;

  /** Messages per second; null: as fast as the worker sends. */
  @Property({ type: 'integer', nullable: true })
  rateLimitPerSecond: number | null = null;

  /**
   * No sends inside this daily window of the recipient's local time; recipients reached inside it are
   * deferred to its end. The recipient's zone: contact attribute `timezone` (custom, else platform
   * attribute), else the sending inbox's business-hours time zone (UTC by default).
   */
  @Property({ type: 'jsonb', nullable: true })
  quietHours: QuietHours | null = null;

  @Property({ type: 'uuid' })
  createdByUserId!: string;

  /**
   * Who last set the template. The run renders hidden contact attributes only while this user is an
   * administrator; for anyone else they render as their default (a manager's template naming one was
   * refused when saved, but the attribute may have been hidden since).
   */
  @Property({ type: 'uuid' })
  templateAuthorUserId!: string;

  @Property({ type: 'timestamptz', nullable: true })
  startedAt: Date | null = null;

  @Property({ type: 'timestamptz', nullable: true })
  finishedAt: Date | null = null;

  @Property({ type: 'timestamptz', defaultRaw: 'now()' })
  createdAt: Date = new Date();

  @Property({ type: 'timestamptz', defaultRaw: 'now()', onUpdate: () => new Date() })
  updatedAt: Date = new Date();
}

/**
 * sending: claimed, provider call under way (or interrupted); deferred: inside the recipient's quiet
 * hours, due again at nextSendAt; the rest are final.
 */
export const RECIPIENT_STATUSES = ['sending', 'deferred', 'sent', 'delivered', 'failed', 'skipped', 'opted_out'] as const;
export type RecipientStatus = (typeof RECIPIENT_STATUSES)[number];

/** One row per (campaign, contact), written before the provider is called: the exactly-once record. */
@Entity({ tableName: 'campaign_recipients' })
@Unique({ properties: ['campaign', 'contact'] })
@Index({ properties: ['campaign', 'status'] })
export class CampaignRecipient {
  [OptionalProps]?: 'createdAt' | 'updatedAt' | 'messageId' | 'error' | 'nextSendAt';

  @PrimaryKey({ type: 'bigint', autoincrement: true })
  id!: string;

  @ManyToOne(() => Campaign, { ref: true, deleteRule: 'cascade' })
  campaign!: Ref<Campaign>;

  @ManyToOne(() => Contact, { ref: true, deleteRule: 'cascade' })
  contact!: Ref<Contact>;

  @Enum({ items: () => RECIPIENT_STATUSES })
  status!: RecipientStatus;

  /** The outbound message in the recipient's conversation (its idempotency key is campaign-recipient:<id>). */
  @Property({ type: 'bigint', nullable: true })
  messageId: string | null = null;

  @Property({ type: 'text', nullable: true })
  error: string | null = null;

  /** Deferred recipients: when their quiet hours end. */
  @Property({ type: 'timestamptz', nullable: true })
  nextSendAt: Date | null = null;

  @Property({ type: 'timestamptz', defaultRaw: 'now()' })
  createdAt: Date = new Date();

  @Property({ type: 'timestamptz', defaultRaw: 'now()' })
  updatedAt: Date = new Date();
}
