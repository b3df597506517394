import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { DomainError } from '../../../common/domain-error';
import type { Actor } from '../../auth/actor';
import { AccessPolicy } from '../../auth/access-policy';
import { LoginThrottle } from '../../auth/login-throttle';
import { AuthToken } from '../../auth/auth-token.entity';
import { assertAcceptablePassword, hashPassword, verifyPassword } from '../../auth/password';
import { User } from '../user.entity';

export interface UpdateUserInput {
  actor: Actor;
  userId: string;
  name?: string;
  isAdmin?: boolean;
  /** false disables the user and ends their sessions and API tokens. */
  active?: boolean;
  /** A new password; see UpdateUserUseCase for which sessions and tokens it ends. */
  password?: string;
  /** Required with `password` when users change their own. */
  currentPassword?: string;
}

/**
 * Users change their own name and password; administrators also change other users, roles and
 * status (but cannot disable themselves or drop their own administrator role).
 *
 * Passwords and the administrator role change from a login session only (an API token gets 403).
 * Changing your own password needs the current one and ends every other session and every API
 * token of yours, keeping the session that made the change. An administrator resetting someone
 * else's password needs no old one and ends all of that user's sessions and API tokens.
 */
@Injectable()
export class UpdateUserUseCase {
  constructor(
    private readonly em: EntityManager,
    private readonly access: AccessPolicy,
    private readonly throttle: LoginThrottle,
  ) {}

  async execute(input: UpdateUserInput): Promise<User> {
    const { actor, userId } = input;
    const self = userId === actor.userId;
    const em = this.em.fork();
    const user = await em.findOne(User, { id: userId, account: actor.accountId });
    if (!user) throw DomainError.notFound('user', userId);
    if (input.password !== undefined) this.access.requireSession(actor, 'changing a password');
    if (input.isAdmin !== undefined) this.access.requireSession(actor, 'changing the administrator role');
    const adminOnly = input.isAdmin !== undefined || input.active !== undefined || !self;
    if (adminOnly) this.access.requireAdmin(actor, self ? 'changing your own role or status' : 'changing another user');
    if (self && input.active === false) throw DomainError.invalid('active', 'you cannot disable yourself');
    if (self && input.isAdmin === false) throw DomainError.invalid('isAdmin', 'you cannot remove your own administrator role');
    if (input.password !== undefined) {
      assertAcceptablePassword({ field: 'password', password: input.password, email: user.email });
      if (self) await this.checkCurrentPassword(user, input.currentPassword);
    }
    const passwordHash = input.password === undefined ? undefined : await hashPassword(input.password);
    await em.transactional(async (tx) => {
      if (input.name !== undefined) user.name = input.name;
      if (input.isAdmin !== undefined) user.isAdmin = input.isAdmin;
      if (passwordHash !== undefined) user.passwordHash = passwordHash;
      if (input.active !== undefined) user.disabledAt = input.active ? null : (user.disabledAt ?? new Date());
      if (input.active === false) {
        await tx.nativeUpdate(AuthToken, { user: user.id, revokedAt: null }, { revokedAt: new Date(), endReason: 'user disabled' });
      } else if (passwordHash !== undefined) {
        // Sessions and API tokens alike: whoever held the old password may have made them.
        await tx.nativeUpdate(
          AuthToken,
          { user: user.id, revokedAt: null, ...(self ? { id: { $ne: actor.tokenId } } : {}) },
          { revokedAt: new Date(), endReason: 'password changed' },
        );
      }
      tx.persist(user);
    });
    return user;
  }

  private async checkCurrentPassword(user: User, currentPassword: string | undefined): Promise<void> {
    if (currentPassword === undefined || currentPassword === '') {
      throw DomainError.invalid('currentPassword', 'is required to change your own password');
    }
    const attempt = await this.throttle.admitPasswordCheck(user.id);
    if (!(await verifyPassword(currentPassword, user.passwordHash))) {
      const problem = 'does not match your current password';
      throw new DomainError('FORBIDDEN', `currentPassword: ${problem}`, [{ field: 'currentPassword', problem }]);
    }
    await this.throttle.passwordCheckSucceeded(attempt);
  }
}
