import { Migration } from '@mikro-orm/migrations';

/** The advisory lock that hands out live_events ids in commit order (see live_event_emit below). */
export const LIVE_EVENTS_LOCK = 7233013;

/**
 * The live event stream's outbox (live_events), its stream tickets and the campaign progress marks,
 * and the triggers that fill them.
 *
 * Ordering: every event row is inserted by `live_event_emit()`, called from DEFERRABLE INITIALLY
 * DEFERRED constraint triggers, i.e. at COMMIT of the transaction that made the change, after taking
 * a transaction advisory lock that is held until that commit has finished. So the bigserial id of a
 * row is drawn only after every earlier event transaction is visible: a reader that sees id n can see
 * every committed id below n, and "id > last seen" never skips a row that commits late. The cost is
 * that event-producing commits pass one at a time through the lock (for the length of the commit;
 * NOTIFY already serialises committing transactions in the same way).
 *
 * The triggers see every writer (the API, the worker's activities, raw SQL, cascades), so no code path
 * can forget to publish. `pg_notify('cx_live_events', '')` at commit wakes each API process's listener,
 * which reads the new rows by id.
 */
export class Migration20261201130116_live_events extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table "campaign_live_progress" ("campaign_id" uuid not null, "dirty" boolean not null default true, "last_emitted_at" timestamptz null, constraint "campaign_live_progress_pkey" primary key ("campaign_id"));`);
    this.addSql(`create index "campaign_live_progress_dirty_index" on "campaign_live_progress" ("last_emitted_at") where "dirty";`);

    this.addSql(`create table "live_events" ("id" bigserial primary key, "account_id" uuid not null, "inbox_id" uuid null, "conversation_id" uuid null, "user_id" uuid null, "audience" text not null default 'members', "type" text not null, "payload" jsonb not null default '{}', "created_at" timestamptz not null default clock_timestamp());`);
    this.addSql(`create index "live_events_created_at_index" on "live_events" ("created_at");`);
    this.addSql(`create index "live_events_account_id_id_index" on "live_events" ("account_id", "id");`);

    this.addSql(`create table "live_event_tickets" ("ticket_hash" text not null, "token_id" uuid not null, "expires_at" timestamptz not null, "created_at" timestamptz not null default now(), constraint "live_event_tickets_pkey" primary key ("ticket_hash"));`);
    this.addSql(`create index "live_event_tickets_expires_at_index" on "live_event_tickets" ("expires_at");`);

    this.addSql(`alter table "campaign_live_progress" add constraint "campaign_live_progress_campaign_id_foreign" foreign key ("campaign_id") references "campaigns" ("id") on update cascade on delete cascade;`);

    this.addSql(`alter table "live_event_tickets" add constraint "live_event_tickets_token_id_foreign" foreign key ("token_id") references "auth_tokens" ("id") on update cascade on delete cascade;`);

    // --- emitting, in commit order ---
    this.addSql(`create function live_event_emit(p_account uuid, p_inbox uuid, p_conversation uuid, p_user uuid, p_audience text, p_type text, p_payload jsonb)
      returns void language plpgsql as $$
      begin
        if p_account is null then return; end if;
        perform pg_advisory_xact_lock(${LIVE_EVENTS_LOCK});
        insert into live_events (account_id, inbox_id, conversation_id, user_id, audience, type, payload)
          values (p_account, p_inbox, p_conversation, p_user, p_audience, p_type, p_payload);
        perform pg_notify('cx_live_events', '');
      end $$;`);

    // conversations: created / updated (status, priority, inbox) / assigned / unassigned / deleted
    this.addSql(`create function live_events_conversation() returns trigger language plpgsql as $$
      declare
        changes jsonb := '{}'::jsonb;
      begin
        if tg_op = 'INSERT' then
          perform live_event_emit(new.account_id, new.inbox_id, new.id, null, 'members', 'conversation.created', jsonb_build_object(
            'conversationId', new.id, 'inboxId', new.inbox_id, 'contactId', new.contact_id, 'channelType', new.channel_type,
            'status', new.status, 'assigneeId', new.assignee_id, 'priority', new.priority));
          return null;
        elsif tg_op = 'DELETE' then
          perform live_event_emit(old.account_id, old.inbox_id, old.id, null, 'members', 'conversation.deleted',
            jsonb_build_object('conversationId', old.id, 'inboxId', old.inbox_id));
          return null;
        end if;
        if new.status is distinct from old.status then
          changes := changes || jsonb_build_object('status', jsonb_build_object('from', old.status, 'to', new.status));
        end if;
        if new.priority is distinct from old.priority then
          changes := changes || jsonb_build_object('priority', jsonb_build_object('from', old.priority, 'to', new.priority));
        end if;
        if new.inbox_id is distinct from old.inbox_id then
          changes := changes || jsonb_build_object('inboxId', jsonb_build_object('from', old.inbox_id, 'to', new.inbox_id));
        end if;
        if changes <> '{}'::jsonb then
          perform live_event_emit(new.account_id, new.inbox_id, new.id, null, 'members', 'conversation.updated',
            jsonb_build_object('conversationId', new.id, 'inboxId', new.inbox_id, 'changes', changes));
          if new.inbox_id is distinct from old.inbox_id then
            -- the inbox it left learns it is gone
            perform live_event_emit(old.account_id, old.inbox_id, new.id, null, 'members', 'conversation.updated',
              jsonb_build_object('conversationId', new.id, 'inboxId', old.inbox_id, 'changes', changes));
          end if;
        end if;
        if new.assignee_id is distinct from old.assignee_id then
          if new.assignee_id is null then
            perform live_event_emit(new.account_id, new.inbox_id, new.id, null, 'members', 'conversation.unassigned',
              jsonb_build_object('conversationId', new.id, 'inboxId', new.inbox_id, 'previousAssigneeId', old.assignee_id));
          else
            perform live_event_emit(new.account_id, new.inbox_id, new.id, null, 'members', 'conversation.assigned',
              jsonb_build_object('conversationId', new.id, 'inboxId', new.inbox_id, 'assigneeId', new.assignee_id, 'previousAssigneeId', old.assignee_id));
          end if;
        end if;
        return null;
      end $$;`);
    this.addSql(`create constraint trigger live_events_conversation_insert after insert on conversations deferrable initially deferred
      for each row execute function live_events_conversation();`);
    this.addSql(`create constraint trigger live_events_conversation_update after update on conversations deferrable initially deferred
      for each row when (old.status is distinct from new.status or old.priority is distinct from new.priority
        or old.inbox_id is distinct from new.inbox_id or old.assignee_id is distinct from new.assignee_id)
      execute function live_events_conversation();`);
    this.addSql(`create constraint trigger live_events_conversation_delete after delete on conversations deferrable initially deferred
      for each row execute function live_events_conversation();`);

    // conversation_tags: conversation.updated with the tag added or removed (nothing once the conversation is gone)
    this.addSql(`create function live_events_conversation_tag() returns trigger language plpgsql as $$
      declare
        c record;
        row_ conversation_tags%rowtype;
      begin
        if tg_op = 'INSERT' then row_ := new; else row_ := old; end if;
        select account_id, inbox_id into c from conversations where id = row_.conversation_id;
        if not found then return null; end if;
        perform live_event_emit(c.account_id, c.inbox_id, row_.conversation_id, null, 'members', 'conversation.updated',
          jsonb_build_object('conversationId', row_.conversation_id, 'inboxId', c.inbox_id, 'changes', jsonb_build_object('tags',
            jsonb_build_object(case when tg_op = 'INSERT' then 'added' else 'removed' end, jsonb_build_array(row_.tag)))));
        return null;
      end $$;`);
    this.addSql(`create constraint trigger live_events_conversation_tag_insert after insert on conversation_tags deferrable initially deferred
      for each row execute function live_events_conversation_tag();`);
    this.addSql(`create constraint trigger live_events_conversation_tag_delete after delete on conversation_tags deferrable initially deferred
      for each row execute function live_events_conversation_tag();`);

    // messages: created (inbound, outbound, notes) and their delivery status
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

    // agent_presence: online / offline (account-wide)
    this.addSql(`create function live_events_presence() returns trigger language plpgsql as $$
      begin
        perform live_event_emit(new.account_id, null, null, null, 'members', 'presence.changed',
          jsonb_build_object('userId', new.user_id, 'online', new.online, 'reason', new.offline_reason));
        return null;
      end $$;`);
    this.addSql(`create constraint trigger live_events_presence_insert after insert on agent_presence deferrable initially deferred
      for each row execute function live_events_presence();`);
    this.addSql(`create constraint trigger live_events_presence_update after update on agent_presence deferrable initially deferred
      for each row when (old.online is distinct from new.online) execute function live_events_presence();`);

    // what a user may see changed: inbox memberships, the administrator role, disabling, a token ended
    this.addSql(`create function live_events_access() returns trigger language plpgsql as $$
      declare
        v_user uuid;
        v_payload jsonb;
        v_account uuid;
      begin
        if tg_table_name = 'inbox_memberships' then
          if tg_op = 'DELETE' then
            v_user := old.user_id;
            v_payload := jsonb_build_object('userId', old.user_id, 'inboxId', old.inbox_id, 'role', null);
          else
            v_user := new.user_id;
            v_payload := jsonb_build_object('userId', new.user_id, 'inboxId', new.inbox_id, 'role', new.role);
          end if;
        elsif tg_table_name = 'auth_tokens' then
          if tg_op = 'DELETE' then
            v_user := old.user_id;
            v_payload := jsonb_build_object('userId', old.user_id, 'tokenId', old.id);
          else
            v_user := new.user_id;
            v_payload := jsonb_build_object('userId', new.user_id, 'tokenId', new.id);
          end if;
        else
          v_user := new.id;
          v_payload := jsonb_build_object('userId', new.id, 'isAdmin', new.is_admin, 'disabled', new.disabled_at is not null);
        end if;
        select account_id into v_account from users where id = v_user;
        if not found then return null; end if;
        perform live_event_emit(v_account, null, null, v_user, 'members', 'access.changed', v_payload);
        return null;
      end $$;`);
    this.addSql(`create constraint trigger live_events_membership_insert after insert on inbox_memberships deferrable initially deferred
      for each row execute function live_events_access();`);
    this.addSql(`create constraint trigger live_events_membership_update after update on inbox_memberships deferrable initially deferred
      for each row when (old.role is distinct from new.role or old.inbox_id is distinct from new.inbox_id) execute function live_events_access();`);
    this.addSql(`create constraint trigger live_events_membership_delete after delete on inbox_memberships deferrable initially deferred
      for each row execute function live_events_access();`);
    this.addSql(`create constraint trigger live_events_user_update after update on users deferrable initially deferred
      for each row when (old.is_admin is distinct from new.is_admin or old.disabled_at is distinct from new.disabled_at) execute function live_events_access();`);
    this.addSql(`create constraint trigger live_events_token_revoked after update on auth_tokens deferrable initially deferred
      for each row when (old.revoked_at is null and new.revoked_at is not null) execute function live_events_access();`);
    this.addSql(`create constraint trigger live_events_token_delete after delete on auth_tokens deferrable initially deferred
      for each row execute function live_events_access();`);

    // campaigns: mark the campaign dirty; the API's publisher emits campaign.progress (throttled)
    // Only a campaign that was clean wakes the publishers (once per published event, not per recipient).
    this.addSql(`create function live_campaign_mark(p_campaign uuid) returns void language plpgsql as $$
      begin
        insert into campaign_live_progress (campaign_id, dirty) values (p_campaign, true)
        on conflict (campaign_id) do update set dirty = true where not campaign_live_progress.dirty;
        if found then perform pg_notify('cx_live_campaigns', ''); end if;
      end $$;`);
    this.addSql(`create function live_events_campaign_recipients_inserted() returns trigger language plpgsql as $$
      begin
        perform live_campaign_mark(campaign_id) from (select distinct campaign_id from new_rows) d;
        return null;
      end $$;`);
    this.addSql(`create function live_events_campaign_recipients_updated() returns trigger language plpgsql as $$
      begin
        perform live_campaign_mark(campaign_id) from (
          select distinct n.campaign_id from new_rows n join old_rows o on o.id = n.id where n.status is distinct from o.status) d;
        return null;
      end $$;`);
    this.addSql(`create trigger live_events_campaign_recipients_insert after insert on campaign_recipients
      referencing new table as new_rows for each statement execute function live_events_campaign_recipients_inserted();`);
    this.addSql(`create trigger live_events_campaign_recipients_update after update on campaign_recipients
      referencing old table as old_rows new table as new_rows for each statement execute function live_events_campaign_recipients_updated();`);
    this.addSql(`create function live_events_campaign_status() returns trigger language plpgsql as $$
      begin
        perform live_campaign_mark(new.id);
        return null;
      end $$;`);
    this.addSql(`create trigger live_events_campaign_status after update on campaigns
      for each row when (old.status is distinct from new.status) execute function live_events_campaign_status();`);
    // delivery receipts of campaign messages (idempotency key campaign-recipient:<recipient id>)
    this.addSql(`create function live_events_campaign_receipt() returns trigger language plpgsql as $$
      begin
        perform live_campaign_mark(campaign_id) from campaign_recipients where id = substr(new.idempotency_key, 20)::bigint;
        return null;
      end $$;`);
    this.addSql(`create trigger live_events_campaign_receipt after update on messages
      for each row when (old.delivery_status is distinct from new.delivery_status and new.delivery_status in ('delivered', 'failed')
        and new.idempotency_key like 'campaign-recipient:%') execute function live_events_campaign_receipt();`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop trigger if exists live_events_campaign_receipt on messages;`);
    this.addSql(`drop trigger if exists live_events_campaign_status on campaigns;`);
    this.addSql(`drop trigger if exists live_events_campaign_recipients_update on campaign_recipients;`);
    this.addSql(`drop trigger if exists live_events_campaign_recipients_insert on campaign_recipients;`);
    this.addSql(`drop trigger if exists live_events_token_delete on auth_tokens;`);
    this.addSql(`drop trigger if exists live_events_token_revoked on auth_tokens;`);
    this.addSql(`drop trigger if exists live_events_user_update on users;`);
    this.addSql(`drop trigger if exists live_events_membership_delete on inbox_memberships;`);
    this.addSql(`drop trigger if exists live_events_membership_update on inbox_memberships;`);
    this.addSql(`drop trigger if exists live_events_membership_insert on inbox_memberships;`);
    this.addSql(`drop trigger if exists live_events_presence_update on agent_presence;`);
    this.addSql(`drop trigger if exists live_events_presence_insert on agent_presence;`);
    this.addSql(`drop trigger if exists live_events_message_update on messages;`);
    this.addSql(`drop trigger if exists live_events_message_insert on messages;`);
    this.addSql(`drop trigger if exists live_events_conversation_tag_delete on conversation_tags;`);
    this.addSql(`drop trigger if exists live_events_conversation_tag_insert on conversation_tags;`);
    this.addSql(`drop trigger if exists live_events_conversation_delete on conversations;`);
    this.addSql(`drop trigger if exists live_events_conversation_update on conversations;`);
    this.addSql(`drop trigger if exists live_events_conversation_insert on conversations;`);
    for (const fn of ['live_events_campaign_receipt', 'live_events_campaign_status', 'live_events_campaign_recipients_updated', 'live_events_campaign_recipients_inserted',
      'live_events_access', 'live_events_presence', 'live_events_message', 'live_events_conversation_tag', 'live_events_conversation']) {
      this.addSql(`drop function if exists ${fn}();`);
    }
    this.addSql(`drop function if exists live_campaign_mark(uuid);`);
    this.addSql(`drop function if exists live_event_emit(uuid, uuid, uuid, uuid, text, text, jsonb);`);
    this.addSql(`drop table if exists "campaign_live_progress" cascade;`);

    this.addSql(`drop table if exists "live_events" cascade;`);

    this.addSql(`drop table if exists "live_event_tickets" cascade;`);
  }

}
