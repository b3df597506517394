import type { EntityManager } from '@mikro-orm/postgresql';
import { DomainError } from '../../common/domain-error';

/** A CRM-managed attribute: the enabled connectors that map it, and whether an agent may edit it. */
export interface CrmManagedAttribute {
  key: string;
  /** The connectors' names, oldest connector first. */
  managedBy: string[];
  /** The first connector that keeps it read-only for agents (write-back off); null: agents may edit it. */
  readOnlyBecauseOf: string | null;
}

/**
 * CRM-managed attributes: those an enabled connector of the account maps. Agents may not change one
 * unless every connector that manages it has write-back on (the change is then written back to the
 * CRM on the conversation's next status change); administrators may.
 */
export async function crmManagedAttributes(em: EntityManager, accountId: string, keys?: string[]): Promise<CrmManagedAttribute[]> {
  if (keys && keys.length === 0) return [];
  const rows = await em.execute<{ attribute: string; name: string; write_back_enabled: boolean }[]>(
    `select m ->> 'attribute' as attribute, k.name, k.write_back_enabled from crm_connectors k, jsonb_array_elements(k.mapping) m
      where k.account_id = ? and k.enabled ${keys ? `and m ->> 'attribute' in (?)` : ''}
      order by k.created_at, k.id`,
    keys ? [accountId, keys] : [accountId],
  );
  const byKey = new Map<string, CrmManagedAttribute>();
  for (const r of rows) {
    const a = byKey.get(r.attribute) ?? { key: r.attribute, managedBy: [], readOnlyBecauseOf: null };
    a.managedBy.push(r.name);
    if (!r.write_back_enabled && a.readOnlyBecauseOf === null) a.readOnlyBecauseOf = r.name;
    byKey.set(r.attribute, a);
  }
  return [...byKey.values()];
}

export const readOnlyProblem = (connectorName: string) => `is managed by the CRM connector "${connectorName}" and read-only (write-back is off)`;

/** Refuses an agent's change of CRM-managed attributes that are read-only for agents (403 naming each attributes.<key>). */
export async function refuseCrmManagedEdits(em: EntityManager, accountId: string, keys: string[], isAdmin: boolean): Promise<void> {
  if (isAdmin || keys.length === 0) return;
  const refused = (await crmManagedAttributes(em, accountId, keys)).filter((a) => a.readOnlyBecauseOf !== null);
  if (refused.length === 0) return;
  const details = refused.sort((a, b) => keys.indexOf(a.key) - keys.indexOf(b.key)).map((a) => ({ field: `attributes.${a.key}`, problem: readOnlyProblem(a.readOnlyBecauseOf!) }));
  throw new DomainError('FORBIDDEN', `${details[0].field}: ${details[0].problem}`, details);
}
