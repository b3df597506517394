import { EntityManager } from '@mikro-orm/postgresql';
import { Inject, Injectable } from '@nestjs/common';
import { SecretBox } from '../../../common/secret-box';
import { APP_CONFIG, type ServiceConfig } from '../../../config/config';
import type { Actor } from '../../auth/actor';
import { WebhookEndpointAccess } from '../webhook-endpoint-access';
import type { WebhookEndpoint } from '../webhook.entity';
import { generateWebhookSecret } from '../webhook-signature';

/**
 * A new secret (answered this once). The previous one keeps signing for `overlapSeconds`
 * (WEBHOOK_ROTATION_OVERLAP_SECONDS by default): every attempt then carries both signatures, so the
 * receiver can switch to the new secret whenever it likes within the overlap.
 */
@Injectable()
export class RotateWebhookSecretUseCase {
  constructor(
    private readonly em: EntityManager,
    private readonly access: WebhookEndpointAccess,
    private readonly secrets: SecretBox,
    @Inject(APP_CONFIG) private readonly config: ServiceConfig,
  ) {}

  async execute(input: { actor: Actor; endpointId: string; overlapSeconds?: number }): Promise<{ endpoint: WebhookEndpoint; secret: string }> {
    const overlap = input.overlapSeconds ?? this.config.webhooks.rotationOverlapSeconds;
    const secret = generateWebhookSecret();
    const endpoint = await this.em.fork().transactional(async (tx) => {
      const e = await this.access.find(tx, input.actor, input.endpointId, 'managing webhooks', { lock: true });
      e.previousSecretSealed = overlap > 0 ? e.secretSealed : null;
      e.previousSecretExpiresAt = overlap > 0 ? new Date(Date.now() + overlap * 1000) : null;
      e.secretSealed = this.secrets.encrypt(secret, 'webhook secret');
      return e;
    });
    return { endpoint, secret };
  }
}
