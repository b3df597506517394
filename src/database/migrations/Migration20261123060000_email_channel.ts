import { Migration } from '@mikro-orm/migrations';

export class Migration20261123060000_email_channel extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table "email_channels" ("inbox_id" uuid not null, "address" text not null, "display_name" text null, "imap_host" text not null, "imap_port" int not null, "imap_secure" boolean not null, "imap_user" text not null, "imap_password_sealed" text not null, "imap_folder" text not null default 'INBOX', "smtp_host" text not null, "smtp_port" int not null, "smtp_secure" boolean not null, "smtp_user" text null, "smtp_password_sealed" text null, "enabled" boolean not null default false, "uid_validity" bigint null, "last_uid" bigint not null default 0, "last_error" text null, "last_error_at" timestamptz null, "last_connected_at" timestamptz null, "created_at" timestamptz not null default now(), "updated_at" timestamptz not null default now(), constraint "email_channels_pkey" primary key ("inbox_id"));`);

    this.addSql(`create table "message_attachment_blobs" ("id" uuid not null, "message_id" bigint not null, "filename" text null, "content_type" text null, "size" int not null, "content" bytea not null, "created_at" timestamptz not null default now(), constraint "message_attachment_blobs_pkey" primary key ("id"));`);
    this.addSql(`create index "message_attachment_blobs_message_id_index" on "message_attachment_blobs" ("message_id");`);

    this.addSql(`alter table "email_channels" add constraint "email_channels_inbox_id_foreign" foreign key ("inbox_id") references "inboxes" ("id") on update cascade on delete cascade;`);

    this.addSql(`alter table "message_attachment_blobs" add constraint "message_attachment_blobs_message_id_foreign" foreign key ("message_id") references "messages" ("id") on update cascade on delete cascade;`);

    this.addSql(`alter table "messages" add column "subject" text null, add column "automated" boolean not null default false, add column "email_message_id" text null, add column "email_meta" jsonb null;`);
    this.addSql(`create index "messages_email_message_id_index" on "messages" ("email_message_id");`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "email_channels" cascade;`);

    this.addSql(`drop table if exists "message_attachment_blobs" cascade;`);

    this.addSql(`drop index "messages_email_message_id_index";`);
    this.addSql(`alter table "messages" drop column "subject", drop column "automated", drop column "email_message_id", drop column "email_meta";`);
  }

}
