import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { DomainError } from '../../../common/domain-error';
import { WebhookWorkflows } from '../../../temporal/webhook-workflows';
import type { Actor } from '../../auth/actor';
import { WebhookEndpointAccess } from '../webhook-endpoint-access';
import { WEBHOOK_TEST_EVENT } from '../webhook-event-types';

/** A webhook.test message to this endpoint only, through the same pipeline (signed, retried, logged). */
@Injectable()
export class SendTestWebhookUseCase {
  constructor(
    private readonly em: EntityManager,
    private readonly access: WebhookEndpointAccess,
    private readonly workflows: WebhookWorkflows,
  ) {}

  async execute(input: { actor: Actor; endpointId: string }): Promise<{ messageId: string; deliveryId: string }> {
    const em = this.em.fork();
    const endpoint = await this.access.find(em, input.actor, input.endpointId, 'sending a test webhook');
    if (!endpoint.enabled) throw new DomainError('UNPROCESSABLE', 'the endpoint is disabled: enable it to send a test event');
    const [row] = await em.execute<{ id: string | null }[]>(`select webhook_enqueue(?, ?, null, ?::jsonb, false, ?) as id`, [
      input.actor.accountId,
      WEBHOOK_TEST_EVENT,
      JSON.stringify({ endpointId: endpoint.id, message: 'A test event sent from the console or the API.', sentByUserId: input.actor.userId }),
      endpoint.id,
    ]);
    if (!row?.id) throw new DomainError('CONFLICT', 'the endpoint was disabled meanwhile');
    const [delivery] = await em.execute<{ id: string }[]>('select id from webhook_deliveries where endpoint_id = ? and message_id = ?', [endpoint.id, row.id]);
    await this.workflows.wake(endpoint.id);
    return { messageId: row.id, deliveryId: String(delivery.id) };
  }
}
