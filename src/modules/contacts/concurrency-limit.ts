import { randomUUID } from 'node:crypto';
import * as os from 'node:os';
import { EntityManager } from '@mikro-orm/postgresql';
import { Logger } from '@nestjs/common';
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
  /** The work_slots kind, e.g. `contact-export`. */
  kind: string;
  /** e.g. ["contact export", "contact exports"] */
  what: [one: string, many: string];
  perAccount: number;
  /** The setting behind perAccount, named in the refusal (none: a fixed limit). */
  perAccountSetting?: string;
  total: number;
  totalSetting?: string;
  retryAfterSeconds: number;
  /** How long a slot outlives a holder that died (renewed every third of it while the work runs). */
  leaseSeconds?: number;
}

const HOLDER = `${os.hostname()}:${process.pid}`;
const DEFAULT_LEASE_SECONDS = 60;

/**
 * Long-running work that one account could otherwise start without bound (CSV exports held open by
 * slow clients, imports): at most `perAccount` per account across every API replica (slots are
 * leases in PostgreSQL, table work_slots, counted under an advisory lock per account and kind) and
 * `total` in this process (memory and connections are this process's). acquire() answers at once,
 * never queues: a refusal is a 429 naming the limit. A replica that dies holding slots frees them
 * when their lease runs out.
 */
export class ConcurrencyLimit {
  private readonly logger = new Logger(ConcurrencyLimit.name);
  private running = 0;

  constructor(
    private readonly em: EntityManager,
    private readonly options: ConcurrencyLimitOptions,
  ) {}

  /** A slot for the account, or TooManyRunning; the returned release is idempotent. */
  async acquire(accountId: string): Promise<() => Promise<void>> {
    const o = this.options;
    const lease = o.leaseSeconds ?? DEFAULT_LEASE_SECONDS;
    const what = (n: number) => `${n} ${o.what[n === 1 ? 0 : 1]}`;
    const setting = (name?: string) => (name ? ` (${name})` : '');
    const id = randomUUID();
    await this.em.fork().transactional(async (tx) => {
      await tx.execute('select pg_advisory_xact_lock(hashtextextended(?, 0))', [`work-slots:${o.kind}:${accountId}`]);
      await tx.execute(`delete from work_slots where kind = ? and account_id = ? and expires_at <= now()`, [o.kind, accountId]);
      const [{ n }] = await tx.execute<{ n: number }[]>(`select count(*)::int as n from work_slots where kind = ? and account_id = ?`, [o.kind, accountId]);
      if (n >= o.perAccount) {
        throw new TooManyRunning(
          `an account may run at most ${what(o.perAccount)} at once${setting(o.perAccountSetting)}; try again when ${o.perAccount === 1 ? 'it has' : 'one has'} finished`,
          o.retryAfterSeconds,
        );
      }
      await tx.execute(`insert into work_slots (id, kind, account_id, holder, expires_at) values (?, ?, ?, ?, now() + make_interval(secs => ?))`, [id, o.kind, accountId, HOLDER, lease]);
    });
    const remove = () => this.em.fork().execute(`delete from work_slots where id = ?`, [id]);
    if (this.running >= o.total) {
      await remove();
      throw new TooManyRunning(
        `at most ${what(o.total)} run${o.total === 1 ? 's' : ''} at once on this server${setting(o.totalSetting)}; try again in ${o.retryAfterSeconds} s`,
        o.retryAfterSeconds,
      );
    }
    this.running += 1;
    const renew = setInterval(() => {
      this.em
        .fork()
        .execute(`update work_slots set expires_at = now() + make_interval(secs => ?) where id = ?`, [lease, id])
        .catch((err: Error) => this.logger.warn(`renewing the ${o.kind} slot ${id} failed: ${err.message}`));
    }, (lease * 1000) / 3);
    renew.unref();
    let released: Promise<void> | undefined;
    return () => {
      released ??= (async () => {
        clearInterval(renew);
        this.running -= 1;
        // A failed delete leaves the slot to expire with its lease.
        await remove().catch((err: Error) => this.logger.warn(`freeing the ${o.kind} slot ${id} failed: ${err.message}; it expires in ${lease} s`));
      })();
      return released;
    };
  }
}
