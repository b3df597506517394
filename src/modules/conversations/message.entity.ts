import { Entity, Enum, Index, ManyToOne, OptionalProps, PrimaryKey, Property, type Ref } from '@mikro-orm/core';
import { Conversation } from './conversation.entity';

export const MESSAGE_DIRECTIONS = ['inbound', 'outbound'] as const;
export type MessageDirection = (typeof MESSAGE_DIRECTIONS)[number];
export const SENDER_TYPES = ['contact', 'agent', 'system'] as const;
export type SenderType = (typeof SENDER_TYPES)[number];
export const DELIVERY_STATUSES = ['received', 'queued', 'sent', 'delivered', 'failed'] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

/**
 * A message in a conversation. The id is a database sequence, so ordering by id is the order in
 * which messages were committed. `idempotencyKey` makes retried writes (welcome message, provider
 * redeliveries, client retries) land once.
 */
@Entity({ tableName: 'messages' })
@Index({ properties: ['conversation', 'id'] })
@Index({
  name: 'messages_content_fts',
  expression: `create index "messages_content_fts" on "messages" using gin (to_tsvector('simple', "content"))`,
})
export class Message {
  [OptionalProps]?: 'createdAt' | 'idempotencyKey' | 'senderUserId' | 'error';

  @PrimaryKey({ type: 'bigint', autoincrement: true })
  id!: string;

  @ManyToOne(() => Conversation, { ref: true, deleteRule: 'cascade' })
  conversation!: Ref<Conversation>;

  @Enum({ items: () => MESSAGE_DIRECTIONS })
  direction!: MessageDirection;

  @Enum({ items: () => SENDER_TYPES })
  senderType!: SenderType;

  @Property({ type: 'text' })
  content!: string;

  @Enum({ items: () => DELIVERY_STATUSES })
  deliveryStatus!: DeliveryStatus;

  /** The agent who wrote an outbound message. */
  @Property({ type: 'uuid', nullable: true })
  senderUserId: string | null = null;

  /** Why delivery failed, in the provider's words. */
  @Property({ type: 'text', nullable: true })
  error: string | null = null;

  @Property({ type: 'text', nullable: true, unique: true })
  idempotencyKey: string | null = null;

  @Property({ type: 'timestamptz', defaultRaw: 'now()' })
  createdAt: Date = new Date();
}
