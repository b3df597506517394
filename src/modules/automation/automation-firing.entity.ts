import { Entity, Index, ManyToOne, OptionalProps, PrimaryKey, Property, type Ref } from '@mikro-orm/core';
import { Conversation } from '../conversations/conversation.entity';
import type { ActionOutcome } from './automation-rule.types';

/**
 * A rule that fired on a conversation: claimed (`key` unique) before its first action, so a retried
 * activity or a restarted worker resumes the same firing instead of firing twice; its actions'
 * outcomes once done. The rule's firing log reads these.
 */
@Entity({ tableName: 'automation_firings' })
@Index({ properties: ['ruleId', 'createdAt'] })
@Index({ properties: ['conversation', 'createdAt'] })
export class AutomationFiring {
  [OptionalProps]?: 'createdAt' | 'finishedAt' | 'outcomes' | 'error' | 'status' | 'depth';

  @PrimaryKey({ type: 'bigint', autoincrement: true })
  id!: string;

  /** No foreign key: the log outlives a deleted rule. */
  @Property({ type: 'uuid' })
  ruleId!: string;

  @Property({ type: 'integer' })
  ruleVersion!: number;

  @Property({ type: 'uuid' })
  accountId!: string;

  @ManyToOne(() => Conversation, { ref: true, deleteRule: 'cascade' })
  conversation!: Ref<Conversation>;

  @Property({ type: 'bigint' })
  runId!: string;

  /** `<ruleId>:event:<eventId>` or `<ruleId>:timer:<conversationId>:<anchor ISO>`: one firing per rule and trigger. */
  @Property({ type: 'text', unique: true })
  key!: string;

  /** The chain depth of the event it fired on. */
  @Property({ type: 'smallint', default: 0 })
  depth: number = 0;

  @Property({ type: 'text', default: 'running' })
  status: 'running' | 'done' | 'failed' = 'running';

  @Property({ type: 'jsonb', nullable: true })
  outcomes: ActionOutcome[] | null = null;

  @Property({ type: 'text', nullable: true })
  error: string | null = null;

  @Property({ type: 'timestamptz', defaultRaw: 'clock_timestamp()' })
  createdAt: Date = new Date();

  @Property({ type: 'timestamptz', nullable: true })
  finishedAt: Date | null = null;
}
