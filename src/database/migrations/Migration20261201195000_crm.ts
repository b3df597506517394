import { Migration } from '@mikro-orm/migrations';

/**
 * The generic CRM connector: connectors, per-contact links (external id, the values last in sync with
 * the CRM), the per-contact call log and the durable queue of lookups to run.
 *
 * Lookups: plain AFTER INSERT triggers on contacts and on conversation_events (conversation_created)
 * put one row per enabled connector that wants it into crm_lookup_queue (one per connector and
 * contact) and pg_notify('cx_crm_lookups'); the worker's CrmLookupDispatcher starts a crm-lookup
 * workflow per row and removes the row once the workflow is started. The inbound path only inserts a
 * row; the HTTP call runs in an activity.
 *
 * Write-back goes through the webhooks pipeline: a connector with write-back owns a webhook endpoint
 * of kind 'crm' (its URL, signing secret, the connector's sealed headers and timeout). A deferred
 * trigger on conversation_events (status_changed) compares the contact's CRM-managed values with
 * those last in sync and, when some changed, calls webhook_enqueue() for that endpoint only, with a
 * message id derived from the connector and the status-change event: the webhook-id and the
 * Idempotency-Key header; one status change is at most one write-back, however often it is retried.
 * webhook_enqueue() no longer hands other events to 'crm' endpoints.
 */
