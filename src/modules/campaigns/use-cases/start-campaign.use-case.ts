import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { DomainError } from '../../../common/domain-error';
import { CampaignWorkflows } from '../../../temporal/campaign-workflows';
import type { Actor } from '../../auth/actor';
import { CampaignAccess } from '../campaign-access';
import { type CampaignWithCount, requireStatus, withAudienceCount } from '../campaign-status';

export interface StartCampaignInput {
  actor: Actor;
  campaignId: string;
}

/** Starts a draft's campaign-run workflow (at scheduledAt, or now); the record shows it scheduled at once. */
@Injectable()
export class StartCampaignUseCase {
  constructor(
    private readonly em: EntityManager,
    private readonly campaigns: CampaignAccess,
    private readonly workflows: CampaignWorkflows,
  ) {}

  async execute({ actor, campaignId }: StartCampaignInput): Promise<CampaignWithCount> {
    const em = this.em.fork();
    const campaign = await this.campaigns.manage(actor, campaignId, 'starting a campaign', em);
    requireStatus(campaign, ['draft'], 'start');
    // Scheduled first (the run moves it on to running), conditionally, so two starts cannot both go on;
    // a workflow start that fails (Temporal unreachable) puts the draft back, and a retry is idempotent.
    const claimed = await em.execute<{ id: string }[]>(`update campaigns set status = 'scheduled', updated_at = now() where id = ? and status = 'draft' returning id`, [campaign.id]);
    if (!claimed.length) throw new DomainError('CONFLICT', `status: the campaign was started meanwhile`, [{ field: 'status', problem: 'is no longer draft' }]);
    try {
      await this.workflows.start({
        campaignId: campaign.id,
        scheduledAt: campaign.scheduledAt?.getTime() ?? null,
        rateLimitPerSecond: campaign.rateLimitPerSecond,
      });
    } catch (err) {
      await em.execute(`update campaigns set status = 'draft', updated_at = now() where id = ? and status = 'scheduled' and started_at is null`, [campaign.id]);
      throw err;
    }
    await em.refresh(campaign);
    return withAudienceCount(em, campaign);
  }
}
