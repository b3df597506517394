import type { EntityManager } from '@mikro-orm/postgresql';
import { pgArrayLiteral } from '../../common/pg-array';
import type { CampaignAudience } from './campaign.entity';

/**
 * The audience as SQL over `contacts c`: the account's contacts, narrowed (AND) by the explicit id
 * list, by tags (any of them; `&&` uses the GIN index on contacts.tags) and by attribute equality (a
 * custom attribute, else the platform attribute of that key).
 */
function audienceWhere(accountId: string, audience: CampaignAudience): { sql: string; params: unknown[] } {
  const parts = ['c.account_id = ?'];
  const params: unknown[] = [accountId];
  if (audience.contactIds) {
    parts.push('c.id = any(?::uuid[])');
    params.push(`{${audience.contactIds.join(',')}}`);
  }
  if (audience.tags) {
    parts.push('c.tags && ?::text[]');
    params.push(pgArrayLiteral(audience.tags));
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

/** The sizes of several audiences of one account in one statement (one round trip), in input order. */
export async function countAudiences(em: EntityManager, accountId: string, audiences: CampaignAudience[]): Promise<number[]> {
  if (audiences.length === 0) return [];
  const selects: string[] = [];
  const params: unknown[] = [];
  audiences.forEach((audience, i) => {
    const where = audienceWhere(accountId, audience);
    selects.push(`select ${i} as i, (select count(*) from contacts c where ${where.sql}) as n`);
    params.push(...where.params);
  });
  const rows = await em.execute<{ i: number; n: string }[]>(selects.join(' union all '), params);
  const counts = new Array<number>(audiences.length).fill(0);
  for (const row of rows) counts[Number(row.i)] = Number(row.n);
  return counts;
}

/** How many contacts of the audience are opted out of this channel type right now. */
export async function countAudienceOptedOut(em: EntityManager, accountId: string, audience: CampaignAudience, channelType: string): Promise<number> {
  const where = audienceWhere(accountId, audience);
  const rows = await em.execute<{ n: string }[]>(
    `select count(*) as n from contacts c where ${where.sql} and exists (select 1 from contact_opt_outs o where o.contact_id = c.id and o.channel_type = ?)`,
    [...where.params, channelType],
  );
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
