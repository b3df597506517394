import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { DomainError } from '../../../common/domain-error';
import type { Actor } from '../../auth/actor';
import { AccessPolicy } from '../../auth/access-policy';
import { AuthToken } from '../../auth/auth-token.entity';
import { hashPassword } from '../../auth/password';
import { User } from '../user.entity';

export interface UpdateUserInput {
  actor: Actor;
  userId: string;
  name?: string;
  isAdmin?: boolean;
  /** false disables the user and ends their sessions. */
  active?: boolean;
  /** A new password ends the user's other sessions. */
  password?: string;
}

/**
 * Users change their own name and password; administrators also change other users, roles and
 * status (but cannot disable themselves or drop their own administrator role).
 */
@Injectable()
export class UpdateUserUseCase {
  constructor(
    private readonly em: EntityManager,
    private readonly access: AccessPolicy,
  ) {}

  async execute(input: UpdateUserInput): Promise<User> {
    const { actor, userId } = input;
    const self = userId === actor.userId;
    const em = this.em.fork();
    const user = await em.findOne(User, { id: userId, account: actor.accountId });
    if (!user) throw DomainError.notFound('user', userId);
    const adminOnly = input.isAdmin !== undefined || input.active !== undefined || !self;
    if (adminOnly) this.access.requireAdmin(actor, self ? 'changing your own role or status' : 'changing another user');
    if (self && input.active === false) throw DomainError.invalid('active', 'you cannot disable yourself');
    if (self && input.isAdmin === false) throw DomainError.invalid('isAdmin', 'you cannot remove your own administrator role');
    await em.transactional(async (tx) => {
      if (input.name !== undefined) user.name = input.name;
      if (input.isAdmin !== undefined) user.isAdmin = input.isAdmin;
      if (input.password !== undefined) user.passwordHash = await hashPassword(input.password);
      if (input.active !== undefined) user.disabledAt = input.active ? null : (user.disabledAt ?? new Date());
      if (input.active === false || input.password !== undefined) {
        await tx.nativeUpdate(
          AuthToken,
          { user: user.id, revokedAt: null, ...(input.active === false ? {} : { kind: 'session', id: { $ne: actor.tokenId } }) },
          { revokedAt: new Date(), endReason: input.active === false ? 'user disabled' : 'password changed' },
        );
      }
      tx.persist(user);
    });
    return user;
  }
}
