import { Entity, Index, PrimaryKey, Property } from '@mikro-orm/core';

/**
 * One rate-limit counter (failed logins per e-mail and client, sign-ups per client ...), in
 * PostgreSQL so every API replica counts the same attempts. A fixed window: the first hit after the
 * window ended starts a new one. Expired rows are swept on later writes (see RateLimitCounters).
 */
@Entity({ tableName: 'rate_limit_counters' })
@Index({ properties: ['windowEndsAt'] })
export class RateLimitCounter {
  /** e.g. `login:client-email:203.0.113.7|jane@example.com`, `signup:client:2001:db8:1:2::/64` */
  @PrimaryKey({ type: 'text' })
  key!: string;

  @Property({ type: 'integer' })
  hits!: number;

  @Property({ type: 'timestamptz' })
  windowEndsAt!: Date;
}
