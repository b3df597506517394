import { randomUUID } from 'node:crypto';
import { Entity, Enum, Index, ManyToOne, OptionalProps, PrimaryKey, Property, Unique, type Ref } from '@mikro-orm/core';
import { Account } from '../accounts/account.entity';
import { Contact } from '../contacts/contact.entity';
import { Inbox, type ChannelType } from '../inboxes/inbox.entity';

export const CONVERSATION_STATUSES = ['new', 'open', 'pending', 'resolved', 'spam'] as const;
export type ConversationStatus = (typeof CONVERSATION_STATUSES)[number];
export type ConversationHandler = 'human' | 'ai';

@Entity({ tableName: 'conversations' })
@Index({ properties: ['inbox', 'contact'] })
@Index({ properties: ['inbox', 'lastActivityAt', 'id'] })
@Index({ properties: ['inbox', 'status', 'lastActivityAt', 'id'] })
@Index({ properties: ['inbox', 'createdAt', 'id'] })
@Index({ properties: ['inbox', 'priority', 'lastActivityAt', 'id'] })
@Index({ properties: ['assigneeId', 'status'] })
@Index({ properties: ['contact'] })
@Index({
  name: 'conversations_waiting_queue_index',
  expression: 'create index "conversations_waiting_queue_index" on "conversations" ("inbox_id", "queued_at") where "queued_at" is not null',
})
export class Conversation {
  [OptionalProps]?: 'createdAt' | 'lastActivityAt' | 'status' | 'assigneeId' | 'priority' | 'resolvedAt' | 'queuedAt' | 'queueTarget' | 'handler';

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

  /** 0 none, 1 low, 2 medium, 3 high, 4 urgent */
  @Property({ type: 'smallint', default: 0 })
  priority: number = 0;

  @Property({ type: 'timestamptz', defaultRaw: 'now()' })
  lastActivityAt: Date = new Date();

  @Property({ type: 'timestamptz', nullable: true })
  resolvedAt: Date | null = null;

  /** Set while the conversation waits in its inbox's queue for an agent with free capacity. */
  @Property({ type: 'timestamptz', nullable: true })
  queuedAt: Date | null = null;

  /** A routing rule's target while queued: "team:<id>" or "agent:<id>" (null: any agent of the inbox). */
  @Property({ type: 'text', nullable: true })
  queueTarget: string | null = null;

  /** Who answers: human agents, or the AI agent until it hands over. */
  @Property({ type: 'text', default: 'human' })
  handler: ConversationHandler = 'human';

  @Property({ type: 'timestamptz', defaultRaw: 'now()' })
  createdAt: Date = new Date();
}

/** A tag on a conversation. */
@Entity({ tableName: 'conversation_tags' })
@Unique({ properties: ['conversation', 'tag'] })
@Index({ properties: ['tag', 'conversation'] })
export class ConversationTag {
  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @ManyToOne(() => Conversation, { ref: true, deleteRule: 'cascade' })
  conversation!: Ref<Conversation>;

  @Property({ type: 'text' })
  tag!: string;
}

/** Per-user view state: read up to when, pinned or not. Affects only that user's view. */
@Entity({ tableName: 'conversation_user_states' })
@Unique({ properties: ['user', 'conversation'] })
@Index({ properties: ['conversation'] })
@Index({
  name: 'conversation_user_states_pinned_index',
  expression: 'create index "conversation_user_states_pinned_index" on "conversation_user_states" ("user", "conversation_id") where "pinned_at" is not null',
})
export class ConversationUserState {
  [OptionalProps]?: 'readAt' | 'pinnedAt';

  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @ManyToOne(() => Conversation, { ref: true, deleteRule: 'cascade' })
  conversation!: Ref<Conversation>;

  @Property({ type: 'uuid' })
  user!: string;

  @Property({ type: 'timestamptz', nullable: true })
  readAt: Date | null = null;

  @Property({ type: 'timestamptz', nullable: true })
  pinnedAt: Date | null = null;
}
