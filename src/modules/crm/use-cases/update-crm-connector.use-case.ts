import { EntityManager } from '@mikro-orm/postgresql';
import { Inject, Injectable } from '@nestjs/common';
import { SecretBox } from '../../../common/secret-box';
import { APP_CONFIG, type ServiceConfig } from '../../../config/config';
import type { Actor } from '../../auth/actor';
import { CrmConnectorAccess } from '../crm-connector-access';
import type { CrmConnector } from '../crm.entity';
import { syncWriteBackEndpoint } from '../crm-write-back-endpoint';
import type { UpdateCrmConnectorDto } from '../dto/crm.dto';
import { applyConnectorChanges } from './save-crm-connector';

@Injectable()
export class UpdateCrmConnectorUseCase {
  constructor(
    private readonly em: EntityManager,
    private readonly access: CrmConnectorAccess,
    private readonly secrets: SecretBox,
    @Inject(APP_CONFIG) private readonly config: ServiceConfig,
  ) {}

  async execute(input: UpdateCrmConnectorDto & { actor: Actor; connectorId: string }): Promise<{ connector: CrmConnector; writeBackSecret?: string }> {
    const em = this.em.fork();
    const connector = await this.access.find(em, input.actor, input.connectorId);
    const { actor: _actor, connectorId: _id, ...changes } = input;
    await applyConnectorChanges(em, connector, changes, { policy: this.config.outbound, secrets: this.secrets });
    const { secret } = syncWriteBackEndpoint(em, connector, this.secrets);
    await em.flush();
    return { connector, writeBackSecret: secret };
  }
}
