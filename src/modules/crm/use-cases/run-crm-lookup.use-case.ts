import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { CrmConnector, type CrmCallReason } from '../crm.entity';
import { CrmLookup, type CrmLookupOutcome } from '../crm-lookup';

/** The crm-lookup workflow's activity: one connector's lookup of one contact (cache TTL applies). */
@Injectable()
export class RunCrmLookupUseCase {
  constructor(
    private readonly em: EntityManager,
    private readonly lookup: CrmLookup,
  ) {}

  async execute(input: { connectorId: string; contactId: string; reason: CrmCallReason }): Promise<{ outcome: CrmLookupOutcome['outcome'] | 'gone' }> {
    const em = this.em.fork();
    const connector = await em.findOne(CrmConnector, { id: input.connectorId });
    if (!connector || !connector.enabled) return { outcome: 'gone' };
    const contact = await em.execute<{ id: string }[]>('select id from contacts where id = ?', [input.contactId]);
    if (contact.length === 0) return { outcome: 'gone' };
    const result = await this.lookup.run(em, { connector, contactId: input.contactId, reason: input.reason });
    return { outcome: result.outcome };
  }
}
