import { randomUUID } from 'node:crypto';
import { Entity, Index, ManyToOne, OptionalProps, PrimaryKey, Property, Unique, type Ref } from '@mikro-orm/core';
import { Account } from '../accounts/account.entity';
import { Contact } from '../contacts/contact.entity';
import { TextArrayType } from '../contacts/contact-tags';
import { WebhookEndpoint } from '../webhooks/webhook.entity';

export const CRM_DEFAULT_MAX_CONCURRENT_LOOKUPS = 4;
export const CRM_LOOKUP_ATTRIBUTES = ['email', 'phone', 'external_id'] as const;
export type CrmLookupAttribute = (typeof CRM_LOOKUP_ATTRIBUTES)[number];

/** One response field (RFC 6901 JSON Pointer) that fills one custom contact attribute. */
export interface CrmFieldMapping {
  pointer: string;
  attribute: string;
}

/**
 * A generic HTTP CRM connector of an account (administrators; one or more per account). Its lookup is
 * a GET of `lookupUrl` with `{{value}}` replaced by the contact's email, phone or external id, with
 * the sealed headers (SECRETS_KEY), within `timeoutMs`; a lookup newer than `cacheTtlSeconds` is not
 * repeated (except on request). The mapped attributes are CRM-managed. With write-back on, the
 * connector owns a webhook endpoint of kind 'crm' (webhookEndpoint) that posts the changed values to
 * `writeBackUrl` through the webhooks pipeline.
 */
@Entity({ tableName: 'crm_connectors' })
@Index({ properties: ['account'] })
export class CrmConnector {
  [OptionalProps]?:
    | 'enabled'
    | 'headersSealed'
    | 'headerNames'
    | 'timeoutMs'
    | 'cacheTtlSeconds'
    | 'maxConcurrentLookups'
    | 'externalIdPointer'
    | 'mapping'
    | 'lookupOnContactCreated'
    | 'lookupOnConversationStarted'
    | 'writeBackEnabled'
    | 'writeBackUrl'
    | 'webhookEndpoint'
    | 'createdAt'
    | 'updatedAt';

  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @ManyToOne(() => Account, { ref: true, deleteRule: 'cascade' })
  account!: Ref<Account>;

  @Property({ type: 'text' })
  name!: string;

  @Property({ type: 'boolean', default: true })
  enabled: boolean = true;

  @Property({ type: 'text' })
  lookupAttribute!: CrmLookupAttribute;

  /** http(s) URL with `{{value}}` (URL-encoded on use). */
  @Property({ type: 'text' })
  lookupUrl!: string;

  /** SecretBox-sealed JSON object of request headers (lookup and write-back); null: none. */
  @Property({ type: 'text', nullable: true })
  headersSealed: string | null = null;

  /** The header names (the values never leave). */
  @Property({ type: TextArrayType, columnType: 'text[]', default: '{}' })
  headerNames: string[] = [];

  @Property({ type: 'int', default: 5000 })
  timeoutMs: number = 5000;

  @Property({ type: 'int', default: 3600 })
  cacheTtlSeconds: number = 3600;

  /**
   * Queued lookups (contact created, conversation started: e.g. a CSV import) that run at once at
   * most, across every worker (see CrmLookupDispatcher). Refresh and test are not queued.
   */
  @Property({ type: 'int', default: CRM_DEFAULT_MAX_CONCURRENT_LOOKUPS })
  maxConcurrentLookups: number = CRM_DEFAULT_MAX_CONCURRENT_LOOKUPS;

  /** Where the CRM's id of the contact is in the answer. */
  @Property({ type: 'text', default: '/id' })
  externalIdPointer: string = '/id';

  @Property({ type: 'jsonb', default: '[]' })
  mapping: CrmFieldMapping[] = [];

  @Property({ type: 'boolean', default: true })
  lookupOnContactCreated: boolean = true;

  @Property({ type: 'boolean', default: true })
  lookupOnConversationStarted: boolean = true;

  @Property({ type: 'boolean', default: false })
  writeBackEnabled: boolean = false;

  @Property({ type: 'text', nullable: true })
  writeBackUrl: string | null = null;

  @ManyToOne(() => WebhookEndpoint, { ref: true, nullable: true, deleteRule: 'set null' })
  webhookEndpoint: Ref<WebhookEndpoint> | null = null;

  @Property({ type: 'timestamptz', defaultRaw: 'now()' })
  createdAt: Date = new Date();

  @Property({ type: 'timestamptz', defaultRaw: 'now()', onUpdate: () => new Date() })
  updatedAt: Date = new Date();
}

