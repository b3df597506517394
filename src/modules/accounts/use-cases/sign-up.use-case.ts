import { EntityManager, UniqueConstraintViolationException } from '@mikro-orm/postgresql';
import { Inject, Injectable } from '@nestjs/common';
import { DomainError } from '../../../common/domain-error';
import { APP_CONFIG, ServiceConfig } from '../../../config/config';
import { hashPassword } from '../../auth/password';
import { PresenceEvents } from '../../auth/presence-events';
import { issueSession } from '../../auth/issue-session';
import { User } from '../../users/user.entity';
import { Account } from '../account.entity';

export interface SignUpInput {
  /** The account's name. */
  name: string;
  admin: { name: string; email: string; password: string };
}

/** A new account with its first administrator, logged in. One transaction: both or neither. */
@Injectable()
export class SignUpUseCase {
  constructor(
    private readonly em: EntityManager,
    private readonly presence: PresenceEvents,
    @Inject(APP_CONFIG) private readonly config: ServiceConfig,
  ) {}

  async execute(input: SignUpInput) {
    const passwordHash = await hashPassword(input.admin.password);
    const em = this.em.fork();
    const result = await em
      .transactional(async (tx) => {
        const account = tx.create(Account, { name: input.name });
        const user = tx.create(User, { account, name: input.admin.name, email: input.admin.email.trim().toLowerCase(), passwordHash, isAdmin: true });
        const { token, session } = issueSession(tx, user, this.config.auth.sessionTtlHours);
        return { account, user, token, session };
      })
      .catch((err) => {
        if (err instanceof UniqueConstraintViolationException) {
          throw new DomainError('CONFLICT', `admin.email: ${input.admin.email} is already registered`, [
            { field: 'admin.email', problem: 'already registered' },
          ]);
        }
        throw err;
      });
    await this.presence.publish({ type: 'login', userId: result.user.id, accountId: result.account.id, tokenId: result.session.id, at: new Date() });
    return result;
  }
}