export class Migration20261201195000_crm extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table "webhook_endpoints" add column "kind" text not null default 'webhook', add column "headers_sealed" text null, add column "timeout_ms" int null;`);
    this.addSql(`create index "webhook_endpoints_account_id_kind_index" on "webhook_endpoints" ("account_id", "kind");`);

    this.addSql(`create table "crm_connectors" ("id" uuid not null, "account_id" uuid not null, "name" text not null, "enabled" boolean not null default true,
      "lookup_attribute" text not null, "lookup_url" text not null, "headers_sealed" text null, "header_names" text[] not null default '{}',
      "timeout_ms" int not null default 5000, "cache_ttl_seconds" int not null default 3600, "external_id_pointer" text not null default '/id',
      "mapping" jsonb not null default '[]', "lookup_on_contact_created" boolean not null default true, "lookup_on_conversation_started" boolean not null default true,
      "write_back_enabled" boolean not null default false, "write_back_url" text null, "webhook_endpoint_id" uuid null,
      "created_at" timestamptz not null default now(), "updated_at" timestamptz not null default now(), constraint "crm_connectors_pkey" primary key ("id"));`);
    this.addSql(`create index "crm_connectors_account_id_index" on "crm_connectors" ("account_id");`);
    this.addSql(`alter table "crm_connectors" add constraint "crm_connectors_account_id_foreign" foreign key ("account_id") references "accounts" ("id") on update cascade on delete cascade;`);
    this.addSql(`alter table "crm_connectors" add constraint "crm_connectors_webhook_endpoint_id_foreign" foreign key ("webhook_endpoint_id") references "webhook_endpoints" ("id") on update cascade on delete set null;`);

    this.addSql(`create table "crm_contact_links" ("connector_id" uuid not null, "contact_id" uuid not null, "external_id" text null, "synced" jsonb not null default '{}',
      "fetched_at" timestamptz null, "created_at" timestamptz not null default now(), constraint "crm_contact_links_pkey" primary key ("connector_id", "contact_id"));`);
    this.addSql(`create index "crm_contact_links_contact_id_index" on "crm_contact_links" ("contact_id");`);
    this.addSql(`alter table "crm_contact_links" add constraint "crm_contact_links_connector_id_foreign" foreign key ("connector_id") references "crm_connectors" ("id") on update cascade on delete cascade;`);
    this.addSql(`alter table "crm_contact_links" add constraint "crm_contact_links_contact_id_foreign" foreign key ("contact_id") references "contacts" ("id") on update cascade on delete cascade;`);

    this.addSql(`create table "crm_calls" ("id" bigserial primary key, "connector_id" uuid not null, "contact_id" uuid not null, "kind" text not null, "reason" text not null,
      "at" timestamptz not null default clock_timestamp(), "request_url" text null, "status_code" int null, "duration_ms" int null, "outcome" text not null,
      "error" text null, "response_excerpt" text null, "message_id" text null);`);
    this.addSql(`create index "crm_calls_contact_id_id_index" on "crm_calls" ("contact_id", "id");`);
    this.addSql(`alter table "crm_calls" add constraint "crm_calls_connector_id_foreign" foreign key ("connector_id") references "crm_connectors" ("id") on update cascade on delete cascade;`);
    this.addSql(`alter table "crm_calls" add constraint "crm_calls_contact_id_foreign" foreign key ("contact_id") references "contacts" ("id") on update cascade on delete cascade;`);

    this.addSql(`create table "crm_lookup_queue" ("id" bigserial primary key, "connector_id" uuid not null, "contact_id" uuid not null, "reason" text not null,
      "created_at" timestamptz not null default clock_timestamp());`);
    this.addSql(`alter table "crm_lookup_queue" add constraint "crm_lookup_queue_connector_id_contact_id_unique" unique ("connector_id", "contact_id");`);
    this.addSql(`alter table "crm_lookup_queue" add constraint "crm_lookup_queue_connector_id_foreign" foreign key ("connector_id") references "crm_connectors" ("id") on update cascade on delete cascade;`);
    this.addSql(`alter table "crm_lookup_queue" add constraint "crm_lookup_queue_contact_id_foreign" foreign key ("contact_id") references "contacts" ("id") on update cascade on delete cascade;`);

    this.addSql(`create function crm_queue_lookups(p_account uuid, p_contact uuid, p_reason text) returns void language plpgsql as $$
      declare n int;
      begin
        insert into crm_lookup_queue (connector_id, contact_id, reason)
          select k.id, p_contact, p_reason from crm_connectors k
           where k.account_id = p_account and k.enabled
             and ((p_reason = 'contact_created' and k.lookup_on_contact_created) or (p_reason = 'conversation_started' and k.lookup_on_conversation_started))
          on conflict (connector_id, contact_id) do nothing;
        get diagnostics n = row_count;
        if n > 0 then perform pg_notify('cx_crm_lookups', ''); end if;
      end $$;`);
    this.addSql(`create function crm_contact_created() returns trigger language plpgsql as $$
      begin
        perform crm_queue_lookups(new.account_id, new.id, 'contact_created');
        return null;
      end $$;`);
    this.addSql(`create trigger crm_contact_insert after insert on contacts for each row execute function crm_contact_created();`);
    this.addSql(`create function crm_conversation_started() returns trigger language plpgsql as $$
      declare v_account uuid; v_contact uuid;
      begin
        select account_id, contact_id into v_account, v_contact from conversations where id = new.conversation_id;
        if v_contact is not null then perform crm_queue_lookups(v_account, v_contact, 'conversation_started'); end if;
        return null;
      end $$;`);
    this.addSql(`create trigger crm_conversation_created after insert on conversation_events for each row when (new.type = 'conversation_created') execute function crm_conversation_started();`);

    // Write-back at the commit of a status change.
    this.addSql(`create function crm_status_changed() returns trigger language plpgsql as $$
      declare
        v_conv record;
        l record;
        v_changed jsonb;
        v_msg text;
      begin
        select id, account_id, contact_id, status into v_conv from conversations where id = new.conversation_id;
        if not found or v_conv.contact_id is null then return null; end if;
        for l in
          select k.id as connector_id, k.webhook_endpoint_id, k.mapping, lk.external_id, lk.synced, c.attributes
            from crm_connectors k
            join crm_contact_links lk on lk.connector_id = k.id and lk.contact_id = v_conv.contact_id
            join contacts c on c.id = lk.contact_id
           where k.account_id = v_conv.account_id and k.enabled and k.write_back_enabled and k.webhook_endpoint_id is not null
        loop
          select coalesce(jsonb_object_agg(m.attr, coalesce(l.attributes -> m.attr, 'null'::jsonb)), '{}'::jsonb) into v_changed
            from (select distinct e ->> 'attribute' as attr from jsonb_array_elements(l.mapping) e) m
           where (l.attributes -> m.attr) is distinct from (l.synced -> m.attr);
          if v_changed = '{}'::jsonb then continue; end if;
          v_msg := 'msg_' || md5('crm-write-back:' || l.connector_id::text || ':' || new.id::text);
          perform webhook_enqueue(v_conv.account_id, 'crm.write_back', v_conv.id, jsonb_build_object(
            'connectorId', l.connector_id, 'contactId', v_conv.contact_id, 'externalId', l.external_id,
            'conversationId', v_conv.id, 'status', v_conv.status, 'attributes', v_changed, 'idempotencyKey', v_msg), false, l.webhook_endpoint_id, v_msg);
          update crm_contact_links set synced = jsonb_strip_nulls(synced || v_changed) where connector_id = l.connector_id and contact_id = v_conv.contact_id;
          insert into crm_calls (connector_id, contact_id, kind, reason, outcome, message_id)
            values (l.connector_id, v_conv.contact_id, 'write_back', 'status_changed', 'enqueued', v_msg);
        end loop;
        return null;
      end $$;`);
    this.addSql(`create constraint trigger crm_status_changed_insert after insert on conversation_events deferrable initially deferred
      for each row when (new.type = 'status_changed') execute function crm_status_changed();`);

    // webhook_enqueue(): events chosen by type go to ordinary endpoints only ('crm' endpoints get only what is addressed to them).
    this.addSql(`create or replace function webhook_enqueue(p_account uuid, p_type text, p_conversation uuid, p_data jsonb, p_note boolean, p_only_endpoint uuid default null, p_message_id text default null)
      returns text language plpgsql as $$
      declare
        v_seq bigint;
        v_msg text;
        v_ts timestamptz := clock_timestamp();
        v_data jsonb := p_data;
        v_endpoints text;
      begin
        if p_account is null then return null; end if;
        -- A caller's own id (an automation firing's action, a CRM write-back) makes the call idempotent.
        if p_message_id is not null and exists (select 1 from webhook_messages where id = p_message_id) then return p_message_id; end if;
        select string_agg(id::text, ',') into v_endpoints from webhook_endpoints
          where account_id = p_account and enabled
            and (p_only_endpoint is null or id = p_only_endpoint)
            and (p_only_endpoint is not null or kind = 'webhook')
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
  }

  override async down(): Promise<void> {
    this.addSql(`create or replace function webhook_enqueue(p_account uuid, p_type text, p_conversation uuid, p_data jsonb, p_note boolean, p_only_endpoint uuid default null, p_message_id text default null)
      returns text language plpgsql as $$
      declare
        v_seq bigint;
        v_msg text;
        v_ts timestamptz := clock_timestamp();
        v_data jsonb := p_data;
        v_endpoints text;
      begin
        if p_account is null then return null; end if;
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
    this.addSql(`drop trigger if exists crm_status_changed_insert on conversation_events;`);
    this.addSql(`drop trigger if exists crm_conversation_created on conversation_events;`);
    this.addSql(`drop trigger if exists crm_contact_insert on contacts;`);
    this.addSql(`drop function if exists crm_status_changed();`);
    this.addSql(`drop function if exists crm_conversation_started();`);
    this.addSql(`drop function if exists crm_contact_created();`);
    this.addSql(`drop function if exists crm_queue_lookups(uuid, uuid, text);`);
    this.addSql(`drop table if exists "crm_lookup_queue" cascade;`);
    this.addSql(`drop table if exists "crm_calls" cascade;`);
    this.addSql(`drop table if exists "crm_contact_links" cascade;`);
    this.addSql(`drop table if exists "crm_connectors" cascade;`);
    this.addSql(`drop index if exists "webhook_endpoints_account_id_kind_index";`);
    this.addSql(`alter table "webhook_endpoints" drop column "kind", drop column "headers_sealed", drop column "timeout_ms";`);
  }
}
