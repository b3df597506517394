import { EntityManager, UniqueConstraintViolationException } from '@mikro-orm/postgresql';
import { Inject, Injectable } from '@nestjs/common';
import { DomainError } from '../../../common/domain-error';
import { APP_CONFIG, ServiceConfig } from '../../../config/config';
import { clientKey } from '../../auth/client-address';
import { assertAcceptablePassword, hashPassword } from '../../auth/password';
import { PresenceEvents } from '../../auth/presence-events';
import { RateLimitCounters } from '../../auth/rate-limit-counters';
import { issueSession } from '../../auth/issue-session';
import { User } from '../../users/user.entity';
import { Account } from '../account.entity';

export interface SignUpInput {
  /** The account's name. */
  name: string;
  admin: { name: string; email: string; password: string };
  /** Where the request came from (req.ip), for the sign-up limit per client. */
  clientAddress: string;
}

const SIGN_UP_WINDOW_MS = 3600_000;

/**
 * A new account with its first administrator, logged in. One transaction: both or neither.
 *
 * Sign-up logs in at once and there is no mail to confirm an address, so its answer necessarily
 * differs between a new e-mail (201 with a session) and a registered one (409). What keeps that from
 * being an enumeration oracle: every well-formed attempt, successful or not, counts against
 * SIGNUP_MAX_PER_HOUR per client address (IPv6 per /64) in PostgreSQL *before* the e-mail is looked
 * at, so once limited, registered and unregistered e-mails get the same 429; both paths do the same
 * work (the password is hashed before the insert that finds the duplicate); and the 409 asks the
 * caller to log in instead of naming the fact.
 */
@Injectable()
export class SignUpUseCase {
  constructor(
    private readonly em: EntityManager,
    private readonly presence: PresenceEvents,
    private readonly counters: RateLimitCounters,
    @Inject(APP_CONFIG) private readonly config: ServiceConfig,
  ) {}

  async execute(input: SignUpInput) {
    const email = input.admin.email.trim().toLowerCase();
    assertAcceptablePassword({ field: 'admin.password', password: input.admin.password, email });
    const max = this.config.auth.signUpMaxPerHour;
    await this.counters.countAttempt({
      keys: [`signup:client:${clientKey(input.clientAddress)}`],
      windowMs: SIGN_UP_WINDOW_MS,
      check: (counts) => {
        const [fromClient] = counts.values();
        if (fromClient.hits >= max) throw new DomainError('RATE_LIMITED', `too many sign-ups from this address; try again in ${fromClient.retryAfterSeconds} s`);
      },
    });
    const passwordHash = await hashPassword(input.admin.password);
    const em = this.em.fork();
    const result = await em
      .transactional(async (tx) => {
        const account = tx.create(Account, { name: input.name });
        const user = tx.create(User, { account, name: input.admin.name, email, passwordHash, isAdmin: true });
        const { token, session } = issueSession(tx, user, this.config.auth.sessionTtlHours);
        return { account, user, token, session };
      })
      .catch((err) => {
        if (err instanceof UniqueConstraintViolationException) {
          const problem = 'cannot be used for a new account; if it is yours, log in';
          throw new DomainError('CONFLICT', `admin.email: ${problem}`, [{ field: 'admin.email', problem }]);
        }
        throw err;
      });
    await this.presence.publish({ type: 'login', userId: result.user.id, accountId: result.account.id, tokenId: result.session.id, at: new Date() });
    return result;
  }
}
