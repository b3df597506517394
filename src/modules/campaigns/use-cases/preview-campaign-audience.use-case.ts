import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import type { Actor } from '../../auth/actor';
import { CampaignAccess } from '../campaign-access';
import { countAudience, countAudienceOptedOut } from '../campaign-audience';
import { requireVisibleFilters } from '../campaign-fields';

export interface PreviewCampaignAudienceInput {
  actor: Actor;
  campaignId: string;
}

export interface AudiencePreview {
  /** Contacts in the audience now (opted-out ones included). */
  count: number;
  /** Of those, opted out of the inbox's channel now. */
  optedOut: number;
}

/**
 * The audience size before sending, and how many of them are opted out of the inbox's channel now.
 * An audience filtering on a hidden attribute is counted for administrators only (400 otherwise).
 */
@Injectable()
export class PreviewCampaignAudienceUseCase {
  constructor(
    private readonly em: EntityManager,
    private readonly campaigns: CampaignAccess,
  ) {}

  async execute({ actor, campaignId }: PreviewCampaignAudienceInput): Promise<AudiencePreview> {
    const em = this.em.fork();
    const campaign = await this.campaigns.manage(actor, campaignId, 'previewing a campaign audience', em);
    await requireVisibleFilters(em, actor, campaign.audience);
    const channel = (await em.execute<{ channel_type: string }[]>(`select channel_type from inboxes where id = ?`, [campaign.inbox.id]))[0].channel_type;
    const count = await countAudience(em, campaign.account.id, campaign.audience);
    // The same audience SQL as the count and the run (ids, tags, attributes), restricted to the opted-out.
    const optedOut = await countAudienceOptedOut(em, campaign.account.id, campaign.audience, channel);
    return { count, optedOut };
  }
}
