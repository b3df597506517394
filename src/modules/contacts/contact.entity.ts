import { randomUUID } from 'node:crypto';
import { Entity, Enum, Index, ManyToOne, OptionalProps, PrimaryKey, Property, Unique, type Ref } from '@mikro-orm/core';
import { Account } from '../accounts/account.entity';
import type { ChannelType } from '../inboxes/inbox.entity';
import { User } from '../users/user.entity';
import { TextArrayType } from './contact-tags';

@Entity({ tableName: 'contacts' })
@Index({ properties: ['account', 'createdAt'] })
// The matching attribute (account setting) looks contacts up by case-insensitive email.
@Index({
  name: 'contacts_account_id_lower_email_index',
  expression: 'create index "contacts_account_id_lower_email_index" on "contacts" ("account_id", lower("email"))',
})
// Campaign audiences (`tags && ?::text[]`) and the list filter (`tags @> ?::text[]`) use it.
@Index({ name: 'contacts_tags_index', expression: 'create index "contacts_tags_index" on "contacts" using gin ("tags")' })
export class Contact {
  [OptionalProps]?: 'createdAt' | 'updatedAt' | 'vip' | 'name' | 'email' | 'phone' | 'spam' | 'platformAttributes' | 'attributes' | 'tags';

  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @ManyToOne(() => Account, { ref: true, deleteRule: 'cascade' })
  account!: Ref<Account>;

  @Property({ type: 'text', nullable: true })
  name: string | null = null;

  @Property({ type: 'text', nullable: true })
  email: string | null = null;

  @Property({ type: 'text', nullable: true })
  phone: string | null = null;

  @Property({ type: 'boolean', default: false })
  vip: boolean = false;

  /** Set when one of its conversations was closed as spam. */
  @Property({ type: 'boolean', default: false })
  spam: boolean = false;

  /** Filled from channel metadata; read-only through the API. */
  @Property({ type: 'jsonb', default: '{}' })
  platformAttributes: Record<string, string> = {};

  /** Values of the account's custom attribute definitions, by key. */
  @Property({ type: 'jsonb', default: '{}' })
  attributes: Record<string, string> = {};

  /** Normalised (see contact-tags.ts), sorted; set through PATCH /contacts/:id, used by campaign audiences. */
  @Property({ type: TextArrayType, columnType: 'text[]', default: '{}' })
  tags: string[] = [];

  @Property({ type: 'timestamptz', defaultRaw: 'now()' })
  createdAt: Date = new Date();

  @Property({ type: 'timestamptz', defaultRaw: 'now()', onUpdate: () => new Date() })
  updatedAt: Date = new Date();
}

/** How a contact is reached on one kind of channel (API source id, email address, phone number). */
@Entity({ tableName: 'contact_identities' })
@Unique({ properties: ['account', 'channelType', 'address'] })
export class ContactIdentity {
  [OptionalProps]?: 'createdAt';

  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @ManyToOne(() => Account, { ref: true, deleteRule: 'cascade' })
  account!: Ref<Account>;

  @ManyToOne(() => Contact, { ref: true, deleteRule: 'cascade' })
  @Index()
  contact!: Ref<Contact>;

  @Property({ type: 'text' })
  channelType!: ChannelType;

  @Property({ type: 'text' })
  address!: string;

  /** Orders a contact's identities: the first one is how the contact first reached the account. */
  @Property({ type: 'timestamptz', defaultRaw: 'now()' })
  createdAt: Date = new Date();
}

export const ATTRIBUTE_TYPES = ['text', 'dropdown'] as const;
export type AttributeType = (typeof ATTRIBUTE_TYPES)[number];

/** A custom contact attribute created by an admin. */
@Entity({ tableName: 'contact_attribute_definitions' })
@Unique({ properties: ['account', 'key'] })
export class ContactAttributeDefinition {
  [OptionalProps]?: 'createdAt' | 'options' | 'visible' | 'position';

  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @ManyToOne(() => Account, { ref: true, deleteRule: 'cascade' })
  account!: Ref<Account>;

  /** snake_case; usable as {{contact.<key>}}. */
  @Property({ type: 'text' })
  key!: string;

  @Property({ type: 'text' })
  label!: string;

  @Enum({ items: () => ATTRIBUTE_TYPES })
  type!: AttributeType;

  @Property({ type: 'jsonb', default: '[]' })
  options: string[] = [];

  /** Shown to agents. */
  @Property({ type: 'boolean', default: true })
  visible: boolean = true;

  @Property({ type: 'integer', default: 0 })
  position: number = 0;

  @Property({ type: 'timestamptz', defaultRaw: 'now()' })
  createdAt: Date = new Date();
}

/** A user's favourite contact. */
@Entity({ tableName: 'contact_favourites' })
@Unique({ properties: ['user', 'contact'] })
export class ContactFavourite {
  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @ManyToOne(() => User, { ref: true, deleteRule: 'cascade' })
  user!: Ref<User>;

  @ManyToOne(() => Contact, { ref: true, deleteRule: 'cascade' })
  @Index()
  contact!: Ref<Contact>;
}

/** The contact does not want campaign messages on this channel (STOP keyword or by hand). */
@Entity({ tableName: 'contact_opt_outs' })
@Unique({ properties: ['contact', 'channelType'] })
export class ContactOptOut {
  [OptionalProps]?: 'createdAt';

  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @ManyToOne(() => Contact, { ref: true, deleteRule: 'cascade' })
  contact!: Ref<Contact>;

  @Property({ type: 'text' })
  channelType!: ChannelType;

  /** "keyword" or "manual:<userId>" */
  @Property({ type: 'text' })
  source!: string;

  @Property({ type: 'timestamptz', defaultRaw: 'now()' })
  createdAt: Date = new Date();
}

/** Audit entry written when a contact is deleted; it keeps only a masked hint. */
@Entity({ tableName: 'deleted_contacts' })
@Index({ properties: ['account', 'deletedAt'] })
export class DeletedContact {
  [OptionalProps]?: 'deletedAt';

  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @ManyToOne(() => Account, { ref: true, deleteRule: 'cascade' })
  account!: Ref<Account>;

  /** e.g. j***@e***.com or +49*******12 */
  @Property({ type: 'text' })
  maskedHint!: string;

  @Property({ type: 'text', nullable: true })
  channelType!: string | null;

  @Property({ type: 'timestamptz', defaultRaw: 'now()' })
  deletedAt: Date = new Date();

  @Property({ type: 'uuid' })
  deletedByUserId!: string;

  @Property({ type: 'text' })
  deletedByName!: string;
}
