import type { EntityManager } from '@mikro-orm/postgresql';
import { DomainError } from '../../common/domain-error';
import type { OutboundPolicy } from '../../common/outbound-address';
import type { Actor } from '../auth/actor';
import { checkMmsMedia } from '../channels/sms/mms-media';
import type { MessageAttachment } from '../conversations/message.entity';
import type { ChannelType } from '../inboxes/inbox.entity';
import { ContactAttributeDefinition } from '../contacts/contact.entity';
import { normaliseContactTags } from '../contacts/contact-tags';
import type { CampaignAudience } from './campaign.entity';
import { isEmptyWindow, type QuietHours } from './quiet-hours';

/**
 * Checks of the campaign fields that creating and editing a draft share; each problem is a 400 naming
 * its field (audience.contactIds, audience.tags, audience.attributes.<key>, quietHours.end, scheduledAt,
 * mediaUrls, mediaUrls[i]).
 */

/**
 * The audience as stored: contact ids de-duplicated and existing in the account, tags normalised, and
 * no filter on a hidden attribute unless the caller is an administrator (requireVisibleFilters).
 */
export async function checkAudience(em: EntityManager, actor: Pick<Actor, 'accountId' | 'isAdmin'>, audience: CampaignAudience): Promise<CampaignAudience> {
  const { accountId } = actor;
  const out: CampaignAudience = {};
  if (audience.contactIds) {
    const ids = [...new Set(audience.contactIds)];
    if (ids.length === 0) throw DomainError.invalid('audience.contactIds', 'must name at least one contact (leave it out for every contact)');
    const found = await em.execute<{ n: string }[]>(`select count(*) as n from contacts where account_id = ? and id = any(?::uuid[])`, [accountId, `{${ids.join(',')}}`]);
    if (Number(found[0].n) !== ids.length) throw DomainError.invalid('audience.contactIds', `${ids.length - Number(found[0].n)} of the contacts do not exist in this account`);
    out.contactIds = ids;
  }
  if (audience.tags) {
    const tags = normaliseContactTags(audience.tags, 'audience.tags');
    if (tags.length === 0) throw DomainError.invalid('audience.tags', 'must name at least one tag (leave it out for every contact)');
    out.tags = tags;
  }
  if (audience.attributes) {
    for (const [key, value] of Object.entries(audience.attributes)) {
      if (!/^[a-z0-9_]{1,64}$/.test(key)) throw DomainError.invalid(`audience.attributes.${key}`, 'keys are 1-64 characters of a-z, 0-9 and _');
      if (typeof value !== 'string') throw DomainError.invalid(`audience.attributes.${key}`, 'must be a string');
    }
    out.attributes = { ...audience.attributes };
  }
  await requireVisibleFilters(em, actor, out);
  return out;
}

/**
 * A count of contacts whose hidden attribute equals a value the caller picks would tell them the
 * values one guess at a time. So only administrators filter audiences on hidden custom attributes, and
 * only they count such an audience: for anyone else it is a 400 naming audience.attributes.<key>
 * (creating, editing, previewing), whoever wrote the filter.
 */
export async function requireVisibleFilters(em: EntityManager, actor: Pick<Actor, 'accountId' | 'isAdmin'>, audience: CampaignAudience): Promise<void> {
  const keys = Object.keys(audience.attributes ?? {});
  if (actor.isAdmin || keys.length === 0) return;
  const hidden = await em.find(ContactAttributeDefinition, { account: actor.accountId, visible: false, key: { $in: keys } }, { fields: ['key'] });
  const key = keys.find((k) => hidden.some((h) => h.key === k));
  if (key !== undefined) {
    throw DomainError.invalid(`audience.attributes.${key}`, 'is a hidden contact attribute: only administrators may filter or count an audience on it');
  }
}

/** The quiet-hours window as stored (null: none); start and end must differ. */
export function checkQuietHours(quiet: QuietHours | null | undefined): QuietHours | null {
  if (!quiet) return null;
  if (isEmptyWindow(quiet)) throw DomainError.invalid('quietHours.end', 'must differ from quietHours.start');
  return { start: quiet.start, end: quiet.end };
}

/** A schedule more than a minute in the past is refused. */
export function checkSchedule(scheduledAt: Date | null | undefined): void {
  if (scheduledAt && scheduledAt.getTime() < Date.now() - 60_000) throw DomainError.invalid('scheduledAt', 'is in the past (leave it out to send when started)');
}

/**
 * A campaign's MMS media as stored: none for an empty list; otherwise only on an SMS inbox, each URL
 * checked as a reply's are (channels/sms/mms-media.ts: http(s), the outbound-address guard, a HEAD
 * answering 2xx with a type MMS carries and a Content-Length, MMS_MAX_BYTES together).
 */
export async function checkCampaignMedia(
  channelType: ChannelType,
  urls: readonly string[],
  policy: OutboundPolicy,
  limits: { maxBytes: number; checkTimeoutMs: number },
): Promise<MessageAttachment[]> {
  if (!urls.length) return [];
  if (channelType !== 'sms') throw DomainError.invalid('mediaUrls', `only SMS campaigns carry media (MMS); this inbox is ${channelType}`);
  return checkMmsMedia(urls, policy, limits);
}
