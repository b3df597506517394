import { Migration } from '@mikro-orm/migrations';

export class Migration20261123070000_campaigns extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table "campaigns" ("id" uuid not null, "account_id" uuid not null, "inbox_id" uuid not null, "name" text not null, "type" text check ("type" in ('one_off', 'promotional', 'notification')) not null, "status" text check ("status" in ('draft', 'scheduled', 'running', 'paused', 'completed', 'cancelled', 'failed')) not null default 'draft', "status_reason" text null, "audience" jsonb not null, "audience_total" int null, "template" text not null, "company_name_prefix" boolean not null default false, "scheduled_at" timestamptz null, "rate_limit_per_second" int null, "quiet_hours" jsonb null, "created_by_user_id" uuid not null, "started_at" timestamptz null, "finished_at" timestamptz null, "created_at" timestamptz not null default now(), "updated_at" timestamptz not null default now(), constraint "campaigns_pkey" primary key ("id"));`);
    this.addSql(`create index "campaigns_account_id_created_at_index" on "campaigns" ("account_id", "created_at");`);

    this.addSql(`create table "campaign_recipients" ("id" bigserial primary key, "campaign_id" uuid not null, "contact_id" uuid not null, "status" text check ("status" in ('sending', 'deferred', 'sent', 'delivered', 'failed', 'skipped', 'opted_out')) not null, "message_id" bigint null, "error" text null, "next_send_at" timestamptz null, "created_at" timestamptz not null default now(), "updated_at" timestamptz not null default now());`);
    this.addSql(`create index "campaign_recipients_campaign_id_status_index" on "campaign_recipients" ("campaign_id", "status");`);
    this.addSql(`alter table "campaign_recipients" add constraint "campaign_recipients_campaign_id_contact_id_unique" unique ("campaign_id", "contact_id");`);

    this.addSql(`alter table "campaigns" add constraint "campaigns_account_id_foreign" foreign key ("account_id") references "accounts" ("id") on update cascade on delete cascade;`);
    this.addSql(`alter table "campaigns" add constraint "campaigns_inbox_id_foreign" foreign key ("inbox_id") references "inboxes" ("id") on update cascade on delete cascade;`);

    this.addSql(`alter table "campaign_recipients" add constraint "campaign_recipients_campaign_id_foreign" foreign key ("campaign_id") references "campaigns" ("id") on update cascade on delete cascade;`);
    this.addSql(`alter table "campaign_recipients" add constraint "campaign_recipients_contact_id_foreign" foreign key ("contact_id") references "contacts" ("id") on update cascade on delete cascade;`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "campaign_recipients" drop constraint "campaign_recipients_campaign_id_foreign";`);

    this.addSql(`drop table if exists "campaigns" cascade;`);

    this.addSql(`drop table if exists "campaign_recipients" cascade;`);
  }

}
