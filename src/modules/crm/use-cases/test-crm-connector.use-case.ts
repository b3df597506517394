import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import type { Actor } from '../../auth/actor';
import { ContactAccess } from '../../contacts/contact-access';
import { CrmConnectorAccess } from '../crm-connector-access';
import { CrmLookup, type CrmLookupOutcome } from '../crm-lookup';

/** "Test with this contact": the lookup as it would run, with the raw request and answer; nothing is applied (the call is logged). */
@Injectable()
export class TestCrmConnectorUseCase {
  constructor(
    private readonly em: EntityManager,
    private readonly access: CrmConnectorAccess,
    private readonly contacts: ContactAccess,
    private readonly lookup: CrmLookup,
  ) {}

  async execute(input: { actor: Actor; connectorId: string; contactId: string }): Promise<CrmLookupOutcome & { connectorId: string }> {
    const em = this.em.fork();
    const connector = await this.access.find(em, input.actor, input.connectorId);
    await this.contacts.find(input.actor, input.contactId, em);
    return { connectorId: connector.id, ...(await this.lookup.run(em, { connector, contactId: input.contactId, reason: 'test' })) };
  }
}
