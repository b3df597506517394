import type { EntityManager } from '@mikro-orm/postgresql';
import type { User } from '../users/user.entity';
import { AuthToken } from './auth-token.entity';
import { newToken } from './token';

/**
 * Creates a login session for the user; the caller flushes. Returns the token (shown once).
 * A helper, not a use case: it joins the caller's unit of work (sign-up creates the account, its
 * administrator and the session in one transaction), so it takes the caller's EntityManager.
 */
export function issueSession(em: EntityManager, user: User, ttlHours: number): { token: string; session: AuthToken } {
  const { token, hash } = newToken('session');
  const session = em.create(AuthToken, {
    user,
    kind: 'session',
    tokenHash: hash,
    expiresAt: new Date(Date.now() + ttlHours * 3600_000),
  });
  return { token, session };
}
