import { Migration } from '@mikro-orm/migrations';

/**
 * Slots of long-running work per account (contact exports and imports), in PostgreSQL so the
 * per-account limits hold across every API replica. A slot is a lease: its holder renews it while
 * the work runs and deletes it at the end; one of a process that died expires (expires_at) and is
 * swept by the next acquire of that account and kind.
 */
export class Migration20261201196000_work_slots extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `create table "work_slots" ("id" uuid not null, "kind" text not null, "account_id" uuid not null, "holder" text not null, "expires_at" timestamptz not null, "created_at" timestamptz not null default now(), constraint "work_slots_pkey" primary key ("id"));`,
    );
    this.addSql(`create index "work_slots_kind_account_id_index" on "work_slots" ("kind", "account_id");`);
    this.addSql(`alter table "work_slots" add constraint "work_slots_account_id_foreign" foreign key ("account_id") references "accounts" ("id") on update cascade on delete cascade;`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "work_slots" cascade;`);
  }
}
