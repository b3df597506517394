import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import type { Actor } from '../../auth/actor';
import { CrmConnectorAccess } from '../crm-connector-access';

/** Deletes the connector with its links, call log and write-back endpoint (pending write-backs are dropped). */
@Injectable()
export class DeleteCrmConnectorUseCase {
  constructor(
    private readonly em: EntityManager,
    private readonly access: CrmConnectorAccess,
  ) {}

  async execute(input: { actor: Actor; connectorId: string }): Promise<void> {
    const em = this.em.fork();
    const connector = await this.access.find(em, input.actor, input.connectorId);
    await em.transactional(async (tx) => {
      const endpointId = connector.webhookEndpoint?.id;
      await tx.execute('delete from crm_connectors where id = ?', [connector.id]);
      if (endpointId) await tx.execute(`delete from webhook_endpoints where id = ? and kind = 'crm'`, [endpointId]);
    });
  }
}
