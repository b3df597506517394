import { Migration } from '@mikro-orm/migrations';

/**
 * automation_facts(conversation, event limit, with rules): what automation rules see of a conversation
 * (loadFacts, automation-facts.ts) and, for the automation pass, its events not processed yet (at most
 * `event limit`, with the messages they name; 0: none) and the account's enabled rules in order.
 *
 * The same read was a statement of its own, sent as text: PostgreSQL planned its joins and subqueries
 * on every call, 0.7-0.9 ms each (bench:automation, pg_stat_statements with track_planning), more than
 * it took to run, and the pass reads the facts 2-4 times per message when rules fire. Inside a PL/pgSQL
 * function the plan is kept per connection and reused.
 *
 * The answer is json, one object with the columns of the former statement (timestamps as ISO text).
 * A change to the facts is a new migration with `create or replace function`.
 */
export class Migration20261203090000_automation_facts extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create function automation_facts(p_conversation uuid, p_event_limit int, p_with_rules boolean) returns json language plpgsql stable as $$
      begin
        return (select row_to_json(f) from (
          select c.id, c.account_id, c.inbox_id, c.status, c.priority, c.channel_type, c.assignee_id, c.queue_target, c.resolved_at, c.handler, c.created_at, c.last_activity_at,
                 i.name as inbox_name, i.channel_type as inbox_channel, i.settings,
                 ct.id as contact_id, ct.name as contact_name, ct.email as contact_email, ct.phone as contact_phone, ct.vip, ct.tags as contact_tags,
                 ct.platform_attributes, ct.attributes,
                 u.name as assignee_name, p.online as assignee_online,
                 t.name as team_name,
                 (select array_agg(tag order by tag) from conversation_tags where conversation_id = c.id) as tags,
                 m.last_in, m.last_out, m.last_any_out, m.first_out,
                 (select min(created_at) from messages w where w.conversation_id = c.id and w.direction = 'inbound' and (m.last_out is null or w.created_at > m.last_out)) as waiting_since,
                 (select max(created_at) from conversation_events e where e.conversation_id = c.id and e.type = 'status_changed') as status_since,
                 case when p_event_limit > 0 then (select json_agg(x order by x.id) from (
                   select ev.id, ev.type, ev.data, ev.depth, ev.cause_rule_id, ev.cause_firing_id, ev.created_at,
                          msg.content as message_content, msg.direction as message_direction, msg.sender_type as message_sender_type,
                          msg.created_at as message_created_at, msg.automated as message_automated
                     from conversation_events ev
                     left join messages msg on msg.id = case when ev.data ->> 'messageId' ~ '^[0-9]{1,18}$' then (ev.data ->> 'messageId')::bigint end
                    where ev.conversation_id = c.id and ev.processed_at is null
                    order by ev.id limit p_event_limit) x) end as pass_events,
                 case when p_with_rules then (select json_agg(ar order by ar.position, ar.created_at, ar.id) from (
                   select id, version, name, inbox_id, trigger, conditions, actions, stop_processing, allow_chaining, position, created_at
                     from automation_rules where account_id = c.account_id and enabled) ar) end as pass_rules
            from conversations c
            join inboxes i on i.id = c.inbox_id
            join contacts ct on ct.id = c.contact_id
            left join users u on u.id = c.assignee_id
            left join agent_presence p on p.user_id = c.assignee_id
            left join teams t on c.queue_target like 'team:%' and t.id::text = substr(c.queue_target, 6)
            left join lateral (
              select max(created_at) filter (where direction = 'inbound') as last_in,
                     max(created_at) filter (where direction = 'outbound') as last_any_out,
                     max(created_at) filter (where direction = 'outbound' and sender_type in ('agent', 'ai', 'rule')) as last_out,
                     min(created_at) filter (where direction = 'outbound' and sender_type = 'agent') as first_out
                from messages where conversation_id = c.id
            ) m on true
           where c.id = p_conversation) f);
      end $$;`);
  }

  override async down(): Promise<void> {
    this.addSql('drop function if exists automation_facts(uuid, int, boolean);');
  }
}
