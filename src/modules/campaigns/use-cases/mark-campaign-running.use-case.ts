import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { countAudience } from '../campaign-audience';
import { DomainError } from '../../../common/domain-error';
import { Campaign } from '../campaign.entity';

/** The campaign run begins sending: scheduled → running (a pause requested meanwhile stays), the audience counted once. */
@Injectable()
export class MarkCampaignRunningUseCase {
  constructor(private readonly em: EntityManager) {}

  async execute(input: { campaignId: string }): Promise<void> {
    const em = this.em.fork();
    const campaign = await em.findOne(Campaign, { id: input.campaignId });
    if (!campaign) throw DomainError.notFound('campaign', input.campaignId);
    const total = await countAudience(em, campaign.account.id, campaign.audience);
    await em.execute(
      `update campaigns set status = case when status = 'scheduled' then 'running' else status end, started_at = coalesce(started_at, now()),
         audience_total = coalesce(audience_total, ?), updated_at = now() where id = ?`,
      [total, input.campaignId],
    );
  }
}
