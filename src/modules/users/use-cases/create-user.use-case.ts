import { EntityManager, UniqueConstraintViolationException } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { DomainError } from '../../../common/domain-error';
import type { Actor } from '../../auth/actor';
import { AccessPolicy } from '../../auth/access-policy';
import { assertAcceptablePassword, hashPassword } from '../../auth/password';
import { User } from '../user.entity';

export interface CreateUserInput {
  actor: Actor;
  name: string;
  email: string;
  password: string;
  isAdmin?: boolean;
}

/** Admins license users in their account (integrations with an API token too, but no administrators). */
@Injectable()
export class CreateUserUseCase {
  constructor(
    private readonly em: EntityManager,
    private readonly access: AccessPolicy,
  ) {}

  async execute(input: CreateUserInput): Promise<User> {
    const { actor } = input;
    this.access.requireAdmin(actor, 'creating users');
    if (input.isAdmin) this.access.requireSession(actor, 'creating an administrator');
    const email = input.email.trim().toLowerCase();
    assertAcceptablePassword({ field: 'password', password: input.password, email });
    const em = this.em.fork();
    const user = em.create(User, {
      account: actor.accountId,
      name: input.name,
      email,
      passwordHash: await hashPassword(input.password),
      isAdmin: input.isAdmin ?? false,
    });
    try {
      await em.flush();
    } catch (err) {
      if (err instanceof UniqueConstraintViolationException) {
        throw new DomainError('CONFLICT', `email: ${user.email} is already registered`, [{ field: 'email', problem: 'already registered' }]);
      }
      throw err;
    }
    return user;
  }
}
