import { Migration } from '@mikro-orm/migrations';

/**
 * Automation rules: the rules, the conversations' event log the rules run on, one run row per event
 * (facts + every rule's evaluation) and one firing row per rule that fired (claimed before its actions).
 */
export class Migration20261201102858_automation_rules extends Migration {

  override async up(): Promise<void> {
    // Messages an automation rule sends carry the sender type 'rule'.
    this.addSql(`alter table "messages" drop constraint if exists "messages_sender_type_check";`);
    this.addSql(`alter table "messages" add constraint "messages_sender_type_check" check("sender_type" in ('contact', 'agent', 'system', 'ai', 'note', 'rule'));`);
    this.addSql(`create table "conversation_events" ("id" bigserial primary key, "conversation_id" uuid not null, "type" text not null, "data" jsonb not null default '{}', "actor_user_id" uuid null, "cause_rule_id" uuid null, "cause_firing_id" bigint null, "depth" smallint not null default 0, "created_at" timestamptz not null default clock_timestamp(), "processed_at" timestamptz null);`);
    this.addSql(`create index "conversation_events_unprocessed_index" on "conversation_events" ("conversation_id", "id") where "processed_at" is null;`);
    this.addSql(`create index "conversation_events_conversation_id_id_index" on "conversation_events" ("conversation_id", "id");`);

    this.addSql(`create table "automation_runs" ("id" bigserial primary key, "conversation_id" uuid not null, "account_id" uuid not null, "inbox_id" uuid not null, "event_id" bigint null, "timer_key" text null, "trigger" jsonb not null, "facts" jsonb not null, "evaluations" jsonb not null, "created_at" timestamptz not null default clock_timestamp());`);
    this.addSql(`alter table "automation_runs" add constraint "automation_runs_event_id_unique" unique ("event_id");`);
    this.addSql(`alter table "automation_runs" add constraint "automation_runs_timer_key_unique" unique ("timer_key");`);
    this.addSql(`create index "automation_runs_conversation_id_id_index" on "automation_runs" ("conversation_id", "id");`);
    this.addSql(`create index "automation_runs_inbox_id_created_at_index" on "automation_runs" ("inbox_id", "created_at");`);

    this.addSql(`create table "automation_firings" ("id" bigserial primary key, "rule_id" uuid not null, "rule_version" int not null, "account_id" uuid not null, "conversation_id" uuid not null, "run_id" bigint not null, "key" text not null, "depth" smallint not null default 0, "status" text not null default 'running', "outcomes" jsonb null, "error" text null, "created_at" timestamptz not null default clock_timestamp(), "finished_at" timestamptz null);`);
    this.addSql(`alter table "automation_firings" add constraint "automation_firings_key_unique" unique ("key");`);
    this.addSql(`create index "automation_firings_conversation_id_created_at_index" on "automation_firings" ("conversation_id", "created_at");`);
    this.addSql(`create index "automation_firings_rule_id_created_at_index" on "automation_firings" ("rule_id", "created_at");`);

    this.addSql(`create table "automation_rules" ("id" uuid not null, "account_id" uuid not null, "inbox_id" uuid null, "name" text not null, "description" text null, "enabled" boolean not null default false, "position" int not null, "stop_processing" boolean not null default false, "allow_chaining" boolean not null default false, "trigger" jsonb not null, "conditions" jsonb not null, "actions" jsonb not null, "version" int not null default 1, "created_by_user_id" uuid null, "updated_by_user_id" uuid null, "created_at" timestamptz not null default now(), "updated_at" timestamptz not null default now(), constraint "automation_rules_pkey" primary key ("id"));`);
    this.addSql(`create index "automation_rules_account_id_position_index" on "automation_rules" ("account_id", "position");`);

    this.addSql(`alter table "conversation_events" add constraint "conversation_events_conversation_id_foreign" foreign key ("conversation_id") references "conversations" ("id") on update cascade on delete cascade;`);

    this.addSql(`alter table "automation_runs" add constraint "automation_runs_conversation_id_foreign" foreign key ("conversation_id") references "conversations" ("id") on update cascade on delete cascade;`);

    this.addSql(`alter table "automation_firings" add constraint "automation_firings_conversation_id_foreign" foreign key ("conversation_id") references "conversations" ("id") on update cascade on delete cascade;`);

    this.addSql(`alter table "automation_rules" add constraint "automation_rules_account_id_foreign" foreign key ("account_id") references "accounts" ("id") on update cascade on delete cascade;`);
    this.addSql(`alter table "automation_rules" add constraint "automation_rules_inbox_id_foreign" foreign key ("inbox_id") references "inboxes" ("id") on update cascade on delete cascade;`);
  }

  override async down(): Promise<void> {
    this.addSql(`update "messages" set "sender_type" = 'system' where "sender_type" = 'rule';`);
    this.addSql(`alter table "messages" drop constraint if exists "messages_sender_type_check";`);
    this.addSql(`alter table "messages" add constraint "messages_sender_type_check" check("sender_type" in ('contact', 'agent', 'system', 'ai', 'note'));`);
    this.addSql(`drop table if exists "conversation_events" cascade;`);

    this.addSql(`drop table if exists "automation_runs" cascade;`);

    this.addSql(`drop table if exists "automation_firings" cascade;`);

    this.addSql(`drop table if exists "automation_rules" cascade;`);
  }

}
