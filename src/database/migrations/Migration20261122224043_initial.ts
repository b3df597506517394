import { Migration } from '@mikro-orm/migrations';

export class Migration20261122224043_initial extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table "accounts" ("id" uuid not null, "name" text not null, "created_at" timestamptz not null default now(), constraint "accounts_pkey" primary key ("id"));`);

    this.addSql(`create table "contacts" ("id" uuid not null, "account_id" uuid not null, "name" text null, "email" text null, "phone" text null, "vip" boolean not null default false, "created_at" timestamptz not null default now(), constraint "contacts_pkey" primary key ("id"));`);

    this.addSql(`create table "contact_identities" ("id" uuid not null, "account_id" uuid not null, "contact_id" uuid not null, "channel_type" text not null, "address" text not null, constraint "contact_identities_pkey" primary key ("id"));`);
    this.addSql(`create index "contact_identities_contact_id_index" on "contact_identities" ("contact_id");`);
    this.addSql(`alter table "contact_identities" add constraint "contact_identities_account_id_channel_type_address_unique" unique ("account_id", "channel_type", "address");`);

    this.addSql(`create table "inboxes" ("id" uuid not null, "account_id" uuid not null, "name" text not null, "channel_type" text check ("channel_type" in ('api', 'email', 'sms')) not null, "welcome_message" text null, "created_at" timestamptz not null default now(), "updated_at" timestamptz not null default now(), constraint "inboxes_pkey" primary key ("id"));`);

    this.addSql(`create table "conversations" ("id" uuid not null, "account_id" uuid not null, "inbox_id" uuid not null, "contact_id" uuid not null, "channel_type" text not null, "status" text check ("status" in ('new', 'open', 'pending', 'resolved', 'spam')) not null default 'new', "assignee_id" uuid null, "last_activity_at" timestamptz not null default now(), "created_at" timestamptz not null default now(), constraint "conversations_pkey" primary key ("id"));`);
    this.addSql(`create index "conversations_inbox_id_last_activity_at_index" on "conversations" ("inbox_id", "last_activity_at");`);
    this.addSql(`create index "conversations_inbox_id_contact_id_index" on "conversations" ("inbox_id", "contact_id");`);

    this.addSql(`create table "messages" ("id" bigserial primary key, "conversation_id" uuid not null, "direction" text check ("direction" in ('inbound', 'outbound')) not null, "sender_type" text check ("sender_type" in ('contact', 'agent', 'system')) not null, "content" text not null, "delivery_status" text check ("delivery_status" in ('received', 'queued', 'sent', 'delivered', 'failed')) not null, "idempotency_key" text null, "created_at" timestamptz not null default now());`);
    this.addSql(`alter table "messages" add constraint "messages_idempotency_key_unique" unique ("idempotency_key");`);
    this.addSql(`create index "messages_conversation_id_id_index" on "messages" ("conversation_id", "id");`);

    this.addSql(`alter table "contacts" add constraint "contacts_account_id_foreign" foreign key ("account_id") references "accounts" ("id") on update cascade on delete cascade;`);

    this.addSql(`alter table "contact_identities" add constraint "contact_identities_account_id_foreign" foreign key ("account_id") references "accounts" ("id") on update cascade on delete cascade;`);
    this.addSql(`alter table "contact_identities" add constraint "contact_identities_contact_id_foreign" foreign key ("contact_id") references "contacts" ("id") on update cascade on delete cascade;`);

    this.addSql(`alter table "inboxes" add constraint "inboxes_account_id_foreign" foreign key ("account_id") references "accounts" ("id") on update cascade on delete cascade;`);

    this.addSql(`alter table "conversations" add constraint "conversations_account_id_foreign" foreign key ("account_id") references "accounts" ("id") on update cascade on delete cascade;`);
    this.addSql(`alter table "conversations" add constraint "conversations_inbox_id_foreign" foreign key ("inbox_id") references "inboxes" ("id") on update cascade on delete cascade;`);
    this.addSql(`alter table "conversations" add constraint "conversations_contact_id_foreign" foreign key ("contact_id") references "contacts" ("id") on update cascade on delete cascade;`);

    this.addSql(`alter table "messages" add constraint "messages_conversation_id_foreign" foreign key ("conversation_id") references "conversations" ("id") on update cascade on delete cascade;`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "contacts" drop constraint "contacts_account_id_foreign";`);

    this.addSql(`alter table "contact_identities" drop constraint "contact_identities_account_id_foreign";`);

    this.addSql(`alter table "inboxes" drop constraint "inboxes_account_id_foreign";`);

    this.addSql(`alter table "conversations" drop constraint "conversations_account_id_foreign";`);

    this.addSql(`alter table "contact_identities" drop constraint "contact_identities_contact_id_foreign";`);

    this.addSql(`alter table "conversations" drop constraint "conversations_contact_id_foreign";`);

    this.addSql(`alter table "conversations" drop constraint "conversations_inbox_id_foreign";`);

    this.addSql(`alter table "messages" drop constraint "messages_conversation_id_foreign";`);

    this.addSql(`drop table if exists "accounts" cascade;`);

    this.addSql(`drop table if exists "contacts" cascade;`);

    this.addSql(`drop table if exists "contact_identities" cascade;`);

    this.addSql(`drop table if exists "inboxes" cascade;`);

    this.addSql(`drop table if exists "conversations" cascade;`);

    this.addSql(`drop table if exists "messages" cascade;`);
  }

}
