import { Entity, Index, ManyToOne, OptionalProps, PrimaryKey, Property, type Ref } from '@mikro-orm/core';
import { AuthToken } from '../auth/auth-token.entity';
import { Campaign } from '../campaigns/campaign.entity';

/** Who of the account may receive an event (besides the account and inbox checks). */
export const LIVE_EVENT_AUDIENCES = ['members', 'managers'] as const;
export type LiveEventAudience = (typeof LIVE_EVENT_AUDIENCES)[number];

/**
 * The outbox of the live event stream (GET /api/v1/events). Rows are written by database triggers on
 * the source tables (conversations, messages, conversation_tags, agent_presence, inbox_memberships,
 * users, auth_tokens) and by the campaign progress publisher, always through `live_event_emit()`,
 * which runs at commit time (deferred constraint triggers) under a transaction advisory lock: ids are
 * therefore handed out in commit order, and a reader that saw id n has seen every committed id below
 * n. `id` is the SSE event id a client reconnects with (Last-Event-ID). Pruned after
 * LIVE_EVENTS_RETENTION_HOURS.
 */
@Entity({ tableName: 'live_events' })
@Index({ properties: ['accountId', 'id'] })
@Index({ properties: ['createdAt'] })
export class LiveEvent {
  [OptionalProps]?: 'createdAt' | 'inboxId' | 'conversationId' | 'userId' | 'audience' | 'payload';

  @PrimaryKey({ type: 'bigint', autoincrement: true })
  id!: string;

  @Property({ type: 'uuid' })
  accountId!: string;

  /** null: account-wide (presence, access changes). */
  @Property({ type: 'uuid', nullable: true })
  inboxId: string | null = null;

  @Property({ type: 'uuid', nullable: true })
  conversationId: string | null = null;

  /** Set: only this user's streams receive it. */
  @Property({ type: 'uuid', nullable: true })
  userId: string | null = null;

  /** members: every member of the inbox (of the account when no inbox); managers: its managers and the administrators. */
  @Property({ type: 'text', default: 'members' })
  audience: LiveEventAudience = 'members';

  @Property({ type: 'text' })
  type!: string;

  /** Small: ids and the changed fields; clients fetch the details. */
  @Property({ type: 'jsonb', default: '{}' })
  payload: Record<string, unknown> = {};

  @Property({ type: 'timestamptz', defaultRaw: 'clock_timestamp()' })
  createdAt: Date = new Date();
}

/**
 * A short-lived, single-use ticket that opens one event stream in place of the Authorization header
 * (browsers' EventSource cannot send headers). Only its SHA-256 is stored; it acts for the token that
 * asked for it and dies with it.
 */
@Entity({ tableName: 'live_event_tickets' })
@Index({ properties: ['expiresAt'] })
export class LiveEventTicket {
  [OptionalProps]?: 'createdAt';

  @PrimaryKey({ type: 'text' })
  ticketHash!: string;

  @ManyToOne(() => AuthToken, { ref: true, deleteRule: 'cascade' })
  token!: Ref<AuthToken>;

  @Property({ type: 'timestamptz' })
  expiresAt!: Date;

  @Property({ type: 'timestamptz', defaultRaw: 'now()' })
  createdAt: Date = new Date();
}

/**
 * Campaign progress to publish: triggers on campaign_recipients, campaigns and campaign messages mark
 * a campaign dirty; the API's publisher emits one campaign.progress event per dirty campaign at most
 * every LIVE_EVENTS_CAMPAIGN_PROGRESS_MS (whichever replica takes the row first).
 */
@Entity({ tableName: 'campaign_live_progress' })
@Index({
  name: 'campaign_live_progress_dirty_index',
  expression: 'create index "campaign_live_progress_dirty_index" on "campaign_live_progress" ("last_emitted_at") where "dirty"',
})
export class CampaignLiveProgress {
  [OptionalProps]?: 'dirty' | 'lastEmittedAt';

  @ManyToOne(() => Campaign, { primary: true, ref: true, deleteRule: 'cascade' })
  campaign!: Ref<Campaign>;

  @Property({ type: 'boolean', default: true })
  dirty: boolean = true;

  @Property({ type: 'timestamptz', nullable: true })
  lastEmittedAt: Date | null = null;
}
