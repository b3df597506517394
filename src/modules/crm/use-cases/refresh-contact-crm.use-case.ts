import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import type { Actor } from '../../auth/actor';
import { ContactAccess } from '../../contacts/contact-access';
import { CrmConnector } from '../crm.entity';
import { CrmLookup, type CrmLookupOutcome } from '../crm-lookup';

/** "Refresh": every enabled connector of the account looks the contact up now (the cache TTL does not apply). */
@Injectable()
export class RefreshContactCrmUseCase {
  constructor(
    private readonly em: EntityManager,
    private readonly contacts: ContactAccess,
    private readonly lookup: CrmLookup,
  ) {}

  async execute(input: { actor: Actor; contactId: string }): Promise<(CrmLookupOutcome & { connectorId: string })[]> {
    const em = this.em.fork();
    await this.contacts.requireVisible(input.actor, input.contactId, em);
    const connectors = await em.find(CrmConnector, { account: input.actor.accountId, enabled: true }, { orderBy: { createdAt: 'asc', id: 'asc' } });
    return Promise.all(connectors.map(async (connector) => ({ connectorId: connector.id, ...(await this.lookup.run(em.fork(), { connector, contactId: input.contactId, reason: 'refresh' })) })));
  }
}
