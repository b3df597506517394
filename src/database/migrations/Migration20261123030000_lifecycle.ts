import { Migration } from '@mikro-orm/migrations';

export class Migration20261123030000_lifecycle extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table "csat_surveys" ("id" uuid not null, "conversation_id" uuid not null, "account_id" uuid not null, "inbox_id" uuid not null, "agent_id" uuid null, "resolution_key" text not null, "token" text not null, "question" text not null, "message_id" bigint null, "sent_at" timestamptz null, "rating" smallint null, "comment" text null, "rated_at" timestamptz null, "created_at" timestamptz not null default now(), constraint "csat_surveys_pkey" primary key ("id"));`);
    this.addSql(`alter table "csat_surveys" add constraint "csat_surveys_token_unique" unique ("token");`);
    this.addSql(`create index "csat_surveys_account_id_sent_at_index" on "csat_surveys" ("account_id", "sent_at");`);
    this.addSql(`create index "csat_surveys_inbox_id_sent_at_index" on "csat_surveys" ("inbox_id", "sent_at");`);
    this.addSql(`alter table "csat_surveys" add constraint "csat_surveys_conversation_id_resolution_key_unique" unique ("conversation_id", "resolution_key");`);

    this.addSql(`create table "conversation_decisions" ("id" bigserial primary key, "conversation_id" uuid not null, "kind" text not null, "summary" text not null, "details" jsonb null, "actor_user_id" uuid null, "created_at" timestamptz not null default now());`);
    this.addSql(`create index "conversation_decisions_conversation_id_id_index" on "conversation_decisions" ("conversation_id", "id");`);

    this.addSql(`create table "agent_presence" ("user_id" uuid not null, "account_id" uuid not null, "online" boolean not null default false, "last_heartbeat_at" timestamptz not null default now(), "offline_since" timestamptz null, "offline_reason" text null, "changed_at" timestamptz not null default now(), constraint "agent_presence_pkey" primary key ("user_id"));`);
    this.addSql(`create index "agent_presence_online_index" on "agent_presence" ("online");`);

    this.addSql(`alter table "csat_surveys" add constraint "csat_surveys_conversation_id_foreign" foreign key ("conversation_id") references "conversations" ("id") on update cascade on delete cascade;`);

    this.addSql(`alter table "conversation_decisions" add constraint "conversation_decisions_conversation_id_foreign" foreign key ("conversation_id") references "conversations" ("id") on update cascade on delete cascade;`);

    this.addSql(`alter table "agent_presence" add constraint "agent_presence_user_id_foreign" foreign key ("user_id") references "users" ("id") on update cascade on delete cascade;`);

    this.addSql(`alter table "messages" drop constraint if exists "messages_sender_type_check";`);

    this.addSql(`alter table "inboxes" add column "round_robin_cursor" uuid null;`);

    this.addSql(`alter table "conversations" add column "queued_at" timestamptz null, add column "queue_target" text null, add column "handler" text not null default 'human';`);
    this.addSql(`create index "conversations_waiting_queue_index" on "conversations" ("inbox_id", "queued_at") where "queued_at" is not null;`);

    this.addSql(`alter table "messages" add constraint "messages_sender_type_check" check("sender_type" in ('contact', 'agent', 'system', 'ai'));`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "csat_surveys" cascade;`);

    this.addSql(`drop table if exists "conversation_decisions" cascade;`);

    this.addSql(`drop table if exists "agent_presence" cascade;`);

    this.addSql(`alter table "messages" drop constraint if exists "messages_sender_type_check";`);

    this.addSql(`drop index "conversations_waiting_queue_index";`);
    this.addSql(`alter table "conversations" drop column "queued_at", drop column "queue_target", drop column "handler";`);

    this.addSql(`alter table "inboxes" drop column "round_robin_cursor";`);

    this.addSql(`alter table "messages" add constraint "messages_sender_type_check" check("sender_type" in ('contact', 'agent', 'system'));`);
  }

}
