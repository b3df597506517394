/**
 * Media on outbound SMS (MMS): each URL is checked before the message is stored — a public http(s)
 * address (the outbound-address guard, as for every tenant-chosen URL), answering a HEAD request with
 * 2xx, a content type Twilio sends and a Content-Length — and the media together must fit
 * MMS_MAX_BYTES (Twilio's limit is 5 MB). Twilio fetches the media itself when it sends; we keep the
 * URL, type and size on the message (attachments).
 */
import { DomainError } from '../../../common/domain-error';
import { OutboundAddressRefused, OutboundLookupFailed, type OutboundPolicy } from '../../../common/outbound-address';
import { headOutbound } from '../../../common/outbound-http';
import type { MessageAttachment } from '../../conversations/message.entity';

/** Twilio takes at most 10 media per message. */
export const MMS_MAX_MEDIA = 10;

/** Types Twilio sends as MMS (images are resized for handsets; the others pass as they are). */
const SENDABLE = [/^image\/(jpeg|jpg|png|gif|bmp|webp|tiff)$/, /^video\/(mp4|mpeg|3gpp|3gpp2|quicktime|webm)$/, /^audio\/(mpeg|mp4|ogg|amr|wav|3gpp|basic|webm|aac)$/, /^text\/(vcard|x-vcard|calendar|plain)$/, /^application\/pdf$/];

export async function checkMmsMedia(urls: readonly string[], policy: OutboundPolicy, limits: { maxBytes: number; checkTimeoutMs: number }): Promise<MessageAttachment[]> {
  if (urls.length > MMS_MAX_MEDIA) throw DomainError.invalid('mediaUrls', `at most ${MMS_MAX_MEDIA} media per message (Twilio's limit)`);
  const checked = await Promise.all(urls.map((raw, i) => checkOne(raw, `mediaUrls[${i}]`, policy, limits.checkTimeoutMs)));
  const total = checked.reduce((sum, m) => sum + (m.size ?? 0), 0);
  if (total > limits.maxBytes) throw DomainError.invalid('mediaUrls', `the media come to ${total} bytes together; an MMS carries at most ${limits.maxBytes} (MMS_MAX_BYTES)`);
  return checked;
}

async function checkOne(raw: string, field: string, policy: OutboundPolicy, timeoutMs: number): Promise<MessageAttachment> {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw DomainError.invalid(field, 'is not a URL');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw DomainError.invalid(field, 'must be an http or https URL');
  if (url.username || url.password) throw DomainError.invalid(field, 'must not carry a user name or password');
  let answer;
  try {
    answer = await headOutbound(url, policy, { timeoutMs, field });
  } catch (err) {
    if (err instanceof OutboundAddressRefused) throw DomainError.invalid(field, err.message.replace(`${field}: `, ''));
    if (err instanceof OutboundLookupFailed) throw DomainError.invalid(field, `the host ${err.host} could not be resolved`);
    throw DomainError.invalid(field, `could not be checked: ${(err as Error).message}`);
  }
  if (answer.status < 200 || answer.status >= 300) throw DomainError.invalid(field, `answered HTTP ${answer.status} to a HEAD request; Twilio needs to fetch it`);
  const contentType = String(answer.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
  if (!contentType) throw DomainError.invalid(field, 'has no Content-Type');
  if (!SENDABLE.some((re) => re.test(contentType))) throw DomainError.invalid(field, `is ${contentType}, which MMS does not carry (images, video, audio, vCard, calendar, PDF)`);
  const length = answer.headers['content-length'];
  const size = Number(length);
  if (length === undefined || !Number.isInteger(size) || size < 0) throw DomainError.invalid(field, 'has no Content-Length, so its size cannot be checked');
  return { url: url.toString(), contentType, size };
}
