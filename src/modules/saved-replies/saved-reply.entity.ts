import { randomUUID } from 'node:crypto';
import { Entity, Enum, Index, ManyToOne, OptionalProps, PrimaryKey, Property, Unique, type Ref } from '@mikro-orm/core';
import { Account } from '../accounts/account.entity';

export const SAVED_REPLY_SCOPES = ['personal', 'inbox', 'team'] as const;
export type SavedReplyScope = (typeof SAVED_REPLY_SCOPES)[number];

/**
 * A canned response. `scopeId` is the owning user (personal), inbox or team; the shortcut is
 * unique within that scope.
 */
@Entity({ tableName: 'saved_replies' })
@Unique({ properties: ['scope', 'scopeId', 'shortcut'] })
@Index({ properties: ['account', 'scope', 'scopeId'] })
export class SavedReply {
  [OptionalProps]?: 'createdAt' | 'updatedAt';

  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @ManyToOne(() => Account, { ref: true, deleteRule: 'cascade' })
  account!: Ref<Account>;

  @Enum({ items: () => SAVED_REPLY_SCOPES })
  scope!: SavedReplyScope;

  @Property({ type: 'uuid' })
  scopeId!: string;

  /** lower-case keyword, e.g. "refund" */
  @Property({ type: 'text' })
  shortcut!: string;

  @Property({ type: 'text' })
  content!: string;

  @Property({ type: 'uuid' })
  createdByUserId!: string;

  @Property({ type: 'timestamptz', defaultRaw: 'now()' })
  createdAt: Date = new Date();

  @Property({ type: 'timestamptz', defaultRaw: 'now()', onUpdate: () => new Date() })
  updatedAt: Date = new Date();
}
