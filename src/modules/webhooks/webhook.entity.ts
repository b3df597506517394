import { randomUUID } from 'node:crypto';
import { Entity, Index, ManyToOne, OptionalProps, PrimaryKey, Property, Unique, type Ref } from '@mikro-orm/core';
import { Account } from '../accounts/account.entity';
import { TextArrayType } from '../contacts/contact-tags';
import { Conversation } from '../conversations/conversation.entity';

export type WebhookEndpointKind = 'webhook' | 'crm';

/**
 * An outgoing webhook endpoint of an account (admins manage them). Its signing secret is sealed with
 * SECRETS_KEY (SecretBox) and shown once, when created or rotated; during a rotation's overlap the
 * previous secret signs too (two `v1,` signatures in webhook-signature).
 */
@Entity({ tableName: 'webhook_endpoints' })
@Index({ properties: ['account', 'createdAt'] })
@Index({ properties: ['account', 'kind'] })
export class WebhookEndpoint {
  [OptionalProps]?:
    | 'description'
    | 'eventTypes'
    | 'includeNotes'
    | 'enabled'
    | 'disabledReason'
    | 'disabledAt'
    | 'failingSince'
    | 'lastSuccessAt'
    | 'lastFailureAt'
    | 'previousSecretSealed'
    | 'previousSecretExpiresAt'
    | 'kind'
    | 'headersSealed'
    | 'timeoutMs'
    | 'createdAt'
    | 'updatedAt';

  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @ManyToOne(() => Account, { ref: true, deleteRule: 'cascade' })
  account!: Ref<Account>;

  /**
   * 'webhook': an admin's endpoint (the webhooks API). 'crm': a CRM connector's write-back target,
   * owned by the connector (not listed by the webhooks API; it receives only what is addressed to it).
   */
  @Property({ type: 'text', default: 'webhook' })
  kind: WebhookEndpointKind = 'webhook';

  /** SecretBox-sealed JSON object of extra request headers (a CRM's credentials); null: none. */
  @Property({ type: 'text', nullable: true })
  headersSealed: string | null = null;

  /** One attempt's budget for this endpoint (null: WEBHOOK_TIMEOUT_MS). */
  @Property({ type: 'int', nullable: true })
  timeoutMs: number | null = null;

  @Property({ type: 'text' })
  url!: string;

  @Property({ type: 'text', default: '' })
  description: string = '';

  /** The event types it receives; empty: every type. */
  @Property({ type: TextArrayType, columnType: 'text[]', default: '{}' })
  eventTypes: string[] = [];

  /** message.created also for private notes (off: notes never leave the product). */
  @Property({ type: 'boolean', default: false })
  includeNotes: boolean = false;

  @Property({ type: 'boolean', default: true })
  enabled: boolean = true;

  /** Why the product disabled it (410 Gone, failing for WEBHOOK_DISABLE_AFTER_FAILING_HOURS); null when an admin did or it is enabled. */
  @Property({ type: 'text', nullable: true })
  disabledReason: string | null = null;

  @Property({ type: 'timestamptz', nullable: true })
  disabledAt: Date | null = null;

  /** First failed attempt since the last success (null: healthy). */
  @Property({ type: 'timestamptz', nullable: true })
  failingSince: Date | null = null;

  @Property({ type: 'timestamptz', nullable: true })
  lastSuccessAt: Date | null = null;

  @Property({ type: 'timestamptz', nullable: true })
  lastFailureAt: Date | null = null;

  /** SecretBox-sealed `whsec_...`. */
  @Property({ type: 'text' })
  secretSealed!: string;

  /** The secret before the last rotation: it signs too until previousSecretExpiresAt. */
  @Property({ type: 'text', nullable: true })
  previousSecretSealed: string | null = null;

  @Property({ type: 'timestamptz', nullable: true })
  previousSecretExpiresAt: Date | null = null;

  @Property({ type: 'timestamptz', defaultRaw: 'now()' })
  createdAt: Date = new Date();

  @Property({ type: 'timestamptz', defaultRaw: 'now()', onUpdate: () => new Date() })
  updatedAt: Date = new Date();
}

/**
 * One event to send (the Standard Webhooks "message"): its id is the webhook-id header, its body the
 * exact bytes that are signed and sent on every attempt. Written by webhook_enqueue() (see the
 * webhooks migration) in the transaction of the change, only when an endpoint wants it.
 */
@Entity({ tableName: 'webhook_messages' })
@Index({ properties: ['accountId', 'createdAt'] })
export class WebhookMessage {
  [OptionalProps]?: 'conversationId' | 'sequence' | 'createdAt';

  /** `msg_` + 32 hex characters. */
  @PrimaryKey({ type: 'text' })
  id!: string;

  @Property({ type: 'uuid' })
  accountId!: string;

  @Property({ type: 'text' })
  type!: string;

  @Property({ type: 'uuid', nullable: true })
  conversationId: string | null = null;

