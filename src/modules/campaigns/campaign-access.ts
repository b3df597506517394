import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { DomainError } from '../../common/domain-error';
import { AccessPolicy } from '../auth/access-policy';
import type { Actor } from '../auth/actor';
import { Campaign } from './campaign.entity';

/** Campaigns belong to their sending inbox: managers of that inbox (and administrators) only. */
@Injectable()
export class CampaignAccess {
  constructor(private readonly access: AccessPolicy) {}

  async manage(actor: Actor, campaignId: string, action: string, em: EntityManager): Promise<Campaign> {
    const campaign = await em.findOne(Campaign, { id: campaignId, account: actor.accountId });
    if (!campaign) throw DomainError.notFound('campaign', campaignId);
    await this.access.requireManager(actor, campaign.inbox.id, action, em);
    return campaign;
  }
}
