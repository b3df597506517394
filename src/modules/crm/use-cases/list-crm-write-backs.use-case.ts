import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import type { Actor } from '../../auth/actor';
import { CrmConnectorAccess } from '../crm-connector-access';
import { type CrmWriteBack, loadCrmWriteBacks } from '../crm-write-backs';

/** A connector's write-back log (administrators), newest first, by pages; optionally of one contact. */
@Injectable()
export class ListCrmWriteBacksUseCase {
  constructor(
    private readonly em: EntityManager,
    private readonly access: CrmConnectorAccess,
  ) {}

  async execute(input: { actor: Actor; connectorId: string; contactId?: string; before?: string; limit?: number }): Promise<{ writeBacks: CrmWriteBack[]; nextBefore: string | null }> {
    const em = this.em.fork();
    const connector = await this.access.find(em, input.actor, input.connectorId);
    const limit = input.limit ?? 50;
    const rows = await loadCrmWriteBacks(em, { connectorId: connector.id, contactId: input.contactId, before: input.before, limit: limit + 1 });
    const page = rows.slice(0, limit);
    return { writeBacks: page, nextBefore: rows.length > limit ? page[page.length - 1].callId : null };
  }
}
