import { Migration } from '@mikro-orm/migrations';

/**
 * routing_pass_state(inbox, lock key, limit): a queue pass's inbox routing lock and its state read in
 * one round trip (DrainQueueUseCase.assignIn). Before, the lock was one statement and the read a
 * second, so the lock was held across one more round trip to the worker; on a busy worker that wait
 * made the inbox's routings queue behind each other (bench:automation, topStatementsByTime).
 *
 * The read cannot be part of the locking statement itself: that statement's snapshot is taken before
 * the lock is granted, so it could miss a pass that committed while it waited. In a volatile PL/pgSQL
 * function each statement takes a fresh snapshot (read committed), so the read after `perform` sees
 * every pass that committed before the lock was granted.
 */
export class Migration20261202050000_routing_pass_state extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create function routing_pass_state(p_inbox uuid, p_lock_key text, p_limit int) returns jsonb language plpgsql volatile as $$
      declare
        v_state jsonb;
      begin
        perform pg_advisory_xact_lock(hashtextextended(p_lock_key, 0));
        with waiting as (
          select c.id, c.queue_target, c.queued_at, ct.vip
            from conversations c join contacts ct on ct.id = c.contact_id
           where c.inbox_id = p_inbox and c.queued_at is not null and c.assignee_id is null and c.status in ('new', 'open', 'pending')
           order by ct.vip desc, c.queued_at, c.id
           limit p_limit
           for update of c skip locked
        )
        select jsonb_build_object(
                 'settings', i.settings,
                 'cursor', i.round_robin_cursor,
                 'agents', (select json_agg(a order by a.name, a.user_id) from (
                              select u.id as user_id, u.name, coalesce(p.online, false) as online,
                                     (select count(*) from conversations c where c.inbox_id = m.inbox_id and c.assignee_id = u.id and c.status in ('new', 'open', 'pending'))::int as load
                                from inbox_memberships m
                                join users u on u.id = m.user_id and u.disabled_at is null
                                left join agent_presence p on p.user_id = u.id
                               where m.inbox_id = i.id) a),
                 'waiting', (select json_agg(w order by w.vip desc, w.queued_at, w.id) from waiting w))
          into v_state
          from inboxes i where i.id = p_inbox;
        return v_state;
      end $$;`);
  }

  override async down(): Promise<void> {
    this.addSql('drop function if exists routing_pass_state(uuid, text, int);');
  }
}
