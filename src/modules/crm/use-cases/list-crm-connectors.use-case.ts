import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import type { Actor } from '../../auth/actor';
import { CrmConnectorAccess } from '../crm-connector-access';
import { CrmConnector } from '../crm.entity';

@Injectable()
export class ListCrmConnectorsUseCase {
  constructor(
    private readonly em: EntityManager,
    private readonly access: CrmConnectorAccess,
  ) {}

  async execute(input: { actor: Actor }): Promise<CrmConnector[]> {
    this.access.requireAdmin(input.actor);
    return this.em.fork().find(CrmConnector, { account: input.actor.accountId }, { populate: ['webhookEndpoint'], orderBy: { createdAt: 'asc', id: 'asc' } });
  }
}

@Injectable()
export class GetCrmConnectorUseCase {
  constructor(
    private readonly em: EntityManager,
    private readonly access: CrmConnectorAccess,
  ) {}

  async execute(input: { actor: Actor; connectorId: string }): Promise<CrmConnector> {
    return this.access.find(this.em.fork(), input.actor, input.connectorId);
  }
}
