import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { DomainError } from '../../../common/domain-error';
import type { Actor } from '../../auth/actor';
import { WebhookEndpointAccess } from '../webhook-endpoint-access';
import { WebhookAttempt, WebhookDelivery } from '../webhook.entity';

/** One delivery with the body as sent and every attempt (oldest first). */
@Injectable()
export class GetWebhookDeliveryUseCase {
  constructor(
    private readonly em: EntityManager,
    private readonly access: WebhookEndpointAccess,
  ) {}

  async execute(input: { actor: Actor; endpointId: string; deliveryId: string }): Promise<{ delivery: WebhookDelivery; attempts: WebhookAttempt[] }> {
    const em = this.em.fork();
    const endpoint = await this.access.find(em, input.actor, input.endpointId, 'reading the webhook delivery log');
    const delivery = /^\d{1,19}$/.test(input.deliveryId)
      ? await em.findOne(WebhookDelivery, { id: input.deliveryId, endpoint: endpoint.id }, { populate: ['message'] })
      : null;
    if (!delivery) throw DomainError.notFound('webhook delivery', input.deliveryId);
    const attempts = await em.find(WebhookAttempt, { delivery: delivery.id }, { orderBy: { id: 'asc' } });
    return { delivery, attempts };
  }
}
