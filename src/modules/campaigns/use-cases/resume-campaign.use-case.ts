import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { CampaignWorkflows } from '../../../temporal/campaign-workflows';
import type { Actor } from '../../auth/actor';
import { CampaignAccess } from '../campaign-access';
import { type CampaignWithCount, requireStatus, withAudienceCount } from '../campaign-status';

export interface ResumeCampaignInput {
  actor: Actor;
  campaignId: string;
}

/** Resumes a paused campaign: back to running, or to scheduled when its run had not begun sending. */
@Injectable()
export class ResumeCampaignUseCase {
  constructor(
    private readonly em: EntityManager,
    private readonly campaigns: CampaignAccess,
    private readonly workflows: CampaignWorkflows,
  ) {}

  async execute({ actor, campaignId }: ResumeCampaignInput): Promise<CampaignWithCount> {
    const em = this.em.fork();
    const campaign = await this.campaigns.manage(actor, campaignId, 'resuming a campaign', em);
    requireStatus(campaign, ['paused'], 'resume');
    await this.workflows.signal(campaignId, 'resume');
    await em.execute(`update campaigns set status = case when started_at is null then 'scheduled' else 'running' end, updated_at = now() where id = ? and status = 'paused'`, [
      campaignId,
    ]);
    await em.refresh(campaign);
    return withAudienceCount(em, campaign);
  }
}
