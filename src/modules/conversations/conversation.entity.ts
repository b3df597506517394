import { randomUUID } from 'node:crypto';
import { Entity, Enum, Index, ManyToOne, OptionalProps, PrimaryKey, Property, type Ref } from '@mikro-orm/core';
import { Account } from '../accounts/account.entity';
import { Contact } from '../contacts/contact.entity';
import { Inbox, type ChannelType } from '../inboxes/inbox.entity';

export const CONVERSATION_STATUSES = ['new', 'open', 'pending', 'resolved', 'spam'] as const;
export type ConversationStatus = (typeof CONVERSATION_STATUSES)[number];

@Entity({ tableName: 'conversations' })
@Index({ properties: ['inbox', 'contact'] })
@Index({ properties: ['inbox', 'lastActivityAt'] })
export class Conversation {
  [OptionalProps]?: 'createdAt' | 'lastActivityAt' | 'status' | 'assigneeId';

  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @ManyToOne(() => Account, { ref: true, deleteRule: 'cascade' })
  account!: Ref<Account>;

  @ManyToOne(() => Inbox, { ref: true, deleteRule: 'cascade' })
  inbox!: Ref<Inbox>;

  @ManyToOne(() => Contact, { ref: true, deleteRule: 'cascade' })
  contact!: Ref<Contact>;

  @Property({ type: 'text' })
  channelType!: ChannelType;

  @Enum({ items: () => CONVERSATION_STATUSES })
  status: ConversationStatus = 'new';

  /** The agent holding the conversation; a user id once users exist. */
  @Property({ type: 'uuid', nullable: true })
  assigneeId: string | null = null;

  @Property({ type: 'timestamptz', defaultRaw: 'now()' })
  lastActivityAt: Date = new Date();

  @Property({ type: 'timestamptz', defaultRaw: 'now()' })
  createdAt: Date = new Date();
}
