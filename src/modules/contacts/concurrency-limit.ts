import { DomainError } from '../../common/domain-error';

/** Refused because too many of this kind of work run already; the controller sends Retry-After. */
export class TooManyRunning extends DomainError {
  constructor(
    message: string,
    readonly retryAfterSeconds: number,
  ) {
    super('RATE_LIMITED', message);
  }
}

export interface ConcurrencyLimitOptions {
  /** e.g. "contact exports" */
  what: string;
  perAccount: number;
  /** Name of the setting behind perAccount (named in the refusal), or a note that it is fixed. */
  perAccountSetting: string;
  total: number;
  totalSetting: string;
  retryAfterSeconds: number;
}

/**
 * Long-running work that one account could otherwise start without bound (CSV exports held open by
 * slow clients, imports): at most `perAccount` per account and `total` in this process. acquire()
 * answers at once, never queues: a refusal is a 429 naming the limit.
 */
export class ConcurrencyLimit {
  private running = 0;
  private readonly byAccount = new Map<string, number>();

  constructor(private readonly options: ConcurrencyLimitOptions) {}

  /** A slot for the account, or TooManyRunning; the returned release is idempotent. */
  acquire(accountId: string): () => void {
    const o = this.options;
    const mine = this.byAccount.get(accountId) ?? 0;
    if (mine >= o.perAccount) {
      throw new TooManyRunning(
        `an account may run at most ${o.perAccount} ${o.what} at once (${o.perAccountSetting}); try again when one has finished`,
        o.retryAfterSeconds,
      );
    }
    if (this.running >= o.total) {
      throw new TooManyRunning(`at most ${o.total} ${o.what} run at once (${o.totalSetting}); try again in ${o.retryAfterSeconds} s`, o.retryAfterSeconds);
    }
    this.running += 1;
    this.byAccount.set(accountId, mine + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.running -= 1;
      const left = (this.byAccount.get(accountId) ?? 1) - 1;
      if (left > 0) this.byAccount.set(accountId, left);
      else this.byAccount.delete(accountId);
    };
  }
}
