import { Migration } from '@mikro-orm/migrations';

export class Migration20261122231505_inbox_domain extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table "contact_attribute_definitions" ("id" uuid not null, "account_id" uuid not null, "key" text not null, "label" text not null, "type" text check ("type" in ('text', 'dropdown')) not null, "options" jsonb not null default '[]', "visible" boolean not null default true, "position" int not null default 0, "created_at" timestamptz not null default now(), constraint "contact_attribute_definitions_pkey" primary key ("id"));`);
    this.addSql(`alter table "contact_attribute_definitions" add constraint "contact_attribute_definitions_account_id_key_unique" unique ("account_id", "key");`);

    this.addSql(`create table "contact_opt_outs" ("id" uuid not null, "contact_id" uuid not null, "channel_type" text not null, "source" text not null, "created_at" timestamptz not null default now(), constraint "contact_opt_outs_pkey" primary key ("id"));`);
    this.addSql(`alter table "contact_opt_outs" add constraint "contact_opt_outs_contact_id_channel_type_unique" unique ("contact_id", "channel_type");`);

    this.addSql(`create table "deleted_contacts" ("id" uuid not null, "account_id" uuid not null, "masked_hint" text not null, "channel_type" text null, "deleted_at" timestamptz not null default now(), "deleted_by_user_id" uuid not null, "deleted_by_name" text not null, constraint "deleted_contacts_pkey" primary key ("id"));`);
    this.addSql(`create index "deleted_contacts_account_id_deleted_at_index" on "deleted_contacts" ("account_id", "deleted_at");`);

    this.addSql(`create table "conversation_user_states" ("id" uuid not null, "conversation_id" uuid not null, "user" uuid not null, "read_at" timestamptz null, "pinned_at" timestamptz null, constraint "conversation_user_states_pkey" primary key ("id"));`);
    this.addSql(`create index "conversation_user_states_conversation_id_index" on "conversation_user_states" ("conversation_id");`);
    this.addSql(`alter table "conversation_user_states" add constraint "conversation_user_states_user_conversation_id_unique" unique ("user", "conversation_id");`);

    this.addSql(`create table "conversation_tags" ("id" uuid not null, "conversation_id" uuid not null, "tag" text not null, constraint "conversation_tags_pkey" primary key ("id"));`);
    this.addSql(`create index "conversation_tags_tag_conversation_id_index" on "conversation_tags" ("tag", "conversation_id");`);
    this.addSql(`alter table "conversation_tags" add constraint "conversation_tags_conversation_id_tag_unique" unique ("conversation_id", "tag");`);

    this.addSql(`create table "saved_replies" ("id" uuid not null, "account_id" uuid not null, "scope" text check ("scope" in ('personal', 'inbox', 'team')) not null, "scope_id" uuid not null, "shortcut" text not null, "content" text not null, "created_by_user_id" uuid not null, "created_at" timestamptz not null default now(), "updated_at" timestamptz not null default now(), constraint "saved_replies_pkey" primary key ("id"));`);
    this.addSql(`create index "saved_replies_account_id_scope_scope_id_index" on "saved_replies" ("account_id", "scope", "scope_id");`);
    this.addSql(`alter table "saved_replies" add constraint "saved_replies_scope_scope_id_shortcut_unique" unique ("scope", "scope_id", "shortcut");`);

    this.addSql(`create table "teams" ("id" uuid not null, "account_id" uuid not null, "name" text not null, "created_at" timestamptz not null default now(), constraint "teams_pkey" primary key ("id"));`);
    this.addSql(`alter table "teams" add constraint "teams_account_id_name_unique" unique ("account_id", "name");`);

    this.addSql(`create table "users" ("id" uuid not null, "account_id" uuid not null, "email" text not null, "name" text not null, "password_hash" text not null, "is_admin" boolean not null default false, "disabled_at" timestamptz null, "created_at" timestamptz not null default now(), constraint "users_pkey" primary key ("id"));`);
    this.addSql(`alter table "users" add constraint "users_email_unique" unique ("email");`);
    this.addSql(`create index "users_account_id_index" on "users" ("account_id");`);

    this.addSql(`create table "team_members" ("id" uuid not null, "team_id" uuid not null, "user_id" uuid not null, constraint "team_members_pkey" primary key ("id"));`);
    this.addSql(`alter table "team_members" add constraint "team_members_team_id_user_id_unique" unique ("team_id", "user_id");`);

    this.addSql(`create table "inbox_memberships" ("id" uuid not null, "inbox_id" uuid not null, "user_id" uuid not null, "role" text check ("role" in ('member', 'manager')) not null, "created_at" timestamptz not null default now(), constraint "inbox_memberships_pkey" primary key ("id"));`);
    this.addSql(`create index "inbox_memberships_user_id_index" on "inbox_memberships" ("user_id");`);
    this.addSql(`alter table "inbox_memberships" add constraint "inbox_memberships_inbox_id_user_id_unique" unique ("inbox_id", "user_id");`);

    this.addSql(`create table "contact_favourites" ("id" uuid not null, "user_id" uuid not null, "contact_id" uuid not null, constraint "contact_favourites_pkey" primary key ("id"));`);
    this.addSql(`create index "contact_favourites_contact_id_index" on "contact_favourites" ("contact_id");`);
    this.addSql(`alter table "contact_favourites" add constraint "contact_favourites_user_id_contact_id_unique" unique ("user_id", "contact_id");`);

    this.addSql(`create table "auth_tokens" ("id" uuid not null, "user_id" uuid not null, "kind" text check ("kind" in ('session', 'api')) not null, "name" text null, "token_hash" text not null, "created_at" timestamptz not null default now(), "last_seen_at" timestamptz not null default now(), "expires_at" timestamptz null, "revoked_at" timestamptz null, "end_reason" text null, constraint "auth_tokens_pkey" primary key ("id"));`);
    this.addSql(`alter table "auth_tokens" add constraint "auth_tokens_token_hash_unique" unique ("token_hash");`);
    this.addSql(`create index "auth_tokens_user_id_kind_index" on "auth_tokens" ("user_id", "kind");`);

    this.addSql(`alter table "contact_attribute_definitions" add constraint "contact_attribute_definitions_account_id_foreign" foreign key ("account_id") references "accounts" ("id") on update cascade on delete cascade;`);

    this.addSql(`alter table "contact_opt_outs" add constraint "contact_opt_outs_contact_id_foreign" foreign key ("contact_id") references "contacts" ("id") on update cascade on delete cascade;`);

    this.addSql(`alter table "deleted_contacts" add constraint "deleted_contacts_account_id_foreign" foreign key ("account_id") references "accounts" ("id") on update cascade on delete cascade;`);

    this.addSql(`alter table "conversation_user_states" add constraint "conversation_user_states_conversation_id_foreign" foreign key ("conversation_id") references "conversations" ("id") on update cascade on delete cascade;`);

    this.addSql(`alter table "conversation_tags" add constraint "conversation_tags_conversation_id_foreign" foreign key ("conversation_id") references "conversations" ("id") on update cascade on delete cascade;`);

    this.addSql(`alter table "saved_replies" add constraint "saved_replies_account_id_foreign" foreign key ("account_id") references "accounts" ("id") on update cascade on delete cascade;`);

    this.addSql(`alter table "teams" add constraint "teams_account_id_foreign" foreign key ("account_id") references "accounts" ("id") on update cascade on delete cascade;`);

    this.addSql(`alter table "users" add constraint "users_account_id_foreign" foreign key ("account_id") references "accounts" ("id") on update cascade on delete cascade;`);

    this.addSql(`alter table "team_members" add constraint "team_members_team_id_foreign" foreign key ("team_id") references "teams" ("id") on update cascade on delete cascade;`);
    this.addSql(`alter table "team_members" add constraint "team_members_user_id_foreign" foreign key ("user_id") references "users" ("id") on update cascade on delete cascade;`);

    this.addSql(`alter table "inbox_memberships" add constraint "inbox_memberships_inbox_id_foreign" foreign key ("inbox_id") references "inboxes" ("id") on update cascade on delete cascade;`);
    this.addSql(`alter table "inbox_memberships" add constraint "inbox_memberships_user_id_foreign" foreign key ("user_id") references "users" ("id") on update cascade on delete cascade;`);

    this.addSql(`alter table "contact_favourites" add constraint "contact_favourites_user_id_foreign" foreign key ("user_id") references "users" ("id") on update cascade on delete cascade;`);
    this.addSql(`alter table "contact_favourites" add constraint "contact_favourites_contact_id_foreign" foreign key ("contact_id") references "contacts" ("id") on update cascade on delete cascade;`);

    this.addSql(`alter table "auth_tokens" add constraint "auth_tokens_user_id_foreign" foreign key ("user_id") references "users" ("id") on update cascade on delete cascade;`);

    // Existing rows get the settings defaults of this version; new rows get theirs from the entity.
    this.addSql(`alter table "accounts" add column "company_name" text null, add column "address" text null, add column "email" text null, add column "phone" text null, add column "settings" jsonb not null default '{"allowMoveBetweenInboxes":false,"companyNameInsertion":false,"optOut":{"enabled":true,"confirmationText":"You have been unsubscribed and will receive no further messages. Reply START to subscribe again.","helpText":"Reply STOP to unsubscribe, START to subscribe again."},"messageAssistantEnabled":false,"matchingAttribute":"email","variableDefaults":{}}';`);
    this.addSql(`alter table "accounts" alter column "settings" drop default;`);

    this.addSql(`alter table "contacts" add column "spam" boolean not null default false, add column "platform_attributes" jsonb not null default '{}', add column "attributes" jsonb not null default '{}', add column "updated_at" timestamptz not null default now();`);
    this.addSql(`create index "contacts_account_id_created_at_index" on "contacts" ("account_id", "created_at");`);

    this.addSql(`alter table "inboxes" add column "settings" jsonb not null default '{"assignmentMode":"assignment","businessHours":{"enabled":false,"timezone":"UTC","intervals":{},"exceptions":{},"outOfOfficeMessage":null},"csat":{"enabled":false,"question":"How would you rate our support? Reply with a number from 1 to 5.","scale":5,"delaySeconds":0},"routing":{"rules":[],"aiAgentEnabled":false,"humanAgentsEnabled":true,"distribution":"least_load","capacityPerAgent":10},"autoUnassign":{"enabled":true,"graceSeconds":120}}';`);
    this.addSql(`alter table "inboxes" alter column "settings" drop default;`);

    this.addSql(`drop index "conversations_inbox_id_last_activity_at_index";`);

    this.addSql(`alter table "conversations" add column "priority" smallint not null default 0, add column "resolved_at" timestamptz null;`);
    this.addSql(`create index "conversations_contact_id_index" on "conversations" ("contact_id");`);
    this.addSql(`create index "conversations_assignee_id_status_index" on "conversations" ("assignee_id", "status");`);
    this.addSql(`create index "conversations_inbox_id_created_at_id_index" on "conversations" ("inbox_id", "created_at", "id");`);
    this.addSql(`create index "conversations_inbox_id_status_last_activity_at_id_index" on "conversations" ("inbox_id", "status", "last_activity_at", "id");`);
    this.addSql(`create index "conversations_inbox_id_last_activity_at_id_index" on "conversations" ("inbox_id", "last_activity_at", "id");`);

    this.addSql(`alter table "messages" add column "sender_user_id" uuid null, add column "error" text null;`);

    // Text search over messages (conversation list filter "q").
    this.addSql(`create index "messages_content_fts" on "messages" using gin (to_tsvector('simple', "content"));`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop index if exists "messages_content_fts";`);
    this.addSql(`alter table "team_members" drop constraint "team_members_team_id_foreign";`);

    this.addSql(`alter table "team_members" drop constraint "team_members_user_id_foreign";`);

    this.addSql(`alter table "inbox_memberships" drop constraint "inbox_memberships_user_id_foreign";`);

    this.addSql(`alter table "contact_favourites" drop constraint "contact_favourites_user_id_foreign";`);

    this.addSql(`alter table "auth_tokens" drop constraint "auth_tokens_user_id_foreign";`);

    this.addSql(`drop table if exists "contact_attribute_definitions" cascade;`);

    this.addSql(`drop table if exists "contact_opt_outs" cascade;`);

    this.addSql(`drop table if exists "deleted_contacts" cascade;`);

    this.addSql(`drop table if exists "conversation_user_states" cascade;`);

    this.addSql(`drop table if exists "conversation_tags" cascade;`);

    this.addSql(`drop table if exists "saved_replies" cascade;`);

    this.addSql(`drop table if exists "teams" cascade;`);

    this.addSql(`drop table if exists "users" cascade;`);

    this.addSql(`drop table if exists "team_members" cascade;`);

    this.addSql(`drop table if exists "inbox_memberships" cascade;`);

    this.addSql(`drop table if exists "contact_favourites" cascade;`);

    this.addSql(`drop table if exists "auth_tokens" cascade;`);

    this.addSql(`alter table "accounts" drop column "company_name", drop column "address", drop column "email", drop column "phone", drop column "settings";`);

    this.addSql(`drop index "contacts_account_id_created_at_index";`);
    this.addSql(`alter table "contacts" drop column "spam", drop column "platform_attributes", drop column "attributes", drop column "updated_at";`);

    this.addSql(`drop index "conversations_contact_id_index";`);
    this.addSql(`drop index "conversations_assignee_id_status_index";`);
    this.addSql(`drop index "conversations_inbox_id_created_at_id_index";`);
    this.addSql(`drop index "conversations_inbox_id_status_last_activity_at_id_index";`);
    this.addSql(`drop index "conversations_inbox_id_last_activity_at_id_index";`);
    this.addSql(`alter table "conversations" drop column "priority", drop column "resolved_at";`);

    this.addSql(`create index "conversations_inbox_id_last_activity_at_index" on "conversations" ("inbox_id", "last_activity_at");`);

    this.addSql(`alter table "inboxes" drop column "settings";`);

    this.addSql(`alter table "messages" drop column "sender_user_id", drop column "error";`);
  }

}
