import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { AccessPolicy } from '../../auth/access-policy';
import type { Actor } from '../../auth/actor';
import { countAudience, countAudienceOptedOut } from '../campaign-audience';
import { checkAudience } from '../campaign-fields';
import type { CampaignAudience } from '../campaign.entity';
import type { AudiencePreview } from './preview-campaign-audience.use-case';

export interface PreviewAudienceDraftInput {
  actor: Actor;
  inboxId: string;
  audience: CampaignAudience;
}

/**
 * The size of an audience not saved yet (the campaign form's live count): the same checks as
 * creating a campaign (400 naming audience.<field>, hidden attributes for administrators only), the
 * same count as the run; nothing is stored.
 */
@Injectable()
export class PreviewAudienceDraftUseCase {
  constructor(
    private readonly em: EntityManager,
    private readonly access: AccessPolicy,
  ) {}

  async execute({ actor, inboxId, audience }: PreviewAudienceDraftInput): Promise<AudiencePreview> {
    const em = this.em.fork();
    const { inbox } = await this.access.requireManager(actor, inboxId, 'previewing a campaign audience', em);
    const checked = await checkAudience(em, actor, audience);
    const count = await countAudience(em, actor.accountId, checked);
    const optedOut = await countAudienceOptedOut(em, actor.accountId, checked, inbox.channelType);
    return { count, optedOut };
  }
}
