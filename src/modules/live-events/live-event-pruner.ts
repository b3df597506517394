import { EntityManager } from '@mikro-orm/postgresql';
import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { APP_CONFIG, ServiceConfig } from '../../config/config';

const EVERY_MS = 60_000;
const CHUNK = 10_000;

/**
 * Deletes live events older than LIVE_EVENTS_RETENTION_HOURS (a reconnect from before then gets a
 * `reset`) and expired stream tickets, once a minute on every API replica, in chunks.
 */
@Injectable()
export class LiveEventPruner implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(LiveEventPruner.name);
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly em: EntityManager,
    @Inject(APP_CONFIG) private readonly config: ServiceConfig,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.prune().catch((err: Error) => this.logger.warn(`pruning live events failed: ${err.message}`)), EVERY_MS);
    this.timer.unref();
  }

  onModuleDestroy(): void {
    clearInterval(this.timer);
  }

  /** Returns how many events it deleted. */
  async prune(): Promise<number> {
    const em = this.em.fork();
    let deleted = 0;
    for (;;) {
      const rows = await em.execute<{ n: string }[]>(
        `with gone as (delete from live_events where id in (
            select id from live_events where created_at < now() - make_interval(hours => ?) order by id limit ${CHUNK}) returning 1)
         select count(*) as n from gone`,
        [this.config.liveEvents.retentionHours],
      );
      const n = Number(rows[0].n);
      deleted += n;
      if (n < CHUNK) break;
    }
    await em.execute(`delete from live_event_tickets where expires_at < now()`);
    return deleted;
  }
}
