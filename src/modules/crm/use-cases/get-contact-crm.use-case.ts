import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import type { Actor } from '../../auth/actor';
import { ContactAccess } from '../../contacts/contact-access';
import { crmManagedAttributes } from '../crm-managed';
import { loadCrmWriteBacks } from '../crm-write-backs';
import { CrmCall, CrmConnector, CrmContactLink } from '../crm.entity';
import { CrmCallView, type ContactCrmAttributeView, type ContactCrmView } from '../dto/crm.dto';

const CALLS = 100;
const quoted = (names: string[]) => names.map((n) => `"${n}"`).join(', ');

/**
 * What the account's connectors know of a contact (external ids, managed attributes and whether the
 * caller may edit them) and its call log, newest first: lookups, and write-backs with their delivery
 * state and every attempt.
 */
@Injectable()
export class GetContactCrmUseCase {
  constructor(
    private readonly em: EntityManager,
    private readonly contacts: ContactAccess,
  ) {}

  async execute(input: { actor: Actor; contactId: string }): Promise<ContactCrmView> {
    const em = this.em.fork();
    await this.contacts.requireVisible(input.actor, input.contactId, em);
    const connectors = await em.find(CrmConnector, { account: input.actor.accountId, enabled: true }, { orderBy: { createdAt: 'asc', id: 'asc' } });
    const links = new Map((await em.find(CrmContactLink, { contact: input.contactId })).map((l) => [l.connector.id, l]));
    const calls = await em.find(CrmCall, { contact: input.contactId }, { orderBy: { id: 'desc' }, limit: CALLS });
    const writeBackIds = calls.filter((c) => c.kind === 'write_back').map((c) => String(c.id));
    const writeBacks = new Map((await loadCrmWriteBacks(em, { contactId: input.contactId, callIds: writeBackIds, limit: CALLS })).map((w) => [w.callId, w]));
    const managed = await crmManagedAttributes(em, input.actor.accountId);
    return {
      connectors: connectors.map((c) => {
        const link = links.get(c.id);
        return {
          connectorId: c.id,
          connectorName: c.name,
          externalId: link?.externalId ?? null,
          fetchedAt: link?.fetchedAt?.toISOString() ?? null,
          managedAttributes: c.mapping.map((m) => m.attribute),
          writeBackEnabled: c.writeBackEnabled,
        };
      }),
      attributes: managed.map((a): ContactCrmAttributeView => {
        const readOnly = a.readOnlyBecauseOf !== null && !input.actor.isAdmin;
        const by = `managed by ${quoted(a.managedBy)}`;
        return {
          key: a.key,
          managedBy: a.managedBy,
          editable: !readOnly,
          hint: readOnly
            ? `${by}: read-only (write-back is off)`
            : a.readOnlyBecauseOf !== null
              ? `${by}: read-only for agents (write-back is off); the next lookup overwrites a change`
              : `${by}: changes are written back when a conversation's status changes`,
        };
      }),
      calls: calls.map((c) => {
        const w = writeBacks.get(String(c.id));
        return CrmCallView.of(c, w ? { status: w.status, attempts: w.attempts, scheduleAttempts: w.scheduleAttempts } : undefined);
      }),
    };
  }
}
