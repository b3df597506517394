import { randomUUID } from 'node:crypto';
import { Entity, Enum, Index, ManyToOne, OptionalProps, PrimaryKey, Property, Unique, type Ref } from '@mikro-orm/core';
import { User } from '../users/user.entity';
import { Inbox } from './inbox.entity';

export const INBOX_ROLES = ['member', 'manager'] as const;
export type InboxRole = (typeof INBOX_ROLES)[number];

/** A user's role in one inbox: team member (works conversations) or manager (also its settings). */
@Entity({ tableName: 'inbox_memberships' })
@Unique({ properties: ['inbox', 'user'] })
@Index({ properties: ['user'] })
export class InboxMembership {
  [OptionalProps]?: 'createdAt';

  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @ManyToOne(() => Inbox, { ref: true, deleteRule: 'cascade' })
  inbox!: Ref<Inbox>;

  @ManyToOne(() => User, { ref: true, deleteRule: 'cascade' })
  user!: Ref<User>;

  @Enum({ items: () => INBOX_ROLES })
  role!: InboxRole;

  @Property({ type: 'timestamptz', defaultRaw: 'now()' })
  createdAt: Date = new Date();
}
