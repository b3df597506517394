import { randomUUID } from 'node:crypto';
import { Entity, Index, ManyToOne, OptionalProps, PrimaryKey, Property, type Ref, Unique } from '@mikro-orm/core';
import { Account } from '../accounts/account.entity';
import type { ChannelType } from '../inboxes/inbox.entity';

@Entity({ tableName: 'contacts' })
export class Contact {
  [OptionalProps]?: 'createdAt' | 'vip' | 'name' | 'email' | 'phone';

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

  @Property({ type: 'timestamptz', defaultRaw: 'now()' })
  createdAt: Date = new Date();
}

/** How a contact is reached on one kind of channel (API source id, email address, phone number). */
@Entity({ tableName: 'contact_identities' })
@Unique({ properties: ['account', 'channelType', 'address'] })
export class ContactIdentity {
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
}

