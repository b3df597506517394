import { Entity, Index, OneToOne, OptionalProps, Property, type Ref } from '@mikro-orm/core';
import { User } from '../users/user.entity';

export const OFFLINE_REASONS = ['logout', 'session_lost'] as const;
export type OfflineReason = (typeof OFFLINE_REASONS)[number];

/**
 * Whether an agent is online, the record the router reads. Login and a heartbeat set it online;
 * logout and a missed heartbeat (decided by the agent-presence:<userId> workflow) set it offline.
 * `offlineSince` + the inbox's grace period is when their `new` conversations are unassigned.
 */
@Entity({ tableName: 'agent_presence' })
@Index({ properties: ['online'] })
export class AgentPresence {
  [OptionalProps]?: 'online' | 'lastHeartbeatAt' | 'offlineSince' | 'offlineReason' | 'changedAt';

  @OneToOne(() => User, { primary: true, ref: true, deleteRule: 'cascade' })
  user!: Ref<User>;

  @Property({ type: 'uuid' })
  accountId!: string;

  @Property({ type: 'boolean', default: false })
  online: boolean = false;

  @Property({ type: 'timestamptz', defaultRaw: 'now()' })
  lastHeartbeatAt: Date = new Date();

  @Property({ type: 'timestamptz', nullable: true })
  offlineSince: Date | null = null;

  @Property({ type: 'text', nullable: true })
  offlineReason: OfflineReason | null = null;

  @Property({ type: 'timestamptz', defaultRaw: 'now()' })
  changedAt: Date = new Date();
}
