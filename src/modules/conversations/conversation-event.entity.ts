import { Entity, Index, ManyToOne, OptionalProps, PrimaryKey, Property, type Ref } from '@mikro-orm/core';
import { Conversation } from './conversation.entity';

/** What happened to a conversation: the event types automation rules trigger on (and reports read). */
export const CONVERSATION_EVENT_TYPES = [
  'conversation_created',
  'message_received',
  'message_sent',
  'status_changed',
  'assigned',
  'unassigned',
  'tag_added',
  'tag_removed',
  'priority_changed',
  'contact_updated',
  'csat_received',
  'moved',
] as const;
export type ConversationEventType = (typeof CONVERSATION_EVENT_TYPES)[number];

/**
 * The conversation's event log: one row per thing that happened (a message, a status change, a tag,
 * an assignment...), written in the same transaction as the change, in order (`id`). The
 * conversation workflow runs the automation rules over the rows it has not processed yet; a row
 * written by a rule's action names the rule and how deep in a chain it is (the loop guard).
 */
@Entity({ tableName: 'conversation_events' })
@Index({ properties: ['conversation', 'id'] })
/** Reports find the conversations with activity in a range by the event's time (an index-only scan), and the moves. */
@Index({
  name: 'conversation_events_created_at_index',
  expression: 'create index "conversation_events_created_at_index" on "conversation_events" ("created_at") include ("conversation_id", "type")',
})
@Index({
  name: 'conversation_events_moved_index',
  expression: `create index "conversation_events_moved_index" on "conversation_events" ("conversation_id") where "type" = 'moved'`,
})
@Index({
  name: 'conversation_events_unprocessed_index',
  expression: 'create index "conversation_events_unprocessed_index" on "conversation_events" ("conversation_id", "id") where "processed_at" is null',
})
export class ConversationEvent {
  [OptionalProps]?: 'createdAt' | 'data' | 'actorUserId' | 'causeRuleId' | 'causeFiringId' | 'depth' | 'processedAt';

  @PrimaryKey({ type: 'bigint', autoincrement: true })
  id!: string;

  @ManyToOne(() => Conversation, { ref: true, deleteRule: 'cascade' })
  conversation!: Ref<Conversation>;

  @Property({ type: 'text' })
  type!: ConversationEventType;

  /** The event's own facts: `{ from, to }` of a change, `{ tag }`, `{ messageId }`, `{ rating }`. */
  @Property({ type: 'jsonb', default: '{}' })
  data: Record<string, unknown> = {};

  /** The person who caused it (null: a customer, a channel, the system or a rule). */
  @Property({ type: 'uuid', nullable: true })
  actorUserId: string | null = null;

  /** The automation rule whose action caused it, and that firing. */
  @Property({ type: 'uuid', nullable: true })
  causeRuleId: string | null = null;

  @Property({ type: 'bigint', nullable: true })
  causeFiringId: string | null = null;

  /** 0: caused by a person, a customer or a channel; n: by a rule firing on an event of depth n - 1. */
  @Property({ type: 'smallint', default: 0 })
  depth: number = 0;

  @Property({ type: 'timestamptz', defaultRaw: 'clock_timestamp()' })
  createdAt: Date = new Date();

  /** When the conversation workflow ran the automation rules over it. */
  @Property({ type: 'timestamptz', nullable: true })
  processedAt: Date | null = null;
}
