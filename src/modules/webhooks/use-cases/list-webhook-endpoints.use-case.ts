import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import type { Actor } from '../../auth/actor';
import { WebhookEndpointAccess } from '../webhook-endpoint-access';
import { WebhookEndpoint } from '../webhook.entity';

@Injectable()
export class ListWebhookEndpointsUseCase {
  constructor(
    private readonly em: EntityManager,
    private readonly access: WebhookEndpointAccess,
  ) {}

  async execute(input: { actor: Actor }): Promise<WebhookEndpoint[]> {
    this.access.requireAdmin(input.actor, 'managing webhooks');
    return this.em.fork().find(WebhookEndpoint, { account: input.actor.accountId, kind: 'webhook' }, { orderBy: { createdAt: 'asc', id: 'asc' } });
  }
}
