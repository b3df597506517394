import type { EntityManager } from '@mikro-orm/postgresql';
import { DomainError } from '../../common/domain-error';
import type { OutboundPolicy } from '../../common/outbound-address';
import { ContactAttributeDefinition } from '../contacts/contact.entity';
import { validateWebhookUrl } from '../webhooks/webhook-url';
import { CRM_MAX_HEADERS } from './dto/crm.dto';
import type { CrmFieldMapping } from './crm.entity';
import { jsonPointerProblem } from './json-pointer';

const HEADER_NAME = /^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,100}$/;
/** Headers the product sets itself. */
const RESERVED = new Set(['host', 'content-length', 'content-type', 'connection', 'transfer-encoding', 'webhook-id', 'webhook-timestamp', 'webhook-signature', 'idempotency-key']);

/** The lookup URL: http(s), with {{value}}, and a host the outbound-address guard does not refuse on its face. */
export function validateLookupUrl(raw: string, policy: OutboundPolicy): string {
  const url = raw.trim();
  if (!url.includes('{{value}}')) throw DomainError.invalid('lookupUrl', 'must contain {{value}} (where the email, phone or external id goes)');
  validateWebhookUrl(url.replace(/\{\{value\}\}/g, 'value'), policy, 'lookupUrl');
  const hostWith = (v: string) => new URL(url.replace(/\{\{value\}\}/g, v)).host;
  if (hostWith('a1') !== hostWith('b2')) throw DomainError.invalid('lookupUrl', '{{value}} may not be in the host');
  return url;
}

/** Header names are HTTP tokens (lower-cased), values one line of at most 2000 characters. */
export function validateHeaders(headers: Record<string, unknown>): Record<string, string> {
  const entries = Object.entries(headers);
  if (entries.length > CRM_MAX_HEADERS) throw DomainError.invalid('headers', `at most ${CRM_MAX_HEADERS} headers`);
  const out: Record<string, string> = {};
  for (const [name, value] of entries) {
    const field = `headers.${name}`;
    if (!HEADER_NAME.test(name)) throw DomainError.invalid(field, 'is not a valid header name');
    if (RESERVED.has(name.toLowerCase())) throw DomainError.invalid(field, 'is set by the product itself');
    if (typeof value !== 'string') throw DomainError.invalid(field, 'must be a string');
    if (/[\r\n\0]/.test(value) || value.length > 2000) throw DomainError.invalid(field, 'must be one line of at most 2000 characters');
    out[name.toLowerCase()] = value;
  }
  return out;
}

export function validatePointer(pointer: string, field: string): string {
  const problem = jsonPointerProblem(pointer);
  if (problem) throw DomainError.invalid(field, problem);
  return pointer;
}

/** Each pointer a JSON Pointer, each attribute an existing custom attribute of the account, none twice. */
export async function validateMapping(em: EntityManager, accountId: string, mapping: CrmFieldMapping[]): Promise<CrmFieldMapping[]> {
  const keys = new Set((await em.find(ContactAttributeDefinition, { account: accountId })).map((d) => d.key));
  const seen = new Set<string>();
  return mapping.map((m, i) => {
    validatePointer(m.pointer, `mapping[${i}].pointer`);
    const field = `mapping[${i}].attribute`;
    if (!keys.has(m.attribute)) throw DomainError.invalid(field, `is not a custom attribute of this account (known: ${keys.size ? [...keys].join(', ') : 'none'})`);
    if (seen.has(m.attribute)) throw DomainError.invalid(field, `"${m.attribute}" is mapped twice`);
    seen.add(m.attribute);
    return { pointer: m.pointer, attribute: m.attribute };
  });
}
