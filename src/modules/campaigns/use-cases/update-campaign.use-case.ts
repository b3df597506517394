import { EntityManager } from '@mikro-orm/postgresql';
import { Inject, Injectable } from '@nestjs/common';
import { DomainError } from '../../../common/domain-error';
import { APP_CONFIG, type ServiceConfig } from '../../../config/config';
import type { Actor } from '../../auth/actor';
import { VariablesService } from '../../variables/variables.service';
import { CampaignAccess } from '../campaign-access';
import { countAudience } from '../campaign-audience';
import { checkAudience, checkCampaignMedia, checkQuietHours, checkSchedule } from '../campaign-fields';
import type { CampaignWithCount } from '../campaign-status';
import type { CampaignAudience, CampaignType } from '../campaign.entity';
import type { QuietHours } from '../quiet-hours';

/** The fields to change (absent ones stay); every field of a campaign but its inbox. */
export interface UpdateCampaignInput {
  actor: Actor;
  campaignId: string;
  name?: string;
  type?: CampaignType;
  audience?: CampaignAudience;
  template?: string;
  companyNamePrefix?: boolean;
  scheduledAt?: Date | null;
  rateLimitPerSecond?: number | null;
  quietHours?: QuietHours | null;
  /** Replaces the media; [] removes them. */
  mediaUrls?: string[];
}

/** Only drafts change; a started campaign is frozen (409 naming the field). */
@Injectable()
export class UpdateCampaignUseCase {
  constructor(
    private readonly em: EntityManager,
    private readonly campaigns: CampaignAccess,
    private readonly variables: VariablesService,
    @Inject(APP_CONFIG) private readonly config: ServiceConfig,
  ) {}

  async execute(input: UpdateCampaignInput): Promise<CampaignWithCount> {
    const { actor, campaignId, ...changes } = input;
    const em = this.em.fork();
    const campaign = await this.campaigns.manage(actor, campaignId, 'editing a campaign', em);
    const fields = Object.keys(changes).filter((k) => (changes as Record<string, unknown>)[k] !== undefined);
    if (campaign.status !== 'draft' && fields.length) {
      const field = fields.includes('template') ? 'template' : fields[0];
      throw new DomainError('CONFLICT', `${field}: the campaign is ${campaign.status}; only drafts can be edited`, [{ field, problem: `frozen while the campaign is ${campaign.status}` }]);
    }
    if (changes.template !== undefined) {
      await this.variables.assertTemplate(em, actor, 'template', changes.template);
      campaign.template = changes.template;
      campaign.templateAuthorUserId = actor.userId;
    }
    if (changes.audience !== undefined) campaign.audience = await checkAudience(em, actor, changes.audience);
    if (changes.scheduledAt !== undefined) {
      checkSchedule(changes.scheduledAt);
      campaign.scheduledAt = changes.scheduledAt;
    }
    if (changes.name !== undefined) campaign.name = changes.name.trim();
    if (changes.type !== undefined) campaign.type = changes.type;
    if (changes.companyNamePrefix !== undefined) campaign.companyNamePrefix = changes.companyNamePrefix;
    if (changes.rateLimitPerSecond !== undefined) campaign.rateLimitPerSecond = changes.rateLimitPerSecond;
    if (changes.quietHours !== undefined) campaign.quietHours = checkQuietHours(changes.quietHours);
    if (changes.mediaUrls !== undefined) {
      const inbox = await campaign.inbox.loadOrFail();
      campaign.media = await checkCampaignMedia(inbox.channelType, changes.mediaUrls, this.config.outbound, this.config.mms);
    }
    await em.flush();
    return { campaign, audienceCount: await countAudience(em, actor.accountId, campaign.audience) };
  }
}
