import type { FilterQuery } from '@mikro-orm/core';
import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import type { Actor } from '../../auth/actor';
import { WebhookEndpointAccess } from '../webhook-endpoint-access';
import { type DeliveryStatus, WebhookDelivery } from '../webhook.entity';

export interface ListWebhookDeliveriesInput {
  actor: Actor;
  endpointId: string;
  status?: DeliveryStatus;
  messageId?: string;
  before?: string;
  limit?: number;
}

/** An endpoint's delivery log, newest first, by pages (before = the last id seen). */
@Injectable()
export class ListWebhookDeliveriesUseCase {
  constructor(
    private readonly em: EntityManager,
    private readonly access: WebhookEndpointAccess,
  ) {}

  async execute(input: ListWebhookDeliveriesInput): Promise<{ deliveries: WebhookDelivery[]; nextBefore: string | null }> {
    const em = this.em.fork();
    const endpoint = await this.access.find(em, input.actor, input.endpointId, 'reading the webhook delivery log');
    const limit = input.limit ?? 50;
    const where: FilterQuery<WebhookDelivery> = { endpoint: endpoint.id };
    if (input.status) where.status = input.status;
    if (input.messageId) where.message = input.messageId;
    if (input.before) where.id = { $lt: input.before };
    const rows = await em.find(WebhookDelivery, where, { orderBy: { id: 'desc' }, limit: limit + 1, populate: ['message'] });
    const page = rows.slice(0, limit);
    return { deliveries: page, nextBefore: rows.length > limit ? String(page[page.length - 1].id) : null };
  }
}
