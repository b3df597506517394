import { EntityManager } from '@mikro-orm/postgresql';
import { Inject, Injectable } from '@nestjs/common';
import { DomainError } from '../../../common/domain-error';
import { APP_CONFIG, type ServiceConfig } from '../../../config/config';
import { CampaignWorkflows } from '../../../temporal/campaign-workflows';
import type { Actor } from '../../auth/actor';
import { CampaignAccess } from '../campaign-access';
import { checkCampaignMedia } from '../campaign-fields';
import { type CampaignWithCount, requireStatus, withAudienceCount } from '../campaign-status';

export interface StartCampaignInput {
  actor: Actor;
  campaignId: string;
}

/**
 * Starts a draft's campaign-run workflow (at scheduledAt, or now); the record shows it scheduled at once.
 * The campaign's media are checked again first (they were checked when the draft was saved, but a
 * draft can wait for days and a URL can break or grow meanwhile): a failure is a 400 naming mediaUrls
 * and the campaign stays a draft, rather than every recipient's MMS failing at Twilio.
 */
@Injectable()
export class StartCampaignUseCase {
  constructor(
    private readonly em: EntityManager,
    private readonly campaigns: CampaignAccess,
    private readonly workflows: CampaignWorkflows,
    @Inject(APP_CONFIG) private readonly config: ServiceConfig,
  ) {}

  async execute({ actor, campaignId }: StartCampaignInput): Promise<CampaignWithCount> {
    const em = this.em.fork();
    const campaign = await this.campaigns.manage(actor, campaignId, 'starting a campaign', em);
    requireStatus(campaign, ['draft'], 'start');
    if (campaign.media.length) {
      const inbox = await campaign.inbox.loadOrFail();
      const media = await checkCampaignMedia(inbox.channelType, campaign.media.map((m) => m.url), this.config.outbound, this.config.mms);
      await em.execute(`update campaigns set media = ?::jsonb, updated_at = now() where id = ? and status = 'draft'`, [JSON.stringify(media), campaign.id]);
    }
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
