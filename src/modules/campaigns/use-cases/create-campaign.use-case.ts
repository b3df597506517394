import { EntityManager } from '@mikro-orm/postgresql';
import { Inject, Injectable } from '@nestjs/common';
import { DomainError } from '../../../common/domain-error';
import { APP_CONFIG, type ServiceConfig } from '../../../config/config';
import { AccessPolicy } from '../../auth/access-policy';
import type { Actor } from '../../auth/actor';
import { VariablesService } from '../../variables/variables.service';
import { countAudience } from '../campaign-audience';
import { checkAudience, checkCampaignMedia, checkQuietHours, checkSchedule } from '../campaign-fields';
import type { CampaignWithCount } from '../campaign-status';
import { Campaign, type CampaignAudience, type CampaignType } from '../campaign.entity';
import type { QuietHours } from '../quiet-hours';

export interface CreateCampaignInput {
  actor: Actor;
  name: string;
  type: CampaignType;
  /** The sending inbox: an SMS or API inbox the caller manages. */
  inboxId: string;
  /** Empty: every contact of the account. */
  audience: CampaignAudience;
  /** Text with variables; unknown variables (for non-administrators also hidden attributes) are a 400 naming `template`. */
  template: string;
  companyNamePrefix?: boolean;
  /** null or absent: send when started. */
  scheduledAt?: Date | null;
  /** Messages per second; null or absent: unthrottled. */
  rateLimitPerSecond?: number | null;
  quietHours?: QuietHours | null;
  /** MMS media sent with every message (SMS inboxes only; each checked now, see checkCampaignMedia). */
  mediaUrls?: string[];
}

/** A draft campaign, by a manager of its sending inbox (or an administrator). */
@Injectable()
export class CreateCampaignUseCase {
  constructor(
    private readonly em: EntityManager,
    private readonly access: AccessPolicy,
    private readonly variables: VariablesService,
    @Inject(APP_CONFIG) private readonly config: ServiceConfig,
  ) {}

  async execute(input: CreateCampaignInput): Promise<CampaignWithCount> {
    const { actor } = input;
    const em = this.em.fork();
    const { inbox } = await this.access.requireManager(actor, input.inboxId, 'creating a campaign', em);
    // Media first: with media on an email inbox the answer names mediaUrls (the field the form shows it on).
    if (input.mediaUrls?.length && inbox.channelType !== 'sms') await checkCampaignMedia(inbox.channelType, input.mediaUrls, this.config.outbound, this.config.mms);
    if (inbox.channelType === 'email') throw DomainError.invalid('inboxId', 'campaigns send through SMS or API inboxes; this is an email inbox');
    await this.variables.assertTemplate(em, actor, 'template', input.template);
    checkSchedule(input.scheduledAt);
    const audience = await checkAudience(em, actor, input.audience);
    const media = await checkCampaignMedia(inbox.channelType, input.mediaUrls ?? [], this.config.outbound, this.config.mms);
    const campaign = em.create(Campaign, {
      account: actor.accountId,
      inbox: inbox.id,
      name: input.name.trim(),
      type: input.type,
      audience,
      template: input.template,
      companyNamePrefix: input.companyNamePrefix ?? false,
      scheduledAt: input.scheduledAt ?? null,
      rateLimitPerSecond: input.rateLimitPerSecond ?? null,
      quietHours: checkQuietHours(input.quietHours),
      media,
      createdByUserId: actor.userId,
      templateAuthorUserId: actor.userId,
    });
    await em.flush();
    return { campaign, audienceCount: await countAudience(em, actor.accountId, audience) };
  }
}
