import type { EntityManager } from '@mikro-orm/postgresql';
import { DomainError } from '../../../common/domain-error';
import type { OutboundPolicy } from '../../../common/outbound-address';
import type { SecretBox } from '../../../common/secret-box';
import { validateWebhookUrl } from '../../webhooks/webhook-url';
import { validateHeaders, validateLookupUrl, validateMapping, validatePointer } from '../crm-connector-rules';
import type { CrmConnector } from '../crm.entity';
import type { CreateCrmConnectorDto } from '../dto/crm.dto';

export type CrmConnectorChanges = Partial<CreateCrmConnectorDto>;

/** Applies checked changes to a connector (create and update share it); the write-back endpoint follows. */
export async function applyConnectorChanges(em: EntityManager, connector: CrmConnector, changes: CrmConnectorChanges, deps: { policy: OutboundPolicy; secrets: SecretBox }): Promise<void> {
  if (changes.name !== undefined) connector.name = changes.name.trim();
  if (changes.enabled !== undefined) connector.enabled = changes.enabled;
  if (changes.lookupAttribute !== undefined) connector.lookupAttribute = changes.lookupAttribute;
  if (changes.lookupUrl !== undefined) connector.lookupUrl = validateLookupUrl(changes.lookupUrl, deps.policy);
  if (changes.headers !== undefined) {
    const headers = validateHeaders(changes.headers);
    const names = Object.keys(headers);
    connector.headerNames = names;
    connector.headersSealed = names.length ? deps.secrets.encrypt(JSON.stringify(headers), 'CRM connector headers') : null;
  }
  if (changes.timeoutMs !== undefined) connector.timeoutMs = changes.timeoutMs;
  if (changes.cacheTtlSeconds !== undefined) connector.cacheTtlSeconds = changes.cacheTtlSeconds;
  if (changes.maxConcurrentLookups !== undefined) connector.maxConcurrentLookups = changes.maxConcurrentLookups;
  if (changes.externalIdPointer !== undefined) connector.externalIdPointer = validatePointer(changes.externalIdPointer, 'externalIdPointer');
  if (changes.mapping !== undefined) connector.mapping = await validateMapping(em, connector.account.id, changes.mapping);
  if (changes.lookupOnContactCreated !== undefined) connector.lookupOnContactCreated = changes.lookupOnContactCreated;
  if (changes.lookupOnConversationStarted !== undefined) connector.lookupOnConversationStarted = changes.lookupOnConversationStarted;
  if (changes.writeBackUrl !== undefined) connector.writeBackUrl = changes.writeBackUrl === null || changes.writeBackUrl.trim() === '' ? null : validateWebhookUrl(changes.writeBackUrl, deps.policy, 'writeBackUrl');
  if (changes.writeBackEnabled !== undefined) connector.writeBackEnabled = changes.writeBackEnabled;
  if (connector.writeBackEnabled && !connector.writeBackUrl) throw DomainError.invalid('writeBackUrl', 'is required when write-back is on');
}
