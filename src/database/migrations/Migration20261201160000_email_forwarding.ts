import { Migration } from '@mikro-orm/migrations';

/**
 * Email forwarding through the product's own SMTP ingress: each email inbox's forwarding addresses
 * (the current one and retired ones, which refuse mail naming why), when mail last arrived, and the
 * newest refused mails per inbox with the reason.
 */
export class Migration20261201160000_email_forwarding extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create table "email_forwarding_addresses" ("local_part" text not null, "inbox_id" uuid not null, "retired_at" timestamptz null, "last_received_at" timestamptz null, "received_count" int not null default 0, "created_at" timestamptz not null default now(), constraint "email_forwarding_addresses_pkey" primary key ("local_part"));`);
    this.addSql(`create index "email_forwarding_addresses_inbox_id_index" on "email_forwarding_addresses" ("inbox_id");`);
    this.addSql(`alter table "email_forwarding_addresses" add constraint "email_forwarding_addresses_inbox_id_foreign" foreign key ("inbox_id") references "inboxes" ("id") on update cascade on delete cascade;`);

    this.addSql(`create table "email_ingress_refusals" ("id" bigserial primary key, "inbox_id" uuid not null, "recipient" text not null, "mail_from" text null, "reason" text not null, "response" text not null, "size" bigint null, "remote_address" text null, "created_at" timestamptz not null default now());`);
    this.addSql(`create index "email_ingress_refusals_inbox_id_id_index" on "email_ingress_refusals" ("inbox_id", "id");`);
    this.addSql(`alter table "email_ingress_refusals" add constraint "email_ingress_refusals_inbox_id_foreign" foreign key ("inbox_id") references "inboxes" ("id") on update cascade on delete cascade;`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "email_ingress_refusals" cascade;`);
    this.addSql(`drop table if exists "email_forwarding_addresses" cascade;`);
  }
}
