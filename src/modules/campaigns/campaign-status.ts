import type { EntityManager } from '@mikro-orm/postgresql';
import { DomainError } from '../../common/domain-error';
import { countAudience } from './campaign-audience';
import type { Campaign, CampaignStatus } from './campaign.entity';

/**
 * What the campaign use cases answer with (the campaign and its audience size counted now) and the
 * status rule of the controls (start, pause, resume, cancel): each is allowed from some statuses only.
 */

export interface CampaignWithCount {
  campaign: Campaign;
  audienceCount: number;
}

/** The campaign with its audience counted now. */
export async function withAudienceCount(em: EntityManager, campaign: Campaign): Promise<CampaignWithCount> {
  return { campaign, audienceCount: await countAudience(em, campaign.account.id, campaign.audience) };
}

/** 409 naming `status` unless the campaign is in one of the allowed statuses. */
export function requireStatus(campaign: Campaign, allowed: CampaignStatus[], action: string): void {
  if (!allowed.includes(campaign.status)) {
    throw new DomainError('CONFLICT', `status: cannot ${action} a ${campaign.status} campaign (only ${allowed.join(', ')})`, [{ field: 'status', problem: `is ${campaign.status}` }]);
  }
}
