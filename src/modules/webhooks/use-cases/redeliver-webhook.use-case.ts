import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { DomainError } from '../../../common/domain-error';
import { WebhookWorkflows } from '../../../temporal/webhook-workflows';
import type { Actor } from '../../auth/actor';
import { WebhookEndpointAccess } from '../webhook-endpoint-access';

/**
 * Schedules deliveries again, at once, with a fresh retry schedule and the same webhook-id (a
 * receiver that already has the message recognises it). One delivery, or every failed one of the
 * endpoint whose message was created in [from, to).
 */
@Injectable()
export class RedeliverWebhookUseCase {
  constructor(
    private readonly em: EntityManager,
    private readonly access: WebhookEndpointAccess,
    private readonly workflows: WebhookWorkflows,
  ) {}

  async execute(input: { actor: Actor; endpointId: string; deliveryId?: string; from?: string; to?: string }): Promise<{ scheduled: number }> {
    const em = this.em.fork();
    const endpoint = await this.access.find(em, input.actor, input.endpointId, 'redelivering webhooks');
    let rows: unknown[];
    if (input.deliveryId !== undefined) {
      if (!/^\d{1,19}$/.test(input.deliveryId)) throw DomainError.notFound('webhook delivery', input.deliveryId);
      rows = await em.execute(
        `update webhook_deliveries set status = 'pending', attempts = 0, next_attempt_at = clock_timestamp() where id = ? and endpoint_id = ? returning id`,
        [input.deliveryId, endpoint.id],
      );
      if (rows.length === 0) throw DomainError.notFound('webhook delivery', input.deliveryId);
    } else {
      const from = new Date(input.from!);
      const to = new Date(input.to!);
      if (!(from < to)) throw DomainError.invalid('to', 'must be after from');
      rows = await em.execute(
        `update webhook_deliveries set status = 'pending', attempts = 0, next_attempt_at = clock_timestamp()
          where endpoint_id = ? and status = 'failed' and created_at >= ? and created_at < ? returning id`,
        [endpoint.id, from, to],
      );
    }
    if (rows.length > 0 && endpoint.enabled) await this.workflows.wake(endpoint.id);
    return { scheduled: rows.length };
  }
}
