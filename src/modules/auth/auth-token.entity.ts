import { randomUUID } from 'node:crypto';
import { Entity, Enum, Index, ManyToOne, OptionalProps, PrimaryKey, Property, type Ref } from '@mikro-orm/core';
import { User } from '../users/user.entity';

export const TOKEN_KINDS = ['session', 'api'] as const;
export type TokenKind = (typeof TOKEN_KINDS)[number];

/**
 * A bearer token: a login session or a long-lived API token for integrations. Only a SHA-256 of
 * the token is stored; the token itself is shown once.
 */
@Entity({ tableName: 'auth_tokens' })
@Index({ properties: ['user', 'kind'] })
export class AuthToken {
  [OptionalProps]?: 'createdAt' | 'lastSeenAt' | 'revokedAt' | 'expiresAt' | 'name' | 'endReason';

  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @ManyToOne(() => User, { ref: true, deleteRule: 'cascade' })
  user!: Ref<User>;

  @Enum({ items: () => TOKEN_KINDS })
  kind!: TokenKind;

  /** API tokens carry a name (e.g. "CRM sync"). */
  @Property({ type: 'text', nullable: true })
  name: string | null = null;

  @Property({ type: 'text', unique: true, hidden: true })
  tokenHash!: string;

  @Property({ type: 'timestamptz', defaultRaw: 'now()' })
  createdAt: Date = new Date();

  @Property({ type: 'timestamptz', defaultRaw: 'now()' })
  lastSeenAt: Date = new Date();

  @Property({ type: 'timestamptz', nullable: true })
  expiresAt: Date | null = null;

  @Property({ type: 'timestamptz', nullable: true })
  revokedAt: Date | null = null;

  /** logout, revoked, session lost */
  @Property({ type: 'text', nullable: true })
  endReason: string | null = null;
}
