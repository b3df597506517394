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
  /** e.g. ["contact export", "contact exports"] */
  what: [one: string, many: string];
  perAccount: number;
  /** The setting behind perAccount, named in the refusal (none: a fixed limit). */
  perAccountSetting?: string;
  total: number;
  totalSetting?: string;
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
    const what = (n: number) => `${n} ${o.what[n === 1 ? 0 : 1]}`;
    const setting = (name?: string) => (name ? ` (${name})` : '');
    const mine = this.byAccount.get(accountId) ?? 0;
    if (mine >= o.perAccount) {
      throw new TooManyRunning(
        `an account may run at most ${what(o.perAccount)} at once${setting(o.perAccountSetting)}; try again when ${o.perAccount === 1 ? 'it has' : 'one has'} finished`,
        o.retryAfterSeconds,
      );
    }
    if (this.running >= o.total) {
      throw new TooManyRunning(
        `at most ${what(o.total)} run${o.total === 1 ? 's' : ''} at once on this server${setting(o.totalSetting)}; try again in ${o.retryAfterSeconds} s`,
        o.retryAfterSeconds,
      );
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
