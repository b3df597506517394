import { Migration } from '@mikro-orm/migrations';

/**
 * Outgoing webhooks: endpoints, messages, deliveries, attempts and per-conversation sequence numbers,
 * and the triggers that enqueue events.
 *
 * Enqueueing reuses the live events' mechanism: DEFERRABLE INITIALLY DEFERRED constraint triggers on
 * the source tables (conversation_events, messages, contacts, campaigns) call webhook_enqueue() at
 * COMMIT of the transaction that made the change, so a message exists exactly when its change
 * committed, whichever code path (API, activities, raw SQL) made it. webhook_enqueue() writes
 * nothing when no enabled endpoint of the account wants the type. A conversation's sequence number is
 * drawn from webhook_sequences under that row's lock, held until the commit ends: sequence order is
 * commit order, and a reader that sees sequence n of a conversation sees every lower one.
 * pg_notify('cx_webhooks', <endpoint ids>) wakes the worker's dispatcher, which signals the endpoints'
 * delivery workflows.
 */
export class Migration20261201170000_webhooks extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table "webhook_endpoints" ("id" uuid not null, "account_id" uuid not null, "url" text not null, "description" text not null default '', "event_types" text[] not null default '{}', "include_notes" boolean not null default false, "enabled" boolean not null default true, "disabled_reason" text null, "disabled_at" timestamptz null, "failing_since" timestamptz null, "last_success_at" timestamptz null, "last_failure_at" timestamptz null, "secret_sealed" text not null, "previous_secret_sealed" text null, "previous_secret_expires_at" timestamptz null, "created_at" timestamptz not null default now(), "updated_at" timestamptz not null default now(), constraint "webhook_endpoints_pkey" primary key ("id"));`);
    this.addSql(`create index "webhook_endpoints_account_id_created_at_index" on "webhook_endpoints" ("account_id", "created_at");`);
    this.addSql(`create table "webhook_messages" ("id" text not null, "account_id" uuid not null, "type" text not null, "conversation_id" uuid null, "sequence" bigint null, "body" text not null, "created_at" timestamptz not null default clock_timestamp(), constraint "webhook_messages_pkey" primary key ("id"));`);
    this.addSql(`create index "webhook_messages_account_id_created_at_index" on "webhook_messages" ("account_id", "created_at");`);
    this.addSql(`create table "webhook_deliveries" ("id" bigserial primary key, "endpoint_id" uuid not null, "message_id" text not null, "conversation_id" uuid null, "sequence" bigint null, "status" text not null default 'pending', "attempts" int not null default 0, "next_attempt_at" timestamptz null, "last_attempt_at" timestamptz null, "last_status_code" int null, "last_error" text null, "delivered_at" timestamptz null, "created_at" timestamptz not null default clock_timestamp());`);
    this.addSql(`create index "webhook_deliveries_pending_conversation_index" on "webhook_deliveries" ("endpoint_id", "conversation_id", "sequence") where "status" = 'pending';`);
    this.addSql(`create index "webhook_deliveries_pending_index" on "webhook_deliveries" ("endpoint_id", "next_attempt_at") where "status" = 'pending';`);
    this.addSql(`create index "webhook_deliveries_endpoint_id_id_index" on "webhook_deliveries" ("endpoint_id", "id");`);
    this.addSql(`alter table "webhook_deliveries" add constraint "webhook_deliveries_endpoint_id_message_id_unique" unique ("endpoint_id", "message_id");`);
    this.addSql(`create table "webhook_attempts" ("id" bigserial primary key, "delivery_id" bigint not null, "attempted_at" timestamptz not null default clock_timestamp(), "status_code" int null, "duration_ms" int not null, "response_excerpt" text null, "error" text null, "succeeded" boolean not null);`);
    this.addSql(`create index "webhook_attempts_delivery_id_id_index" on "webhook_attempts" ("delivery_id", "id");`);
    this.addSql(`create table "webhook_sequences" ("conversation_id" uuid not null, "last_sequence" bigint not null, constraint "webhook_sequences_pkey" primary key ("conversation_id"));`);
    this.addSql(`alter table "webhook_endpoints" add constraint "webhook_endpoints_account_id_foreign" foreign key ("account_id") references "accounts" ("id") on update cascade on delete cascade;`);
    this.addSql(`alter table "webhook_deliveries" add constraint "webhook_deliveries_endpoint_id_foreign" foreign key ("endpoint_id") references "webhook_endpoints" ("id") on update cascade on delete cascade;`);
    this.addSql(`alter table "webhook_deliveries" add constraint "webhook_deliveries_message_id_foreign" foreign key ("message_id") references "webhook_messages" ("id") on update cascade on delete cascade;`);
    this.addSql(`alter table "webhook_attempts" add constraint "webhook_attempts_delivery_id_foreign" foreign key ("delivery_id") references "webhook_deliveries" ("id") on update cascade on delete cascade;`);
    this.addSql(`alter table "webhook_sequences" add constraint "webhook_sequences_conversation_id_foreign" foreign key ("conversation_id") references "conversations" ("id") on update cascade on delete cascade;`);

    this.addSql(`create function webhook_enqueue(p_account uuid, p_type text, p_conversation uuid, p_data jsonb, p_note boolean, p_only_endpoint uuid default null, p_message_id text default null)
      returns text language plpgsql as $$
      declare
        v_seq bigint;
        v_msg text;
        v_ts timestamptz := clock_timestamp();
        v_data jsonb := p_data;
        v_endpoints text;
      begin
        if p_account is null then return null; end if;
        -- A caller's own id (an automation firing's action) makes the call idempotent.
        if p_message_id is not null and exists (select 1 from webhook_messages where id = p_message_id) then return p_message_id; end if;
        select string_agg(id::text, ',') into v_endpoints from webhook_endpoints
          where account_id = p_account and enabled
            and (p_only_endpoint is null or id = p_only_endpoint)
            and (p_only_endpoint is not null or cardinality(event_types) = 0 or p_type = any(event_types))
            and (not p_note or include_notes);
        if v_endpoints is null then return null; end if;
        if p_conversation is not null then
          insert into webhook_sequences (conversation_id, last_sequence) values (p_conversation, 1)
            on conflict (conversation_id) do update set last_sequence = webhook_sequences.last_sequence + 1
            returning last_sequence into v_seq;
          v_data := v_data || jsonb_build_object('sequence', v_seq);
        end if;
        v_msg := coalesce(p_message_id, 'msg_' || replace(gen_random_uuid()::text, '-', ''));
        insert into webhook_messages (id, account_id, type, conversation_id, sequence, body, created_at)
          values (v_msg, p_account, p_type, p_conversation, v_seq,
            jsonb_build_object('type', p_type, 'timestamp', to_char(v_ts at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'), 'data', v_data)::text, v_ts);
        insert into webhook_deliveries (endpoint_id, message_id, conversation_id, sequence, next_attempt_at, created_at)
          select e::uuid, v_msg, p_conversation, v_seq, v_ts, v_ts from unnest(string_to_array(v_endpoints, ',')) as e;
        perform pg_notify('cx_webhooks', v_endpoints);
        return v_msg;
      end $$;`);

    // A conversation as the payloads show it.
    this.addSql(`create function webhook_conversation_json(p_id uuid) returns jsonb language sql stable as $$
      select jsonb_build_object('id', c.id, 'inboxId', c.inbox_id, 'contactId', c.contact_id, 'channelType', c.channel_type,
        'status', c.status, 'assigneeId', c.assignee_id, 'priority', c.priority, 'createdAt', c.created_at)
      from conversations c where c.id = p_id $$;`);

    // conversation_events: created, status changed, assigned, unassigned, CSAT received
    this.addSql(`create function webhooks_conversation_event() returns trigger language plpgsql as $$
      declare
        v_type text;
        v_account uuid;
      begin
        v_type := case new.type
          when 'conversation_created' then 'conversation.created'
          when 'status_changed' then 'conversation.status_changed'
          when 'assigned' then 'conversation.assigned'
          when 'unassigned' then 'conversation.unassigned'
          when 'csat_received' then 'csat.received'
        end;
        if v_type is null then return null; end if;
        select account_id into v_account from conversations where id = new.conversation_id;
        if not found then return null; end if;
        perform webhook_enqueue(v_account, v_type, new.conversation_id, jsonb_build_object(
          'conversation', webhook_conversation_json(new.conversation_id),
          'change', new.data, 'actorUserId', new.actor_user_id, 'ruleId', new.cause_rule_id), false);
        return null;
      end $$;`);
    this.addSql(`create constraint trigger webhooks_conversation_event_insert after insert on conversation_events deferrable initially deferred
      for each row when (new.type in ('conversation_created', 'status_changed', 'assigned', 'unassigned', 'csat_received'))
      execute function webhooks_conversation_event();`);

    // messages: message.created (inbound, outbound; private notes only to endpoints that chose them)
    this.addSql(`create function webhooks_message() returns trigger language plpgsql as $$
      declare
        v_account uuid;
      begin
        select account_id into v_account from conversations where id = new.conversation_id;
        if not found then return null; end if;
        perform webhook_enqueue(v_account, 'message.created', new.conversation_id, jsonb_build_object(
          'conversation', webhook_conversation_json(new.conversation_id),
          'message', jsonb_build_object('id', new.id::text, 'direction', new.direction, 'private', new.direction = 'internal',
            'senderType', new.sender_type, 'senderUserId', new.sender_user_id, 'content', new.content,
            'attachments', new.attachments, 'createdAt', new.created_at)), new.direction = 'internal');
        return null;
      end $$;`);
    this.addSql(`create constraint trigger webhooks_message_insert after insert on messages deferrable initially deferred
      for each row execute function webhooks_message();`);

    // contacts: created / updated (a visible field changed) / deleted
    this.addSql(`create function webhooks_contact() returns trigger language plpgsql as $$
      declare
        r contacts%rowtype;
      begin
        if tg_op = 'DELETE' then r := old; else r := new; end if;
        perform webhook_enqueue(r.account_id, case tg_op when 'INSERT' then 'contact.created' when 'UPDATE' then 'contact.updated' else 'contact.deleted' end, null,
          jsonb_build_object('contact', case when tg_op = 'DELETE' then jsonb_build_object('id', r.id) else jsonb_build_object('id', r.id, 'name', r.name, 'email', r.email,
            'phone', r.phone, 'vip', r.vip, 'attributes', r.attributes, 'tags', to_jsonb(r.tags), 'createdAt', r.created_at, 'updatedAt', r.updated_at) end), false);
        return null;
      end $$;`);
    this.addSql(`create constraint trigger webhooks_contact_insert after insert on contacts deferrable initially deferred
      for each row execute function webhooks_contact();`);
    this.addSql(`create constraint trigger webhooks_contact_update after update on contacts deferrable initially deferred
      for each row when ((old.name, old.email, old.phone, old.vip, old.attributes, old.tags) is distinct from (new.name, new.email, new.phone, new.vip, new.attributes, new.tags))
      execute function webhooks_contact();`);
    this.addSql(`create constraint trigger webhooks_contact_delete after delete on contacts deferrable initially deferred
      for each row execute function webhooks_contact();`);

    // campaigns: started (first time running) / completed
    this.addSql(`create function webhooks_campaign() returns trigger language plpgsql as $$
      begin
        perform webhook_enqueue(new.account_id, case when new.status = 'completed' then 'campaign.completed' else 'campaign.started' end, null,
          jsonb_build_object('campaign', jsonb_build_object('id', new.id, 'name', new.name, 'inboxId', new.inbox_id, 'type', new.type,
            'status', new.status, 'audienceTotal', new.audience_total, 'startedAt', new.started_at, 'finishedAt', new.finished_at)), false);
        return null;
      end $$;`);
    this.addSql(`create constraint trigger webhooks_campaign_update after update on campaigns deferrable initially deferred
      for each row when ((new.status = 'running' and old.started_at is null and new.started_at is not null)
        or (new.status = 'completed' and old.status is distinct from 'completed'))
      execute function webhooks_campaign();`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop trigger if exists webhooks_campaign_update on campaigns;`);
    this.addSql(`drop trigger if exists webhooks_contact_insert on contacts;`);
    this.addSql(`drop trigger if exists webhooks_contact_update on contacts;`);
    this.addSql(`drop trigger if exists webhooks_contact_delete on contacts;`);
    this.addSql(`drop trigger if exists webhooks_message_insert on messages;`);
    this.addSql(`drop trigger if exists webhooks_conversation_event_insert on conversation_events;`);
    this.addSql(`drop function if exists webhooks_campaign();`);
    this.addSql(`drop function if exists webhooks_contact();`);
    this.addSql(`drop function if exists webhooks_message();`);
    this.addSql(`drop function if exists webhooks_conversation_event();`);
    this.addSql(`drop function if exists webhook_conversation_json(uuid);`);
    this.addSql(`drop function if exists webhook_enqueue(uuid, text, uuid, jsonb, boolean, uuid, text);`);
    this.addSql(`drop table if exists "webhook_attempts" cascade;`);
    this.addSql(`drop table if exists "webhook_deliveries" cascade;`);
    this.addSql(`drop table if exists "webhook_messages" cascade;`);
    this.addSql(`drop table if exists "webhook_sequences" cascade;`);
    this.addSql(`drop table if exists "webhook_endpoints" cascade;`);
  }
}
