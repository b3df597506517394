import type { EntityManager } from '@mikro-orm/postgresql';
import type { CampaignAudience } from './campaign.entity';

/**
 * The audience as SQL over `contacts c`: the account's contacts, narrowed by the explicit id list and
 * by attribute equality (a custom attribute, else the platform attribute of that key).
 */
function audienceWhere(accountId: string, audience: CampaignAudience): { sql: string; params: unknown[] } {
  const parts = ['c.account_id = ?'];
  const params: unknown[] = [accountId];
  if (audience.contactIds) {
    parts.push('c.id = any(?::uuid[])');
    params.push(`{${audience.contactIds.join(',')}}`);
  }
  for (const [key, value] of Object.entries(audience.attributes ?? {})) {
    parts.push('coalesce(c.attributes ->> ?, c.platform_attributes ->> ?) = ?');
    params.push(key, key, value);
  }
  return { sql: parts.join(' and '), params };
}

export async function countAudience(em: EntityManager, accountId: string, audience: CampaignAudience): Promise<number> {
  const where = audienceWhere(accountId, audience);
  const rows = await em.execute<{ n: string }[]>(`select count(*) as n from contacts c where ${where.sql}`, where.params);
  return Number(rows[0].n);
}

/** Up to `limit` contact ids after `after`, in id order (the run's cursor). */
export async function audiencePage(em: EntityManager, accountId: string, audience: CampaignAudience, after: string | null, limit: number): Promise<string[]> {
  const where = audienceWhere(accountId, audience);
  const cursor = after ? ' and c.id > ?' : '';
  const rows = await em.execute<{ id: string }[]>(`select c.id from contacts c where ${where.sql}${cursor} order by c.id limit ?`, [
    ...where.params,
    ...(after ? [after] : []),
    limit,
  ]);
  return rows.map((r) => r.id);
}
