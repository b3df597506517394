import type { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { DomainError } from '../../common/domain-error';
import { AccessPolicy } from '../auth/access-policy';
import type { Actor } from '../auth/actor';
import { CrmConnector } from './crm.entity';

/** Connectors are the administrators' (403 for everyone else); another account's connector does not exist (404). */
@Injectable()
export class CrmConnectorAccess {
  constructor(private readonly access: AccessPolicy) {}

  requireAdmin(actor: Actor): void {
    this.access.requireAdmin(actor, 'managing CRM connectors');
  }

  async find(em: EntityManager, actor: Actor, id: string): Promise<CrmConnector> {
    this.requireAdmin(actor);
    const connector = await em.findOne(CrmConnector, { id, account: actor.accountId }, { populate: ['webhookEndpoint'] });
    if (!connector) throw DomainError.notFound('CRM connector', id);
    return connector;
  }
}
