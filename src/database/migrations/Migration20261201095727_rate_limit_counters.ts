import { Migration } from '@mikro-orm/migrations';

/**
 * Rate-limit counters (failed logins per e-mail and client, sign-ups per client) in PostgreSQL, so
 * every API replica shares them; the index serves the sweep of expired rows on each write.
 */
export class Migration20261201095727_rate_limit_counters extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create table "rate_limit_counters" ("key" text not null, "hits" int not null, "window_ends_at" timestamptz not null, constraint "rate_limit_counters_pkey" primary key ("key"));`);
    this.addSql(`create index "rate_limit_counters_window_ends_at_index" on "rate_limit_counters" ("window_ends_at");`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "rate_limit_counters" cascade;`);
  }
}
