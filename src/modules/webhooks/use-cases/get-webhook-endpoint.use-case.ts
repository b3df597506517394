import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import type { Actor } from '../../auth/actor';
import { WebhookEndpointAccess } from '../webhook-endpoint-access';
import type { WebhookEndpoint } from '../webhook.entity';

@Injectable()
export class GetWebhookEndpointUseCase {
  constructor(
    private readonly em: EntityManager,
    private readonly access: WebhookEndpointAccess,
  ) {}

  execute(input: { actor: Actor; endpointId: string }): Promise<WebhookEndpoint> {
    return this.access.find(this.em.fork(), input.actor, input.endpointId, 'managing webhooks');
  }
}
