import { Body, Controller, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiErrors } from '../../common/api-errors';
import { uuidParam } from '../../common/validation';
import { type Actor, CurrentActor } from '../auth/actor';
import type { CampaignWithCount } from './campaign-status';
import { AudiencePreviewView, CampaignPageView, CampaignProgressView, CampaignView, CreateCampaignDto, ListCampaignsQuery, PreviewAudienceDto, UpdateCampaignDto } from './dto/campaign.dto';
import { CancelCampaignUseCase } from './use-cases/cancel-campaign.use-case';
import { CreateCampaignUseCase } from './use-cases/create-campaign.use-case';
import { GetCampaignProgressUseCase } from './use-cases/get-campaign-progress.use-case';
import { GetCampaignUseCase } from './use-cases/get-campaign.use-case';
import { ListCampaignsUseCase } from './use-cases/list-campaigns.use-case';
import { PauseCampaignUseCase } from './use-cases/pause-campaign.use-case';
import { PreviewAudienceDraftUseCase } from './use-cases/preview-audience-draft.use-case';
import { PreviewCampaignAudienceUseCase } from './use-cases/preview-campaign-audience.use-case';
import { ResumeCampaignUseCase } from './use-cases/resume-campaign.use-case';
import { StartCampaignUseCase } from './use-cases/start-campaign.use-case';
import { UpdateCampaignUseCase } from './use-cases/update-campaign.use-case';

const view = (r: CampaignWithCount) => CampaignView.of(r.campaign, r.audienceCount);

/** Campaigns: managers of the sending inbox (and administrators) only. */
@ApiTags('campaigns')
@ApiErrors({ FORBIDDEN: 'Needs the manager role in the sending inbox (or the administrator role)' })
@Controller('api/v1/campaigns')
export class CampaignsController {
  constructor(
    private readonly createCampaign: CreateCampaignUseCase,
    private readonly updateCampaign: UpdateCampaignUseCase,
    private readonly getCampaign: GetCampaignUseCase,
    private readonly previewAudience: PreviewCampaignAudienceUseCase,
    private readonly previewDraftAudience: PreviewAudienceDraftUseCase,
    private readonly startCampaign: StartCampaignUseCase,
    private readonly pauseCampaign: PauseCampaignUseCase,
    private readonly resumeCampaign: ResumeCampaignUseCase,
    private readonly cancelCampaign: CancelCampaignUseCase,
    private readonly getProgress: GetCampaignProgressUseCase,
    private readonly listCampaigns: ListCampaignsUseCase,
  ) {}

  @Get()
  @ApiOperation({
    summary: 'The campaigns the caller manages, newest first',
    description:
      "Campaigns of the caller's account whose sending inbox the caller manages (administrators: all). With inboxId, the caller " +
      'must manage that inbox (403). Paged by cursor like the other lists.',
  })
  @ApiOkResponse({ type: CampaignPageView })
  @ApiErrors({ NOT_FOUND: 'inboxId names no inbox of the account' })
  async list(@CurrentActor() actor: Actor, @Query() query: ListCampaignsQuery): Promise<CampaignPageView> {
    const page = await this.listCampaigns.execute({ ...query, actor });
    return { items: page.items.map(view), nextCursor: page.nextCursor };
  }

  @Post()
  @ApiOperation({ summary: 'Create a draft campaign (the template is checked for unknown variables)' })
  @ApiCreatedResponse({ type: CampaignView })
  @ApiErrors({ NOT_FOUND: 'inboxId names no inbox of the account' })
  async create(@CurrentActor() actor: Actor, @Body() body: CreateCampaignDto): Promise<CampaignView> {
    return view(await this.createCampaign.execute({ ...body, actor }));
  }

  @Post('audience-preview')
  @HttpCode(200)
  @ApiOperation({ summary: 'The size of an audience before it is saved (the live count of the campaign form); nothing is stored' })
  @ApiOkResponse({ type: AudiencePreviewView })
  @ApiErrors({ NOT_FOUND: 'inboxId names no inbox of the account' })
  async previewDraft(@CurrentActor() actor: Actor, @Body() body: PreviewAudienceDto): Promise<AudiencePreviewView> {
    return this.previewDraftAudience.execute({ actor, inboxId: body.inboxId, audience: body.audience });
  }

  @Get(':id')
  @ApiOkResponse({ type: CampaignView })
  async get(@CurrentActor() actor: Actor, @Param('id', uuidParam('id')) id: string): Promise<CampaignView> {
    return view(await this.getCampaign.execute({ actor, campaignId: id }));
  }

  @Patch(':id')
  @ApiOperation({ summary: 'Edit a draft; a started campaign answers 409 naming the field' })
  @ApiOkResponse({ type: CampaignView })
  @ApiErrors({ CONFLICT: 'The campaign is no longer a draft: the field is frozen' })
  async update(@CurrentActor() actor: Actor, @Param('id', uuidParam('id')) id: string, @Body() body: UpdateCampaignDto): Promise<CampaignView> {
    return view(await this.updateCampaign.execute({ ...body, actor, campaignId: id }));
  }

  @Post(':id/audience-preview')
  @HttpCode(200)
  @ApiOkResponse({ type: AudiencePreviewView })
  async preview(@CurrentActor() actor: Actor, @Param('id', uuidParam('id')) id: string): Promise<AudiencePreviewView> {
    return this.previewAudience.execute({ actor, campaignId: id });
  }

  @Post(':id/start')
  @HttpCode(200)
  @ApiOperation({ summary: 'Start the campaign-run workflow (at scheduledAt, or now)' })
  @ApiOkResponse({ type: CampaignView })
  @ApiErrors({ CONFLICT: 'The campaign is not in a status that allows this' })
  async start(@CurrentActor() actor: Actor, @Param('id', uuidParam('id')) id: string): Promise<CampaignView> {
    return view(await this.startCampaign.execute({ actor, campaignId: id }));
  }

  @Post(':id/pause')
  @HttpCode(200)
  @ApiOkResponse({ type: CampaignView })
  @ApiErrors({ CONFLICT: 'The campaign is not in a status that allows this' })
  async pause(@CurrentActor() actor: Actor, @Param('id', uuidParam('id')) id: string): Promise<CampaignView> {
    return view(await this.pauseCampaign.execute({ actor, campaignId: id }));
  }

  @Post(':id/resume')
  @HttpCode(200)
  @ApiOkResponse({ type: CampaignView })
  @ApiErrors({ CONFLICT: 'The campaign is not in a status that allows this' })
  async resume(@CurrentActor() actor: Actor, @Param('id', uuidParam('id')) id: string): Promise<CampaignView> {
    return view(await this.resumeCampaign.execute({ actor, campaignId: id }));
  }

  @Post(':id/cancel')
  @HttpCode(200)
  @ApiOkResponse({ type: CampaignView })
  @ApiErrors({ CONFLICT: 'The campaign is not in a status that allows this' })
  async cancel(@CurrentActor() actor: Actor, @Param('id', uuidParam('id')) id: string): Promise<CampaignView> {
    return view(await this.cancelCampaign.execute({ actor, campaignId: id }));
  }

  @Get(':id/progress')
  @ApiOkResponse({ type: CampaignProgressView })
  async progress(@CurrentActor() actor: Actor, @Param('id', uuidParam('id')) id: string): Promise<CampaignProgressView> {
    return this.getProgress.execute({ actor, campaignId: id });
  }
}
