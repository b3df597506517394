import { Inject, Injectable } from '@nestjs/common';
import { DomainError } from '../../common/domain-error';
import { clientKey } from './client-address';
import { RateLimitCounters } from './rate-limit-counters';

export const LOGIN_THROTTLE_OPTIONS = Symbol('LOGIN_THROTTLE_OPTIONS');

export interface LoginThrottleOptions {
  /** LOGIN_MAX_FAILURES: failures per e-mail and client address. */
  maxFailures: number;
  /** LOGIN_WINDOW_SECONDS, in ms: a counter's window starts at its first failure. */
  windowMs: number;
}

/** Client-wide and e-mail-wide limits are this many times the per-(e-mail, client) limit. */
export const WIDE_LIMIT_FACTOR = 10;

/** The counters one login attempt was counted on. */
export interface LoginAttempt {
  clientEmailKey: string;
  clientKey: string;
  emailKey: string;
}

/**
 * Failed-login limits, counted in PostgreSQL (shared by every API replica), each over a window of
 * LOGIN_WINDOW_SECONDS from its first failure:
 *  - per (e-mail, client address): `maxFailures`; a successful login clears it;
 *  - per client address, across e-mails: 10x (many people may share one address behind a NAT);
 *  - per e-mail, across clients: 10x, but only for a client that already failed on this e-mail
 *    in the window. A client that has not failed always gets its try, so someone else's failures
 *    never lock the owner out of their own device, while a password spray from many addresses gets
 *    one guess per new address once the e-mail is locked.
 * An attempt is counted before the password is checked (so parallel guesses cannot overshoot the
 * limit) and taken back when the password was right. A limited attempt gets 429 whatever the
 * password: the answer must not tell a right guess from a wrong one.
 */
@Injectable()
export class LoginThrottle {
  constructor(
    @Inject(LOGIN_THROTTLE_OPTIONS) private readonly options: LoginThrottleOptions,
    private readonly counters: RateLimitCounters,
  ) {}

  /** Counts the attempt; 429 when this client may not try this e-mail now. `email` is normalised. */
  async admit(input: { email: string; clientAddress: string }): Promise<LoginAttempt> {
    const client = clientKey(input.clientAddress);
    const attempt: LoginAttempt = {
      clientEmailKey: `login:client-email:${client}|${input.email}`,
      clientKey: `login:client:${client}`,
      emailKey: `login:email:${input.email}`,
    };
    const { maxFailures } = this.options;
    const wide = maxFailures * WIDE_LIMIT_FACTOR;
    await this.counters.countAttempt({
      keys: [attempt.clientEmailKey, attempt.clientKey, attempt.emailKey],
      windowMs: this.options.windowMs,
      check: (counts) => {
        const pair = counts.get(attempt.clientEmailKey)!;
        const fromClient = counts.get(attempt.clientKey)!;
        const onEmail = counts.get(attempt.emailKey)!;
        const limited =
          pair.hits >= maxFailures ? pair : fromClient.hits >= wide ? fromClient : pair.hits > 0 && onEmail.hits >= wide ? onEmail : undefined;
        if (limited) throw new DomainError('RATE_LIMITED', `too many failed logins; try again in ${limited.retryAfterSeconds} s`);
      },
    });
    return attempt;
  }

  /**
   * A signed-in user proving their current password (to change it): LOGIN_MAX_FAILURES wrong guesses
   * per user and window, then 429, so a stolen session cannot guess at hashing speed. Counted before
   * the check; `passwordCheckSucceeded` takes the attempt back.
   */
  async admitPasswordCheck(userId: string): Promise<string> {
    const key = `password-check:user:${userId}`;
    await this.counters.countAttempt({
      keys: [key],
      windowMs: this.options.windowMs,
      check: (counts) => {
        const tries = counts.get(key)!;
        if (tries.hits >= this.options.maxFailures) {
          throw new DomainError('RATE_LIMITED', `too many wrong current passwords; try again in ${tries.retryAfterSeconds} s`);
        }
      },
    });
    return key;
  }

  async passwordCheckSucceeded(key: string): Promise<void> {
    await this.counters.takeBack([key]);
  }

  /** The password was right: this client's failures on the e-mail are forgotten, the attempt is not a failure. */
  async succeeded(attempt: LoginAttempt): Promise<void> {
    await this.counters.reset([attempt.clientEmailKey]);
    await this.counters.takeBack([attempt.clientKey, attempt.emailKey]);
  }
}
