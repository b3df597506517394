import { randomUUID } from 'node:crypto';
import { Entity, Enum, ManyToOne, OptionalProps, PrimaryKey, Property, type Ref } from '@mikro-orm/core';
import { Account } from '../accounts/account.entity';
import { DEFAULT_INBOX_SETTINGS, type InboxSettings } from './inbox-settings';

export const CHANNEL_TYPES = ['api', 'email', 'sms'] as const;
export type ChannelType = (typeof CHANNEL_TYPES)[number];

@Entity({ tableName: 'inboxes' })
export class Inbox {
  [OptionalProps]?: 'createdAt' | 'updatedAt' | 'welcomeMessage' | 'settings' | 'roundRobinCursor';

  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @ManyToOne(() => Account, { ref: true, deleteRule: 'cascade' })
  account!: Ref<Account>;

  @Property({ type: 'text' })
  name!: string;

  @Enum({ items: () => CHANNEL_TYPES })
  channelType!: ChannelType;

  /** Sent once when a conversation starts; null means off (the default). */
  @Property({ type: 'text', nullable: true })
  welcomeMessage: string | null = null;

  @Property({ type: 'jsonb' })
  settings: InboxSettings = structuredClone(DEFAULT_INBOX_SETTINGS);

  /** Round-robin distribution: the agent who got the last conversation; the next one goes to the agent after them. */
  @Property({ type: 'uuid', nullable: true })
  roundRobinCursor: string | null = null;

  @Property({ type: 'timestamptz', defaultRaw: 'now()' })
  createdAt: Date = new Date();

  @Property({ type: 'timestamptz', defaultRaw: 'now()', onUpdate: () => new Date() })
  updatedAt: Date = new Date();
}
