import { EntityManager } from '@mikro-orm/postgresql';
import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, type ServiceConfig } from '../../../config/config';
import { WebhookWorkflows } from '../../../temporal/webhook-workflows';
import type { Actor } from '../../auth/actor';
import { WebhookEndpointAccess } from '../webhook-endpoint-access';
import type { WebhookEndpoint } from '../webhook.entity';
import { validateWebhookUrl } from '../webhook-url';

export interface UpdateWebhookEndpointInput {
  actor: Actor;
  endpointId: string;
  url?: string;
  description?: string;
  eventTypes?: string[];
  includeNotes?: boolean;
  enabled?: boolean;
}

/**
 * Changes an endpoint. Enabling it (again) clears the reason the product disabled it and its failure
 * streak, and wakes its delivery workflow: pending deliveries resume. Disabling stops the workflow at
 * its next round; deliveries stay pending. Changed event types apply to events from now on.
 */
@Injectable()
export class UpdateWebhookEndpointUseCase {
  constructor(
    private readonly em: EntityManager,
    private readonly access: WebhookEndpointAccess,
    private readonly workflows: WebhookWorkflows,
    @Inject(APP_CONFIG) private readonly config: ServiceConfig,
  ) {}

  async execute(input: UpdateWebhookEndpointInput): Promise<WebhookEndpoint> {
    const em = this.em.fork();
    const endpoint = await em.transactional(async (tx) => {
      const e = await this.access.find(tx, input.actor, input.endpointId, 'managing webhooks', { lock: true });
      if (input.url !== undefined) e.url = validateWebhookUrl(input.url, this.config.outbound);
      if (input.description !== undefined) e.description = input.description.trim();
      if (input.eventTypes !== undefined) e.eventTypes = [...new Set(input.eventTypes)];
      if (input.includeNotes !== undefined) e.includeNotes = input.includeNotes;
      if (input.enabled !== undefined && input.enabled !== e.enabled) {
        e.enabled = input.enabled;
        if (input.enabled) {
          e.disabledReason = null;
          e.disabledAt = null;
          e.failingSince = null;
        } else {
          e.disabledAt = new Date();
          e.disabledReason = null;
        }
      }
      return e;
    });
    if (endpoint.enabled) await this.workflows.wake(endpoint.id);
    return endpoint;
  }
}