  /** Per conversation, strictly increasing in commit order (also in the body as data.sequence). */
  @Property({ type: 'bigint', nullable: true })
  sequence: string | null = null;

  /** `{"type","timestamp","data"}` as sent. */
  @Property({ type: 'text' })
  body!: string;

  @Property({ type: 'timestamptz', defaultRaw: 'clock_timestamp()' })
  createdAt: Date = new Date();
}

export const DELIVERY_STATUSES = ['pending', 'succeeded', 'failed'] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

/** One message to one endpoint: its state in the retry schedule. */
@Entity({ tableName: 'webhook_deliveries' })
@Unique({ properties: ['endpoint', 'message'] })
@Index({ properties: ['endpoint', 'id'] })
@Index({
  name: 'webhook_deliveries_pending_index',
  expression: `create index "webhook_deliveries_pending_index" on "webhook_deliveries" ("endpoint_id", "next_attempt_at") where "status" = 'pending'`,
})
/** The delivery round's walk in id order over what is pending, whatever the size of the log. */
@Index({
  name: 'webhook_deliveries_pending_id_index',
  expression: `create index "webhook_deliveries_pending_id_index" on "webhook_deliveries" ("endpoint_id", "id") where "status" = 'pending'`,
})
@Index({
  name: 'webhook_deliveries_pending_conversation_index',
  expression: `create index "webhook_deliveries_pending_conversation_index" on "webhook_deliveries" ("endpoint_id", "conversation_id", "sequence") where "status" = 'pending'`,
})
export class WebhookDelivery {
  [OptionalProps]?: 'conversationId' | 'sequence' | 'status' | 'attempts' | 'nextAttemptAt' | 'lastAttemptAt' | 'lastStatusCode' | 'lastError' | 'deliveredAt' | 'createdAt';

  @PrimaryKey({ type: 'bigint', autoincrement: true })
  id!: string;

  @ManyToOne(() => WebhookEndpoint, { ref: true, deleteRule: 'cascade' })
  endpoint!: Ref<WebhookEndpoint>;

  @ManyToOne(() => WebhookMessage, { ref: true, deleteRule: 'cascade' })
  message!: Ref<WebhookMessage>;

  @Property({ type: 'uuid', nullable: true })
  conversationId: string | null = null;

  @Property({ type: 'bigint', nullable: true })
  sequence: string | null = null;

  @Property({ type: 'text', default: 'pending' })
  status: DeliveryStatus = 'pending';

  /** Attempts in the current schedule (a redelivery starts a new one; every attempt stays in the log). */
  @Property({ type: 'int', default: 0 })
  attempts: number = 0;

  @Property({ type: 'timestamptz', nullable: true })
  nextAttemptAt: Date | null = null;

  @Property({ type: 'timestamptz', nullable: true })
  lastAttemptAt: Date | null = null;

  @Property({ type: 'int', nullable: true })
  lastStatusCode: number | null = null;

  @Property({ type: 'text', nullable: true })
  lastError: string | null = null;

  @Property({ type: 'timestamptz', nullable: true })
  deliveredAt: Date | null = null;

  @Property({ type: 'timestamptz', defaultRaw: 'clock_timestamp()' })
  createdAt: Date = new Date();
}

/** One HTTP attempt of a delivery (the delivery log). */
@Entity({ tableName: 'webhook_attempts' })
@Index({ properties: ['delivery', 'id'] })
export class WebhookAttempt {
  [OptionalProps]?: 'statusCode' | 'responseExcerpt' | 'error' | 'attemptedAt';

  @PrimaryKey({ type: 'bigint', autoincrement: true })
  id!: string;

  @ManyToOne(() => WebhookDelivery, { ref: true, deleteRule: 'cascade' })
  delivery!: Ref<WebhookDelivery>;

  @Property({ type: 'timestamptz', defaultRaw: 'clock_timestamp()' })
  attemptedAt: Date = new Date();

  @Property({ type: 'int', nullable: true })
  statusCode: number | null = null;

  @Property({ type: 'int' })
  durationMs!: number;

  /** The start of the answer's body (WEBHOOK_RESPONSE_EXCERPT_BYTES at most). */
  @Property({ type: 'text', nullable: true })
  responseExcerpt: string | null = null;

  /** Our words: timeout, refused address, connection error, 3xx/4xx/5xx. */
  @Property({ type: 'text', nullable: true })
  error: string | null = null;

  @Property({ type: 'boolean' })
  succeeded!: boolean;
}

/** The last sequence number handed out per conversation (webhook_enqueue() increments it). */
@Entity({ tableName: 'webhook_sequences' })
export class WebhookSequence {
  @ManyToOne(() => Conversation, { primary: true, ref: true, deleteRule: 'cascade' })
  conversation!: Ref<Conversation>;

  @Property({ type: 'bigint' })
  lastSequence!: string;
}
