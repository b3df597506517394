import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import type { Actor } from '../../auth/actor';
import { CampaignAccess } from '../campaign-access';
import { type CampaignWithCount, withAudienceCount } from '../campaign-status';

export interface GetCampaignInput {
  actor: Actor;
  campaignId: string;
}

/** A campaign with its audience counted now, for managers of its sending inbox (and administrators). */
@Injectable()
export class GetCampaignUseCase {
  constructor(
    private readonly em: EntityManager,
    private readonly campaigns: CampaignAccess,
  ) {}

  async execute({ actor, campaignId }: GetCampaignInput): Promise<CampaignWithCount> {
    const em = this.em.fork();
    return withAudienceCount(em, await this.campaigns.manage(actor, campaignId, 'viewing a campaign', em));
  }
}
