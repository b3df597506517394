import { EntityManager } from '@mikro-orm/postgresql';
import { Inject, Injectable } from '@nestjs/common';
import { SecretBox } from '../../../common/secret-box';
import { APP_CONFIG, type ServiceConfig } from '../../../config/config';
import type { Actor } from '../../auth/actor';
import { CrmConnectorAccess } from '../crm-connector-access';
import { CrmConnector } from '../crm.entity';
import { syncWriteBackEndpoint } from '../crm-write-back-endpoint';
import type { CreateCrmConnectorDto } from '../dto/crm.dto';
import { applyConnectorChanges } from './save-crm-connector';

@Injectable()
export class CreateCrmConnectorUseCase {
  constructor(
    private readonly em: EntityManager,
    private readonly access: CrmConnectorAccess,
    private readonly secrets: SecretBox,
    @Inject(APP_CONFIG) private readonly config: ServiceConfig,
  ) {}

  async execute(input: CreateCrmConnectorDto & { actor: Actor }): Promise<{ connector: CrmConnector; writeBackSecret?: string }> {
    this.access.requireAdmin(input.actor);
    const em = this.em.fork();
    const connector = em.create(CrmConnector, { account: input.actor.accountId, name: input.name, lookupAttribute: input.lookupAttribute, lookupUrl: input.lookupUrl });
    const { actor: _actor, ...changes } = input;
    await applyConnectorChanges(em, connector, changes, { policy: this.config.outbound, secrets: this.secrets });
    const { secret } = syncWriteBackEndpoint(em, connector, this.secrets);
    await em.flush();
    return { connector, writeBackSecret: secret };
  }
}
