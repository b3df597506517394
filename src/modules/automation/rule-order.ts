/**
 * The order of an account's automation rules: `position` 0..n-1, dense, one sequence per account
 * (limited and account-wide rules alike: the engine runs them in this order). Every change of the
 * order (create, delete, move, reorder) runs in one transaction holding the account's rules lock, so
 * two concurrent moves are applied one after the other and the positions stay a permutation. Gaps
 * left by rules that went with a deleted inbox (on delete cascade) are closed by the next change;
 * reads rank by (position, created_at, id), the engine's own order, so a gap never shows.
 */
import type { EntityManager } from '@mikro-orm/postgresql';
import { pgArrayLiteral } from '../../common/pg-array';

/** Takes the account's rules lock until the transaction ends. Call it inside em.transactional. */
export async function lockAccountRules(em: EntityManager, accountId: string): Promise<void> {
  await em.execute('select pg_advisory_xact_lock(hashtextextended(?, 0))', [`automation-rules:${accountId}`]);
}

/** The account's rule ids in the order the engine runs them. */
export async function orderedRuleIds(em: EntityManager, accountId: string): Promise<string[]> {
  const rows = await em.execute<{ id: string }[]>(`select id from automation_rules where account_id = ? order by position, created_at, id`, [accountId]);
  return rows.map((r) => r.id);
}

/** Stores `ids` (every rule of the account) as positions 0..n-1; rows already in place are not written. */
export async function writeOrder(em: EntityManager, accountId: string, ids: readonly string[]): Promise<void> {
  if (ids.length === 0) return;
  await em.execute(
    `update automation_rules r set position = o.pos - 1
       from unnest(?::uuid[]) with ordinality as o(id, pos)
      where r.id = o.id and r.account_id = ? and r.position <> o.pos - 1`,
    [pgArrayLiteral(ids), accountId],
  );
}

/** `ids` with `id` taken out and put at `position` (clamped to the list). */
export function moveTo(ids: readonly string[], id: string, position: number): string[] {
  const rest = ids.filter((x) => x !== id);
  const at = Math.max(0, Math.min(position, rest.length));
  return [...rest.slice(0, at), id, ...rest.slice(at)];
}
