import { randomUUID } from 'node:crypto';
import { Entity, Index, ManyToOne, OptionalProps, PrimaryKey, Property, Unique, type Ref } from '@mikro-orm/core';
import { Conversation } from '../conversations/conversation.entity';

/**
 * A satisfaction survey sent for one resolution of a conversation, and its answer. One row per
 * (conversation, resolution): the unique key is taken before the survey message is sent, so a
 * retried activity or a replayed workflow cannot send it twice. `agentId` is who held the
 * conversation when it was resolved; `token` is the secret in the public rating link.
 */
@Entity({ tableName: 'csat_surveys' })
@Unique({ properties: ['conversation', 'resolutionKey'] })
@Index({ properties: ['inboxId', 'sentAt'] })
@Index({ properties: ['accountId', 'sentAt'] })
export class CsatSurvey {
  [OptionalProps]?: 'createdAt' | 'sentAt' | 'rating' | 'comment' | 'ratedAt' | 'agentId' | 'messageId';

  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @ManyToOne(() => Conversation, { ref: true, deleteRule: 'cascade' })
  conversation!: Ref<Conversation>;

  @Property({ type: 'uuid' })
  accountId!: string;

  @Property({ type: 'uuid' })
  inboxId!: string;

  @Property({ type: 'uuid', nullable: true })
  agentId: string | null = null;

  /** Identifies the resolution (its resolvedAt in ISO form); a reopen and a new resolve make a new one. */
  @Property({ type: 'text' })
  resolutionKey!: string;

  @Property({ type: 'text', unique: true })
  token!: string;

  @Property({ type: 'text' })
  question!: string;

  /** The survey message, once sent. */
  @Property({ type: 'bigint', nullable: true })
  messageId: string | null = null;

  @Property({ type: 'timestamptz', nullable: true })
  sentAt: Date | null = null;

  @Property({ type: 'smallint', nullable: true })
  rating: number | null = null;

  @Property({ type: 'text', nullable: true })
  comment: string | null = null;

  @Property({ type: 'timestamptz', nullable: true })
  ratedAt: Date | null = null;

  @Property({ type: 'timestamptz', defaultRaw: 'now()' })
  createdAt: Date = new Date();
}
