import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { DomainError } from '../../../common/domain-error';
import { CrmConnector, type CrmCallReason } from '../crm.entity';
import { CrmLookup, type CrmLookupOutcome } from '../crm-lookup';
import { CRM_LOOKUPS_CHANNEL } from '../crm-lookup-dispatcher';

/**
 * The crm-lookup workflow's activity: one connector's lookup of one contact (cache TTL applies). When
 * it is done (whatever the CRM answered, or nothing to do) it removes its crm_lookup_queue row, which
 * frees the connector's slot, and wakes the dispatchers. A failure Temporal retries keeps the row (the
 * slot stays taken while the retry waits).
 */
@Injectable()
export class RunCrmLookupUseCase {
  constructor(
    private readonly em: EntityManager,
    private readonly lookup: CrmLookup,
  ) {}

  async execute(input: { connectorId: string; contactId: string; reason: CrmCallReason; queueId?: string }): Promise<{ outcome: CrmLookupOutcome['outcome'] | 'gone' }> {
    const em = this.em.fork();
    try {
      const result = await this.run(em, input);
      await this.done(em, input.queueId);
      return result;
    } catch (err) {
      if (err instanceof DomainError) await this.done(em, input.queueId);
      throw err;
    }
  }

  private async run(em: EntityManager, input: { connectorId: string; contactId: string; reason: CrmCallReason }): Promise<{ outcome: CrmLookupOutcome['outcome'] | 'gone' }> {
    const connector = await em.findOne(CrmConnector, { id: input.connectorId });
    if (!connector || !connector.enabled) return { outcome: 'gone' };
    const contact = await em.execute<{ id: string }[]>('select id from contacts where id = ?', [input.contactId]);
    if (contact.length === 0) return { outcome: 'gone' };
    const result = await this.lookup.run(em, { connector, contactId: input.contactId, reason: input.reason });
    return { outcome: result.outcome };
  }

  private async done(em: EntityManager, queueId: string | undefined): Promise<void> {
    if (!queueId) return;
    await em.execute(`with gone as (delete from crm_lookup_queue where id = ? returning 1) select pg_notify(?, '') from gone`, [queueId, CRM_LOOKUPS_CHANNEL]);
  }
}
