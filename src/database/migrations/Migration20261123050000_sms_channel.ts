import { Migration } from '@mikro-orm/migrations';

export class Migration20261123050000_sms_channel extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table "sms_channels" ("inbox_id" uuid not null, "account_sid" text not null, "auth_token_sealed" text not null, "from_number" text null, "messaging_service_sid" text null, "created_at" timestamptz not null default now(), "updated_at" timestamptz not null default now(), constraint "sms_channels_pkey" primary key ("inbox_id"));`);

    this.addSql(`alter table "sms_channels" add constraint "sms_channels_inbox_id_foreign" foreign key ("inbox_id") references "inboxes" ("id") on update cascade on delete cascade;`);

    this.addSql(`alter table "messages" add column "provider_message_id" text null, add column "attachments" jsonb not null default '[]';`);
    this.addSql(`create index "messages_provider_message_id_index" on "messages" ("provider_message_id");`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "sms_channels" cascade;`);

    this.addSql(`drop index "messages_provider_message_id_index";`);
    this.addSql(`alter table "messages" drop column "provider_message_id", drop column "attachments";`);
  }

}
