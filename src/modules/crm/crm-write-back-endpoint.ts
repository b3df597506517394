import { ref } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { SecretBox } from '../../common/secret-box';
import { WebhookEndpoint } from '../webhooks/webhook.entity';
import { generateWebhookSecret } from '../webhooks/webhook-signature';
import type { CrmConnector } from './crm.entity';

/**
 * Keeps the connector's write-back endpoint (a webhook endpoint of kind 'crm') in step with the
 * connector: created with a fresh whsec_ secret when write-back is first turned on (the secret is
 * answered that once), its URL, sealed headers and timeout copied from the connector, enabled while
 * the connector and its write-back are. Turning write-back off disables it (its delivery log stays).
 */
export function syncWriteBackEndpoint(em: EntityManager, connector: CrmConnector, secrets: SecretBox): { secret?: string } {
  const wanted = connector.writeBackEnabled && connector.writeBackUrl !== null;
  const existing = connector.webhookEndpoint?.getEntity() ?? null;
  if (!existing) {
    if (!wanted) return {};
    const secret = generateWebhookSecret();
    const endpoint = em.create(WebhookEndpoint, {
      account: connector.account.id,
      kind: 'crm',
      url: connector.writeBackUrl!,
      description: `CRM connector ${connector.name}: write-back`,
      headersSealed: connector.headersSealed,
      timeoutMs: connector.timeoutMs,
      enabled: connector.enabled,
      secretSealed: secrets.encrypt(secret, 'write-back secret'),
    });
    connector.webhookEndpoint = ref(endpoint);
    return { secret };
  }
  if (connector.writeBackUrl) existing.url = connector.writeBackUrl;
  existing.description = `CRM connector ${connector.name}: write-back`;
  existing.headersSealed = connector.headersSealed;
  existing.timeoutMs = connector.timeoutMs;
  const enable = wanted && connector.enabled;
  if (enable && !existing.enabled) {
    existing.disabledReason = null;
    existing.disabledAt = null;
    existing.failingSince = null;
  }
  existing.enabled = enable;
  return {};
}
