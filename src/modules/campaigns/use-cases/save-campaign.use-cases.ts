import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { DomainError } from '../../../common/domain-error';
import { AccessPolicy } from '../../auth/access-policy';
import type { Actor } from '../../auth/actor';
import { normaliseContactTags } from '../../contacts/contact-tags';
import { VariablesService } from '../../variables/variables.service';
import { CampaignAccess } from '../campaign-access';
import { countAudience } from '../campaign-audience';
import { Campaign, type CampaignAudience } from '../campaign.entity';
import type { CreateCampaignDto, UpdateCampaignDto } from '../dto/campaign.dto';
import { isEmptyWindow, type QuietHours } from '../quiet-hours';

async function checkAudience(em: EntityManager, accountId: string, audience: CampaignAudience): Promise<CampaignAudience> {
  const out: CampaignAudience = {};
  if (audience.contactIds) {
    const ids = [...new Set(audience.contactIds)];
    if (ids.length === 0) throw DomainError.invalid('audience.contactIds', 'must name at least one contact (leave it out for every contact)');
    const found = await em.execute<{ n: string }[]>(`select count(*) as n from contacts where account_id = ? and id = any(?::uuid[])`, [accountId, `{${ids.join(',')}}`]);
    if (Number(found[0].n) !== ids.length) throw DomainError.invalid('audience.contactIds', `${ids.length - Number(found[0].n)} of the contacts do not exist in this account`);
    out.contactIds = ids;
  }
  if (audience.tags) {
    const tags = normaliseContactTags(audience.tags, 'audience.tags');
    if (tags.length === 0) throw DomainError.invalid('audience.tags', 'must name at least one tag (leave it out for every contact)');
    out.tags = tags;
  }
  if (audience.attributes) {
    for (const [key, value] of Object.entries(audience.attributes)) {
      if (!/^[a-z0-9_]{1,64}$/.test(key)) throw DomainError.invalid(`audience.attributes.${key}`, 'keys are 1-64 characters of a-z, 0-9 and _');
      if (typeof value !== 'string') throw DomainError.invalid(`audience.attributes.${key}`, 'must be a string');
    }
    out.attributes = { ...audience.attributes };
  }
  return out;
}

function checkQuietHours(quiet: QuietHours | null | undefined): QuietHours | null {
  if (!quiet) return null;
  if (isEmptyWindow(quiet)) throw DomainError.invalid('quietHours.end', 'must differ from quietHours.start');
  return { start: quiet.start, end: quiet.end };
}

function checkSchedule(scheduledAt: Date | null | undefined): void {
  if (scheduledAt && scheduledAt.getTime() < Date.now() - 60_000) throw DomainError.invalid('scheduledAt', 'is in the past (leave it out to send when started)');
}

@Injectable()
export class CreateCampaignUseCase {
  constructor(
    private readonly em: EntityManager,
    private readonly access: AccessPolicy,
    private readonly variables: VariablesService,
  ) {}

  async execute(actor: Actor, input: CreateCampaignDto): Promise<{ campaign: Campaign; audienceCount: number }> {
    const em = this.em.fork();
    const { inbox } = await this.access.requireManager(actor, input.inboxId, 'creating a campaign', em);
    if (inbox.channelType === 'email') throw DomainError.invalid('inboxId', 'campaigns send through SMS or API inboxes; this is an email inbox');
    await this.variables.assertTemplate(em, actor.accountId, 'template', input.template);
    checkSchedule(input.scheduledAt);
    const audience = await checkAudience(em, actor.accountId, input.audience);
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
      createdByUserId: actor.userId,
    });
    await em.flush();
    return { campaign, audienceCount: await countAudience(em, actor.accountId, audience) };
  }
}

/** Only drafts change; a started campaign is frozen (409 naming the field). */
@Injectable()
export class UpdateCampaignUseCase {
  constructor(
    private readonly em: EntityManager,
    private readonly campaigns: CampaignAccess,
    private readonly variables: VariablesService,
  ) {}

  async execute(actor: Actor, id: string, input: UpdateCampaignDto): Promise<{ campaign: Campaign; audienceCount: number }> {
    const em = this.em.fork();
    const campaign = await this.campaigns.manage(actor, id, 'editing a campaign', em);
    const fields = Object.keys(input).filter((k) => (input as Record<string, unknown>)[k] !== undefined);
    if (campaign.status !== 'draft' && fields.length) {
      const field = fields.includes('template') ? 'template' : fields[0];
      throw new DomainError('CONFLICT', `${field}: the campaign is ${campaign.status}; only drafts can be edited`, [{ field, problem: `frozen while the campaign is ${campaign.status}` }]);
    }
    if (input.template !== undefined) {
      await this.variables.assertTemplate(em, actor.accountId, 'template', input.template);
      campaign.template = input.template;
    }
    if (input.audience !== undefined) campaign.audience = await checkAudience(em, actor.accountId, input.audience);
    if (input.scheduledAt !== undefined) {
      checkSchedule(input.scheduledAt);
      campaign.scheduledAt = input.scheduledAt;
    }
    if (input.name !== undefined) campaign.name = input.name.trim();
    if (input.type !== undefined) campaign.type = input.type;
    if (input.companyNamePrefix !== undefined) campaign.companyNamePrefix = input.companyNamePrefix;
    if (input.rateLimitPerSecond !== undefined) campaign.rateLimitPerSecond = input.rateLimitPerSecond;
    if (input.quietHours !== undefined) campaign.quietHours = checkQuietHours(input.quietHours);
    await em.flush();
    return { campaign, audienceCount: await countAudience(em, actor.accountId, campaign.audience) };
  }
}
