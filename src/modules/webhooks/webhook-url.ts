import { DomainError } from '../../common/domain-error';
import { type OutboundPolicy, refuseLiteralHost } from '../../common/outbound-address';

/**
 * Checks an endpoint URL when it is saved: http(s), no credentials, at most 2,000 characters, and a
 * host the outbound-address guard does not refuse on its face (a literal internal address, a metadata
 * name). The addresses a name resolves to are checked again at every attempt, and the attempt
 * connects to the checked address.
 */
export function validateWebhookUrl(raw: string, policy: OutboundPolicy, field = 'url'): string {
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    throw DomainError.invalid(field, 'must be an absolute http:// or https:// URL');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw DomainError.invalid(field, 'must be an http:// or https:// URL');
  if (url.username || url.password) throw DomainError.invalid(field, 'must not contain credentials (user:password@); receivers verify the signature instead');
  if (url.href.length > 2000) throw DomainError.invalid(field, 'must be at most 2000 characters');
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const refusal = refuseLiteralHost(host, policy, field);
  if (refusal) throw refusal;
  return url.href;
}
