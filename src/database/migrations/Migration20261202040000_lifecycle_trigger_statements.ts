import { Migration } from '@mikro-orm/migrations';
import { LIVE_EVENTS_LOCK } from './Migration20261201130116_live_events';

/**
 * Fewer statements in the triggers every new conversation runs (bench:lifecycle counts them), same
 * rows written, same order:
 *
 *  - live_event_flush(): the batch's events inserted, the batch deleted and the NOTIFY in one
 *    statement after the ordering lock (was four statements per batch).
 *  - webhooks_message() / webhooks_conversation_event(): the conversation's account read and the
 *    event enqueued in one statement, and only when the account has an enabled webhook endpoint
 *    (before: the conversation read, then webhook_enqueue() with its payload, conversation JSON
 *    included, built for every message even when nobody subscribed). webhooks_contact() likewise
 *    skips building the payload for an account without endpoints. webhook_enqueue() itself (which
 *    endpoints get the event) is unchanged.
 */
export class Migration20261202040000_lifecycle_trigger_statements extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create or replace function live_event_flush() returns trigger language plpgsql as $$
      declare
        v_done text;
      begin
        perform pg_advisory_xact_lock(${LIVE_EVENTS_LOCK});
        with ins as (
          insert into live_events (account_id, inbox_id, conversation_id, user_id, audience, type, payload)
            select (e ->> 'accountId')::uuid, (e ->> 'inboxId')::uuid, (e ->> 'conversationId')::uuid, (e ->> 'userId')::uuid,
                   coalesce(e ->> 'audience', 'members'), e ->> 'type', e -> 'payload'
              from jsonb_array_elements(new.events) with ordinality as x(e, n)
             order by n
        ), del as (
          delete from live_event_batches where id = new.id
        )
        select pg_notify('cx_live_events', '')::text into v_done;
        return null;
      end $$;`);

    this.addSql(`create or replace function webhooks_conversation_event() returns trigger language plpgsql as $$
      declare
        v_type text;
      begin
        v_type := case new.type
          when 'conversation_created' then 'conversation.created'
          when 'status_changed' then 'conversation.status_changed'
          when 'assigned' then 'conversation.assigned'
          when 'unassigned' then 'conversation.unassigned'
          when 'csat_received' then 'csat.received'
        end;
        if v_type is null then return null; end if;
        perform webhook_enqueue(c.account_id, v_type, new.conversation_id, jsonb_build_object(
          'conversation', webhook_conversation_json(new.conversation_id),
          'change', new.data, 'actorUserId', new.actor_user_id, 'ruleId', new.cause_rule_id), false)
          from conversations c
         where c.id = new.conversation_id
           and exists (select 1 from webhook_endpoints e where e.account_id = c.account_id and e.enabled and e.kind = 'webhook');
        return null;
      end $$;`);

    this.addSql(`create or replace function webhooks_message() returns trigger language plpgsql as $$
      begin
        perform webhook_enqueue(c.account_id, 'message.created', new.conversation_id, jsonb_build_object(
          'conversation', webhook_conversation_json(new.conversation_id),
          'message', jsonb_build_object('id', new.id::text, 'direction', new.direction, 'private', new.direction = 'internal',
            'senderType', new.sender_type, 'senderUserId', new.sender_user_id, 'content', new.content,
            'attachments', new.attachments, 'createdAt', new.created_at)), new.direction = 'internal')
          from conversations c
         where c.id = new.conversation_id
           and exists (select 1 from webhook_endpoints e where e.account_id = c.account_id and e.enabled and e.kind = 'webhook');
        return null;
      end $$;`);

    this.addSql(`create or replace function webhooks_contact() returns trigger language plpgsql as $$
      declare
        r contacts%rowtype;
      begin
        if tg_op = 'DELETE' then r := old; else r := new; end if;
        perform webhook_enqueue(r.account_id, case tg_op when 'INSERT' then 'contact.created' when 'UPDATE' then 'contact.updated' else 'contact.deleted' end, null,
          jsonb_build_object('contact', case when tg_op = 'DELETE' then jsonb_build_object('id', r.id) else jsonb_build_object('id', r.id, 'name', r.name, 'email', r.email,
            'phone', r.phone, 'vip', r.vip, 'attributes', r.attributes, 'tags', to_jsonb(r.tags), 'createdAt', r.created_at, 'updatedAt', r.updated_at) end), false)
         where exists (select 1 from webhook_endpoints e where e.account_id = r.account_id and e.enabled and e.kind = 'webhook');
        return null;
      end $$;`);
  }

  override async down(): Promise<void> {
    this.addSql(`create or replace function live_event_flush() returns trigger language plpgsql as $$
      begin
        perform pg_advisory_xact_lock(${LIVE_EVENTS_LOCK});
        insert into live_events (account_id, inbox_id, conversation_id, user_id, audience, type, payload)
          select (e ->> 'accountId')::uuid, (e ->> 'inboxId')::uuid, (e ->> 'conversationId')::uuid, (e ->> 'userId')::uuid,
                 coalesce(e ->> 'audience', 'members'), e ->> 'type', e -> 'payload'
            from jsonb_array_elements(new.events) with ordinality as x(e, n)
           order by n;
        delete from live_event_batches where id = new.id;
        perform pg_notify('cx_live_events', '');
        return null;
      end $$;`);
    this.addSql(`create or replace function webhooks_conversation_event() returns trigger language plpgsql as $$
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
    this.addSql(`create or replace function webhooks_message() returns trigger language plpgsql as $$
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
    this.addSql(`create or replace function webhooks_contact() returns trigger language plpgsql as $$
      declare
        r contacts%rowtype;
      begin
        if tg_op = 'DELETE' then r := old; else r := new; end if;
        perform webhook_enqueue(r.account_id, case tg_op when 'INSERT' then 'contact.created' when 'UPDATE' then 'contact.updated' else 'contact.deleted' end, null,
          jsonb_build_object('contact', case when tg_op = 'DELETE' then jsonb_build_object('id', r.id) else jsonb_build_object('id', r.id, 'name', r.name, 'email', r.email,
            'phone', r.phone, 'vip', r.vip, 'attributes', r.attributes, 'tags', to_jsonb(r.tags), 'createdAt', r.created_at, 'updatedAt', r.updated_at) end), false);
        return null;
      end $$;`);
  }
}
