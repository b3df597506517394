import { EntityManager } from '@mikro-orm/postgresql';
import { Inject, Injectable } from '@nestjs/common';
import { SecretBox } from '../../../common/secret-box';
import { APP_CONFIG, type ServiceConfig } from '../../../config/config';
import { WebhookWorkflows } from '../../../temporal/webhook-workflows';
import type { Actor } from '../../auth/actor';
import { WebhookEndpointAccess } from '../webhook-endpoint-access';
import { WebhookEndpoint } from '../webhook.entity';
import { generateWebhookSecret } from '../webhook-signature';
import { validateWebhookUrl } from '../webhook-url';

export interface CreateWebhookEndpointInput {
  actor: Actor;
  url: string;
  description?: string;
  eventTypes?: string[];
  includeNotes?: boolean;
  enabled?: boolean;
}

/** Creates an endpoint with a fresh secret (sealed at rest; the plaintext is answered this once). */
@Injectable()
export class CreateWebhookEndpointUseCase {
  constructor(
    private readonly em: EntityManager,
    private readonly access: WebhookEndpointAccess,
    private readonly secrets: SecretBox,
    private readonly workflows: WebhookWorkflows,
    @Inject(APP_CONFIG) private readonly config: ServiceConfig,
  ) {}

  async execute(input: CreateWebhookEndpointInput): Promise<{ endpoint: WebhookEndpoint; secret: string }> {
    this.access.requireAdmin(input.actor, 'managing webhooks');
    const url = validateWebhookUrl(input.url, this.config.outbound);
    const secret = generateWebhookSecret();
    const em = this.em.fork();
    const endpoint = em.create(WebhookEndpoint, {
      account: input.actor.accountId,
      url,
      description: input.description?.trim() ?? '',
      eventTypes: [...new Set(input.eventTypes ?? [])],
      includeNotes: input.includeNotes ?? false,
      enabled: input.enabled ?? true,
      secretSealed: this.secrets.encrypt(secret, 'webhook secret'),
    });
    await em.flush();
    if (endpoint.enabled) await this.workflows.wake(endpoint.id);
    return { endpoint, secret };
  }
}
