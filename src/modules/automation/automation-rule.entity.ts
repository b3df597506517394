import { randomUUID } from 'node:crypto';
import { Entity, Index, ManyToOne, OptionalProps, PrimaryKey, Property, type Ref } from '@mikro-orm/core';
import { Account } from '../accounts/account.entity';
import { Inbox } from '../inboxes/inbox.entity';
import type { RuleAction, RuleTrigger } from './automation-rule.types';

/**
 * An automation rule a manager (of the inbox it is scoped to) or an administrator (account-wide)
 * built: when `trigger`, if `conditions`, then `actions`. Rules of an account run in `position`
 * order; `stopProcessing` ends the pass after this rule fired; `allowChaining` lets events caused by
 * other rules' actions trigger it. `version` goes up with every change and is recorded with every
 * evaluation, so the timeline says which version decided.
 */
@Entity({ tableName: 'automation_rules' })
@Index({ properties: ['account', 'position'] })
export class AutomationRule {
  [OptionalProps]?: 'inbox' | 'description' | 'enabled' | 'stopProcessing' | 'allowChaining' | 'version' | 'createdByUserId' | 'updatedByUserId' | 'createdAt' | 'updatedAt';

  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @ManyToOne(() => Account, { ref: true, deleteRule: 'cascade' })
  account!: Ref<Account>;

  /** The inbox the rule is limited to (null: every inbox of the account). */
  @ManyToOne(() => Inbox, { ref: true, nullable: true, deleteRule: 'cascade' })
  inbox: Ref<Inbox> | null = null;

  @Property({ type: 'text' })
  name!: string;

  @Property({ type: 'text', nullable: true })
  description: string | null = null;

  @Property({ type: 'boolean', default: false })
  enabled: boolean = false;

  /** Order among the account's rules (0 first); kept dense by the rules API. */
  @Property({ type: 'integer' })
  position!: number;

  @Property({ type: 'boolean', default: false })
  stopProcessing: boolean = false;

  @Property({ type: 'boolean', default: false })
  allowChaining: boolean = false;

  @Property({ type: 'jsonb' })
  trigger!: RuleTrigger;

  /** A condition tree (`{ all: [...] }` / `{ any: [...] }` of conditions and groups). */
  @Property({ type: 'jsonb' })
  conditions!: Record<string, unknown>;

  @Property({ type: 'jsonb' })
  actions!: RuleAction[];

  @Property({ type: 'integer', default: 1 })
  version: number = 1;

  @Property({ type: 'uuid', nullable: true })
  createdByUserId: string | null = null;

  @Property({ type: 'uuid', nullable: true })
  updatedByUserId: string | null = null;

  @Property({ type: 'timestamptz', defaultRaw: 'now()' })
  createdAt: Date = new Date();

  @Property({ type: 'timestamptz', defaultRaw: 'now()', onUpdate: () => new Date() })
  updatedAt: Date = new Date();
}
