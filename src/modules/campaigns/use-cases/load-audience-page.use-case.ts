import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { audiencePage } from '../campaign-audience';
import { DomainError } from '../../../common/domain-error';
import { Campaign } from '../campaign.entity';

/** One page of the campaign's audience: contact ids after `after`, in id order. */
@Injectable()
export class LoadAudiencePageUseCase {
  constructor(private readonly em: EntityManager) {}

  async execute(input: { campaignId: string; after: string | null; limit: number }): Promise<string[]> {
    const em = this.em.fork();
    const campaign = await em.findOne(Campaign, { id: input.campaignId });
    if (!campaign) throw DomainError.notFound('campaign', input.campaignId);
    return audiencePage(em, campaign.account.id, campaign.audience, input.after, input.limit);
  }
}
