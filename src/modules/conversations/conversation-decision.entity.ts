import { Entity, Index, ManyToOne, OptionalProps, PrimaryKey, Property, type Ref } from '@mikro-orm/core';
import { Conversation } from './conversation.entity';

export const DECISION_KINDS = [
  'routing',
  'assigned',
  'queued',
  'unassigned',
  'kept',
  'ai_agent',
  'handover',
  'out_of_office',
  'welcome',
  'csat_scheduled',
  'csat_sent',
  'csat_cancelled',
  'csat_rated',
  'status',
  'automation',
  'automation_guard',
] as const;
export type DecisionKind = (typeof DECISION_KINDS)[number];

/**
 * One decision taken about a conversation by the system (router, presence, business hours, CSAT),
 * in words an ops person can read (`summary`) and with the facts behind it (`details`: the rule
 * and its conditions, the candidates with their loads and capacity, the interval, the logout).
 * The same decision is returned by the activity that took it, so it is in the workflow history too.
 */
@Entity({ tableName: 'conversation_decisions' })
@Index({ properties: ['conversation', 'id'] })
export class ConversationDecision {
  [OptionalProps]?: 'createdAt' | 'details' | 'actorUserId';

  @PrimaryKey({ type: 'bigint', autoincrement: true })
  id!: string;

  @ManyToOne(() => Conversation, { ref: true, deleteRule: 'cascade' })
  conversation!: Ref<Conversation>;

  @Property({ type: 'text' })
  kind!: DecisionKind;

  @Property({ type: 'text' })
  summary!: string;

  @Property({ type: 'jsonb', nullable: true })
  details: Record<string, unknown> | null = null;

  /** The person whose action this records, when a person acted (null: the system decided). */
  @Property({ type: 'uuid', nullable: true })
  actorUserId: string | null = null;

  @Property({ type: 'timestamptz', defaultRaw: 'now()' })
  createdAt: Date = new Date();
}
