import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { pgArrayLiteral } from '../../common/pg-array';

/** A counter as an attempt sees it: hits in the running window (0 once it ended) and when it ends. */
export interface CounterState {
  hits: number;
  retryAfterSeconds: number;
}

export interface CountAttemptInput {
  keys: string[];
  /** A key's window starts at its first hit and lasts this long. */
  windowMs: number;
  /** Sees every key's live count before this attempt; throws to refuse it (nothing is counted then). */
  check(counts: ReadonlyMap<string, CounterState>): void;
}

/** How many expired rows one write sweeps (a burst of expiries is cleared over a few writes). */
const SWEEP_BATCH = 200;

/**
 * Rate-limit counters in PostgreSQL (table rate_limit_counters), so every API replica counts the
 * same attempts. An attempt is checked and counted in one transaction holding an advisory lock per
 * key (taken in one global order, so two attempts never deadlock): parallel attempts cannot all slip
 * under a limit. Expired rows are swept by each write; no cron.
 */
@Injectable()
export class RateLimitCounters {
  constructor(private readonly em: EntityManager) {}

  async countAttempt(input: CountAttemptInput): Promise<void> {
    const keys = pgArrayLiteral([...new Set(input.keys)]);
    await this.em.fork().transactional(async (tx) => {
      await tx.execute(`select pg_advisory_xact_lock(h) from (select distinct hashtextextended(k, 0) as h from unnest(?::text[]) as k) locks order by h`, [keys]);
      const rows: { key: string; hits: number; retry_after_seconds: number }[] = await tx.execute(
        `select key,
                case when window_ends_at > now() then hits else 0 end as hits,
                greatest(1, ceil(extract(epoch from (window_ends_at - now())))::int) as retry_after_seconds
           from rate_limit_counters where key = any(?::text[])`,
        [keys],
      );
      const counts = new Map<string, CounterState>(input.keys.map((k) => [k, { hits: 0, retryAfterSeconds: Math.ceil(input.windowMs / 1000) }]));
      for (const row of rows) if (row.hits > 0) counts.set(row.key, { hits: row.hits, retryAfterSeconds: row.retry_after_seconds });
      input.check(counts);
      await tx.execute(
        `insert into rate_limit_counters (key, hits, window_ends_at)
         select k, 1, now() + ?::double precision * interval '1 millisecond' from unnest(?::text[]) as k
         on conflict (key) do update set
           hits = case when rate_limit_counters.window_ends_at > now() then rate_limit_counters.hits + 1 else 1 end,
           window_ends_at = case when rate_limit_counters.window_ends_at > now() then rate_limit_counters.window_ends_at else excluded.window_ends_at end`,
        [input.windowMs, keys],
      );
    });
    await this.sweep();
  }

  /** Takes one hit back from each key (an attempt that turned out fine, e.g. a successful login). */
  async takeBack(keys: string[]): Promise<void> {
    const em = this.em.fork();
    // One row per statement: holds one row lock at a time, so it cannot deadlock with countAttempt.
    for (const key of keys) {
      await em.execute(`update rate_limit_counters set hits = greatest(hits - 1, 0) where key = ? and window_ends_at > now()`, [key]);
    }
  }

  async reset(keys: string[]): Promise<void> {
    const em = this.em.fork();
    for (const key of keys) await em.execute(`delete from rate_limit_counters where key = ?`, [key]);
  }

  private async sweep(): Promise<void> {
    await this.em.fork().execute(
      `delete from rate_limit_counters where key in (
         select key from rate_limit_counters where window_ends_at <= now() order by window_ends_at limit ${SWEEP_BATCH} for update skip locked)`,
    );
  }
}
