import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { CampaignWorkflows } from '../../../temporal/campaign-workflows';
import type { Actor } from '../../auth/actor';
import { CampaignAccess } from '../campaign-access';
import { type CampaignWithCount, requireStatus, withAudienceCount } from '../campaign-status';
import type { CampaignStatus } from '../campaign.entity';

export interface PauseCampaignInput {
  actor: Actor;
  campaignId: string;
}

const PAUSABLE: CampaignStatus[] = ['scheduled', 'running'];

/** Pauses a scheduled or running campaign: the workflow stops after the batch in flight; the record shows paused at once. */
@Injectable()
export class PauseCampaignUseCase {
  constructor(
    private readonly em: EntityManager,
    private readonly campaigns: CampaignAccess,
    private readonly workflows: CampaignWorkflows,
  ) {}

  async execute({ actor, campaignId }: PauseCampaignInput): Promise<CampaignWithCount> {
    const em = this.em.fork();
    const campaign = await this.campaigns.manage(actor, campaignId, 'pausing a campaign', em);
    requireStatus(campaign, PAUSABLE, 'pause');
    await this.workflows.signal(campaignId, 'pause');
    await em.execute(`update campaigns set status = 'paused', updated_at = now() where id = ? and status in (?, ?)`, [campaignId, ...PAUSABLE]);
    await em.refresh(campaign);
    return withAudienceCount(em, campaign);
  }
}
