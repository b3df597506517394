import { Entity, Index, ManyToOne, OptionalProps, PrimaryKey, Property, type Ref } from '@mikro-orm/core';
import { Account } from '../accounts/account.entity';

/**
 * One running piece of long work of an account (a contact export or import), as a lease in
 * PostgreSQL so per-account limits hold across API replicas (see ConcurrencyLimit). The holder
 * renews expires_at while it works and deletes the row when done; a row whose holder died expires.
 */
@Entity({ tableName: 'work_slots' })
@Index({ properties: ['kind', 'account'] })
export class WorkSlot {
  [OptionalProps]?: 'createdAt';

  @PrimaryKey({ type: 'uuid' })
  id!: string;

  /** e.g. `contact-export` */
  @Property({ type: 'text' })
  kind!: string;

  @ManyToOne(() => Account, { ref: true, deleteRule: 'cascade' })
  account!: Ref<Account>;

  /** `<hostname>:<pid>` of the process doing the work (for ops). */
  @Property({ type: 'text' })
  holder!: string;

  @Property({ type: 'timestamptz' })
  expiresAt!: Date;

  @Property({ type: 'timestamptz', defaultRaw: 'now()' })
  createdAt: Date = new Date();
}
