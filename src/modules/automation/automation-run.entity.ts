import { Entity, Index, ManyToOne, OptionalProps, PrimaryKey, Property, type Ref } from '@mikro-orm/core';
import { Conversation } from '../conversations/conversation.entity';

/**
 * One pass of the automation rules over one event of a conversation (or one timer that came due):
 * the facts the rules saw then and every rule's evaluation (its version, each condition's actual value
 * and result, whether it fired). Written for every event, also while no rule exists, so a draft rule
 * can be replayed over the past ("what-if") against the facts of the time.
 */
@Entity({ tableName: 'automation_runs' })
@Index({ properties: ['conversation', 'id'] })
@Index({ properties: ['inboxId', 'createdAt'] })
export class AutomationRun {
  [OptionalProps]?: 'createdAt' | 'eventId' | 'timerKey';

  @PrimaryKey({ type: 'bigint', autoincrement: true })
  id!: string;

  @ManyToOne(() => Conversation, { ref: true, deleteRule: 'cascade' })
  conversation!: Ref<Conversation>;

  @Property({ type: 'uuid' })
  accountId!: string;

  @Property({ type: 'uuid' })
  inboxId!: string;

  /** The event this pass ran on (unique: a retried activity finds the pass done). */
  @Property({ type: 'bigint', nullable: true, unique: true })
  eventId: string | null = null;

  /** A time-based pass: `<ruleId>:timer:<conversationId>:<anchor ISO>` (unique with the firing it caused). */
  @Property({ type: 'text', nullable: true, unique: true })
  timerKey: string | null = null;

  /** `{ type, from?, to?, tag?, depth, causeRuleId? }` of the event, or the timer's rule and anchor. */
  @Property({ type: 'jsonb' })
  trigger!: Record<string, unknown>;

  @Property({ type: 'jsonb' })
  facts!: Record<string, unknown>;

  /** `[{ ruleId, version, name, matched, fired, skipped?, trace, actions? }]` in rule order. */
  @Property({ type: 'jsonb' })
  evaluations!: unknown[];

  @Property({ type: 'timestamptz', defaultRaw: 'clock_timestamp()' })
  createdAt: Date = new Date();
}
