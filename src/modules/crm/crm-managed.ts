import type { EntityManager } from '@mikro-orm/postgresql';
import { DomainError } from '../../common/domain-error';

/**
 * CRM-managed attributes: those an enabled connector of the account maps. Agents may not change one
 * unless every connector that manages it has write-back on (the change is then written back to the
 * CRM on the conversation's next status change); administrators may.
 */
export async function refuseCrmManagedEdits(em: EntityManager, accountId: string, keys: string[], isAdmin: boolean): Promise<void> {
  if (isAdmin || keys.length === 0) return;
  const rows = await em.execute<{ attribute: string; name: string }[]>(
    `select m ->> 'attribute' as attribute, k.name from crm_connectors k, jsonb_array_elements(k.mapping) m
      where k.account_id = ? and k.enabled and not k.write_back_enabled and m ->> 'attribute' in (?)
      order by k.created_at`,
    [accountId, keys],
  );
  const [first] = rows;
  if (first) {
    throw new DomainError('FORBIDDEN', `attributes.${first.attribute}: is managed by the CRM connector "${first.name}" and read-only (write-back is off)`, [
      { field: `attributes.${first.attribute}`, problem: `is managed by the CRM connector "${first.name}" and read-only (write-back is off)` },
    ]);
  }
}
