import { Inject, Injectable } from '@nestjs/common';
import { DomainError } from '../../common/domain-error';

export const LOGIN_THROTTLE_OPTIONS = Symbol('LOGIN_THROTTLE_OPTIONS');

export interface LoginThrottleOptions {
  maxFailures: number;
  windowMs: number;
}

/**
 * Failed-login limiter per e-mail address and per client address (sliding window, in this API
 * process). After `maxFailures` failures for one e-mail (or ten times that from one client address,
 * which many people may share behind a NAT) within the window, further attempts get 429 until the
 * oldest failure leaves the window; a success clears the e-mail's record.
 */
@Injectable()
export class LoginThrottle {
  private readonly failures = new Map<string, number[]>();

  constructor(@Inject(LOGIN_THROTTLE_OPTIONS) private readonly options: LoginThrottleOptions) {}

  check(keys: string[], now = Date.now()): void {
    for (const key of keys) {
      const recent = this.recent(key, now);
      const limit = key.startsWith('ip:') ? this.options.maxFailures * 10 : this.options.maxFailures;
      if (recent.length >= limit) {
        const retryAfter = Math.ceil((recent[0] + this.options.windowMs - now) / 1000);
        throw new DomainError('RATE_LIMITED', `too many failed logins; try again in ${retryAfter} s`);
      }
    }
  }

  fail(keys: string[], now = Date.now()): void {
    for (const key of keys) this.failures.set(key, [...this.recent(key, now), now]);
  }

  succeed(key: string): void {
    this.failures.delete(key);
  }

  private recent(key: string, now: number): number[] {
    const list = (this.failures.get(key) ?? []).filter((t) => t > now - this.options.windowMs);
    if (list.length === 0) this.failures.delete(key);
    return list;
  }
}