/** What a connector knows of one contact: the CRM's id and the mapped values last in sync with the CRM. */
@Entity({ tableName: 'crm_contact_links' })
export class CrmContactLink {
  [OptionalProps]?: 'externalId' | 'synced' | 'fetchedAt' | 'createdAt';

  @ManyToOne(() => CrmConnector, { primary: true, ref: true, deleteRule: 'cascade' })
  connector!: Ref<CrmConnector>;

  @ManyToOne(() => Contact, { primary: true, ref: true, deleteRule: 'cascade' })
  @Index()
  contact!: Ref<Contact>;

  @Property({ type: 'text', nullable: true })
  externalId: string | null = null;

  /** attribute key -> value as the CRM has it (after the last lookup or write-back). */
  @Property({ type: 'jsonb', default: '{}' })
  synced: Record<string, string> = {};

  /** The last successful lookup (the cache TTL counts from it). */
  @Property({ type: 'timestamptz', nullable: true })
  fetchedAt: Date | null = null;

  @Property({ type: 'timestamptz', defaultRaw: 'now()' })
  createdAt: Date = new Date();
}

export const CRM_CALL_KINDS = ['lookup', 'write_back'] as const;
export const CRM_CALL_REASONS = ['contact_created', 'conversation_started', 'refresh', 'test', 'status_changed'] as const;
export type CrmCallReason = (typeof CRM_CALL_REASONS)[number];
export const CRM_CALL_OUTCOMES = ['ok', 'not_found', 'failed', 'cached', 'skipped', 'enqueued'] as const;
export type CrmCallOutcome = (typeof CRM_CALL_OUTCOMES)[number];

/** The per-contact call log: every lookup (or why none was made) and every write-back enqueued. */
@Entity({ tableName: 'crm_calls' })
@Index({ properties: ['contact', 'id'] })
export class CrmCall {
  [OptionalProps]?: 'at' | 'requestUrl' | 'statusCode' | 'durationMs' | 'error' | 'responseExcerpt' | 'messageId';

  @PrimaryKey({ type: 'bigint', autoincrement: true })
  id!: string;

  @ManyToOne(() => CrmConnector, { ref: true, deleteRule: 'cascade' })
  connector!: Ref<CrmConnector>;

  @ManyToOne(() => Contact, { ref: true, deleteRule: 'cascade' })
  contact!: Ref<Contact>;

  @Property({ type: 'text' })
  kind!: (typeof CRM_CALL_KINDS)[number];

  @Property({ type: 'text' })
  reason!: CrmCallReason;

  @Property({ type: 'timestamptz', defaultRaw: 'clock_timestamp()' })
  at: Date = new Date();

  @Property({ type: 'text', nullable: true })
  requestUrl: string | null = null;

  @Property({ type: 'int', nullable: true })
  statusCode: number | null = null;

  @Property({ type: 'int', nullable: true })
  durationMs: number | null = null;

  @Property({ type: 'text' })
  outcome!: CrmCallOutcome;

  @Property({ type: 'text', nullable: true })
  error: string | null = null;

  @Property({ type: 'text', nullable: true })
  responseExcerpt: string | null = null;

  /** write_back: the webhook message (its delivery log has the attempts). */
  @Property({ type: 'text', nullable: true })
  messageId: string | null = null;
}

/**
 * A lookup to run (written by the triggers). Claimed by a dispatcher (leaseUntil) when its connector
 * has a free slot, removed by the lookup activity when it is done.
 */
@Entity({ tableName: 'crm_lookup_queue' })
@Unique({ properties: ['connector', 'contact'] })
@Index({ properties: ['connector', 'leaseUntil'] })
export class CrmLookupRequest {
  [OptionalProps]?: 'createdAt' | 'leaseUntil' | 'claims';

  @PrimaryKey({ type: 'bigint', autoincrement: true })
  id!: string;

  @ManyToOne(() => CrmConnector, { ref: true, deleteRule: 'cascade' })
  connector!: Ref<CrmConnector>;

  @ManyToOne(() => Contact, { ref: true, deleteRule: 'cascade' })
  contact!: Ref<Contact>;

  @Property({ type: 'text' })
  reason!: CrmCallReason;

  /** Claimed (its lookup runs) until then; null or past: waiting for a slot. */
  @Property({ type: 'timestamptz', nullable: true })
  leaseUntil: Date | null = null;

  /** How often a dispatcher claimed it (more than once: a lease ran out). */
  @Property({ type: 'int', default: 0 })
  claims: number = 0;

  @Property({ type: 'timestamptz', defaultRaw: 'clock_timestamp()' })
  createdAt: Date = new Date();
}
