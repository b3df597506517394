import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { CampaignWorkflows } from '../../../temporal/campaign-workflows';
import type { Actor } from '../../auth/actor';
import { CampaignAccess } from '../campaign-access';
import { type CampaignWithCount, requireStatus, withAudienceCount } from '../campaign-status';

export interface CancelCampaignInput {
  actor: Actor;
  campaignId: string;
}

/** The run stops after the batch in flight and records the campaign as cancelled (drafts: at once). */
@Injectable()
export class CancelCampaignUseCase {
  constructor(
    private readonly em: EntityManager,
    private readonly campaigns: CampaignAccess,
    private readonly workflows: CampaignWorkflows,
  ) {}

  async execute({ actor, campaignId }: CancelCampaignInput): Promise<CampaignWithCount> {
    const em = this.em.fork();
    const campaign = await this.campaigns.manage(actor, campaignId, 'cancelling a campaign', em);
    requireStatus(campaign, ['draft', 'scheduled', 'running', 'paused'], 'cancel');
    if (campaign.status === 'draft') {
      await em.execute(`update campaigns set status = 'cancelled', status_reason = 'cancelled before it started', finished_at = now(), updated_at = now() where id = ?`, [campaignId]);
    } else {
      await this.workflows.signal(campaignId, 'cancel');
    }
    await em.refresh(campaign);
    return withAudienceCount(em, campaign);
  }
}
