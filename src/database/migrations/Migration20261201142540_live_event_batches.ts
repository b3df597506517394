import { Migration } from '@mikro-orm/migrations';
import { LIVE_EVENTS_LOCK } from './Migration20261201130116_live_events';

/**
 * Live events of bulk statements in one go. A campaign wave inserts 200 messages (and conversations)
 * in one statement and updates their delivery status in another; a deferred row trigger per row made
 * those statements about three times slower. Now a statement-level trigger (transition tables)
 * writes the statement's events as one live_event_batches row, and one deferred trigger per batch
 * inserts them into live_events at commit, under the same advisory lock and in the same order, so
 * ids stay in commit order. Replaces the row triggers of messages (insert, delivery status) and of
 * conversation inserts.
 *
 * Also: a campaign whose progress becomes dirty NOTIFYs cx_live_campaigns (once until it is
 * published), so the API's publishers wake when there is something to publish instead of polling.
 */
export class Migration20261201142540_live_event_batches extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create table "live_event_batches" ("id" bigserial primary key, "events" jsonb not null);`);

    this.addSql(`create function live_event_flush() returns trigger language plpgsql as $$
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
    this.addSql(`create constraint trigger live_event_batches_flush after insert on live_event_batches deferrable initially deferred
      for each row execute function live_event_flush();`);

    // messages: created, and delivery status changes
    this.addSql(`drop trigger live_events_message_insert on messages;`);
    this.addSql(`drop trigger live_events_message_update on messages;`);
    this.addSql(`drop function live_events_message();`);
    this.addSql(`create function live_events_messages_inserted() returns trigger language plpgsql as $$
      begin
        insert into live_event_batches (events)
        select jsonb_agg(jsonb_build_object('accountId', c.account_id, 'inboxId', c.inbox_id, 'conversationId', n.conversation_id, 'type', 'message.created',
                 'payload', jsonb_build_object('conversationId', n.conversation_id, 'inboxId', c.inbox_id, 'messageId', n.id::text, 'direction', n.direction,
                   'senderType', n.sender_type, 'senderUserId', n.sender_user_id, 'deliveryStatus', n.delivery_status)) order by n.id)
          from new_rows n join conversations c on c.id = n.conversation_id
        having count(*) > 0;
        return null;
      end $$;`);
    this.addSql(`create trigger live_events_messages_insert after insert on messages
      referencing new table as new_rows for each statement execute function live_events_messages_inserted();`);
    this.addSql(`create function live_events_messages_updated() returns trigger language plpgsql as $$
      begin
        insert into live_event_batches (events)
        select jsonb_agg(jsonb_build_object('accountId', c.account_id, 'inboxId', c.inbox_id, 'conversationId', n.conversation_id, 'type', 'message.updated',
                 'payload', jsonb_build_object('conversationId', n.conversation_id, 'inboxId', c.inbox_id, 'messageId', n.id::text,
                   'changes', jsonb_build_object('deliveryStatus', jsonb_build_object('from', o.delivery_status, 'to', n.delivery_status)))) order by n.id)
          from new_rows n join old_rows o on o.id = n.id join conversations c on c.id = n.conversation_id
         where n.delivery_status is distinct from o.delivery_status
        having count(*) > 0;
        return null;
      end $$;`);
    this.addSql(`create trigger live_events_messages_update after update on messages
      referencing old table as old_rows new table as new_rows for each statement execute function live_events_messages_updated();`);

    // conversations created (campaign runs create them in bulk); updates and deletes keep their row triggers
    this.addSql(`drop trigger live_events_conversation_insert on conversations;`);
    this.addSql(`create function live_events_conversations_inserted() returns trigger language plpgsql as $$
      begin
        insert into live_event_batches (events)
        select jsonb_agg(jsonb_build_object('accountId', n.account_id, 'inboxId', n.inbox_id, 'conversationId', n.id, 'type', 'conversation.created',
                 'payload', jsonb_build_object('conversationId', n.id, 'inboxId', n.inbox_id, 'contactId', n.contact_id, 'channelType', n.channel_type,
                   'status', n.status, 'assigneeId', n.assignee_id, 'priority', n.priority)) order by n.created_at, n.id)
          from new_rows n
        having count(*) > 0;
        return null;
      end $$;`);
    this.addSql(`create trigger live_events_conversations_insert after insert on conversations
      referencing new table as new_rows for each statement execute function live_events_conversations_inserted();`);

    // Only a campaign that was clean wakes the publishers (once per published event, not per recipient).
    this.addSql(`create or replace function live_campaign_mark(p_campaign uuid) returns void language plpgsql as $$
      begin
        insert into campaign_live_progress (campaign_id, dirty) values (p_campaign, true)
        on conflict (campaign_id) do update set dirty = true where not campaign_live_progress.dirty;
        if found then perform pg_notify('cx_live_campaigns', ''); end if;
      end $$;`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop function if exists live_campaign_mark(uuid);`);
    this.addSql(`create function live_campaign_mark(p_campaign uuid) returns void language sql as $$
      insert into campaign_live_progress (campaign_id, dirty) values (p_campaign, true)
      on conflict (campaign_id) do update set dirty = true where not campaign_live_progress.dirty;
    $$;`);
    this.addSql(`drop trigger if exists live_events_conversations_insert on conversations;`);
    this.addSql(`drop function if exists live_events_conversations_inserted();`);
    this.addSql(`create constraint trigger live_events_conversation_insert after insert on conversations deferrable initially deferred
      for each row execute function live_events_conversation();`);
    this.addSql(`drop trigger if exists live_events_messages_update on messages;`);
    this.addSql(`drop trigger if exists live_events_messages_insert on messages;`);
    this.addSql(`drop function if exists live_events_messages_updated();`);
    this.addSql(`drop function if exists live_events_messages_inserted();`);
    this.addSql(`drop table if exists "live_event_batches" cascade;`);
    this.addSql(`drop function if exists live_event_flush();`);
    // The row triggers of messages as the previous migration made them.
    this.addSql(`create function live_events_message() returns trigger language plpgsql as $$
      declare
        c record;
      begin
        select account_id, inbox_id into c from conversations where id = new.conversation_id;
        if not found then return null; end if;
        if tg_op = 'INSERT' then
          perform live_event_emit(c.account_id, c.inbox_id, new.conversation_id, null, 'members', 'message.created', jsonb_build_object(
            'conversationId', new.conversation_id, 'inboxId', c.inbox_id, 'messageId', new.id::text, 'direction', new.direction,
            'senderType', new.sender_type, 'senderUserId', new.sender_user_id, 'deliveryStatus', new.delivery_status));
        else
          perform live_event_emit(c.account_id, c.inbox_id, new.conversation_id, null, 'members', 'message.updated', jsonb_build_object(
            'conversationId', new.conversation_id, 'inboxId', c.inbox_id, 'messageId', new.id::text,
            'changes', jsonb_build_object('deliveryStatus', jsonb_build_object('from', old.delivery_status, 'to', new.delivery_status))));
        end if;
        return null;
      end $$;`);
    this.addSql(`create constraint trigger live_events_message_insert after insert on messages deferrable initially deferred
      for each row execute function live_events_message();`);
    this.addSql(`create constraint trigger live_events_message_update after update on messages deferrable initially deferred
      for each row when (old.delivery_status is distinct from new.delivery_status) execute function live_events_message();`);

  }
}
