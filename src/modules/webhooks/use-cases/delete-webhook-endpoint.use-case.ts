import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import type { Actor } from '../../auth/actor';
import { WebhookEndpointAccess } from '../webhook-endpoint-access';

/** Deletes an endpoint with its deliveries and their log (its workflow ends at its next round). */
@Injectable()
export class DeleteWebhookEndpointUseCase {
  constructor(
    private readonly em: EntityManager,
    private readonly access: WebhookEndpointAccess,
  ) {}

  async execute(input: { actor: Actor; endpointId: string }): Promise<void> {
    const em = this.em.fork();
    const endpoint = await this.access.find(em, input.actor, input.endpointId, 'managing webhooks');
    await em.execute('delete from webhook_endpoints where id = ?', [endpoint.id]);
  }
}
