import { EntityManager, UniqueConstraintViolationException } from '@mikro-orm/postgresql';
import { Inject, Injectable } from '@nestjs/common';
import { DomainError } from '../../../common/domain-error';
import { APP_CONFIG, type ServiceConfig } from '../../../config/config';
import type { Actor } from '../../auth/actor';
import { AccessPolicy } from '../../auth/access-policy';
import { assertAcceptablePassword, hashPassword } from '../../auth/password';
import { RateLimitCounters } from '../../auth/rate-limit-counters';
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
    private readonly counters: RateLimitCounters,
    @Inject(APP_CONFIG) private readonly config: ServiceConfig,
  ) {}

  async execute(input: CreateUserInput): Promise<User> {
    const { actor } = input;
    this.access.requireAdmin(actor, 'creating users');
    if (input.isAdmin) this.access.requireSession(actor, 'creating an administrator');
    const email = input.email.trim().toLowerCase();
    assertAcceptablePassword({ field: 'password', password: input.password, email });
    // Every attempt counts (not only refusals, whose 429 would itself tell): an e-mail of another account cannot be probed fast.
    const max = this.config.auth.userCreateMaxPerHour;
    await this.counters.countAttempt({
      keys: [`user-create:account:${actor.accountId}`],
      windowMs: 3_600_000,
      check: (counts) => {
        const [tries] = counts.values();
        if (tries.hits >= max) throw new DomainError('RATE_LIMITED', `too many users created in this account in the last hour (USER_CREATE_MAX_PER_HOUR ${max}); try again in ${tries.retryAfterSeconds} s`);
      },
    });
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
        // Not "registered": the address may belong to another account, which this one must not learn.
        throw new DomainError('CONFLICT', `email: ${user.email} cannot be used for a new user`, [{ field: 'email', problem: 'cannot be used for a new user' }]);
      }
      throw err;
    }
    return user;
  }
}
