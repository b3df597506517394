import { Body, Controller, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { uuidParam } from '../../common/validation';
import { type Actor, CurrentActor } from '../auth/actor';
import { AudiencePreviewView, CampaignPageView, CampaignProgressView, CampaignView, CreateCampaignDto, ListCampaignsQuery, UpdateCampaignDto } from './dto/campaign.dto';
import { ListCampaignsUseCase } from './use-cases/list-campaigns.use-case';
import { CampaignProgressUseCase, ControlCampaignUseCase, GetCampaignUseCase } from './use-cases/run-campaign.use-cases';
import { CreateCampaignUseCase, UpdateCampaignUseCase } from './use-cases/save-campaign.use-cases';

const view = (r: { campaign: Parameters<typeof CampaignView.of>[0]; audienceCount: number }) => CampaignView.of(r.campaign, r.audienceCount);

/** Campaigns: managers of the sending inbox (and administrators) only. */
@ApiTags('campaigns')
@ApiBearerAuth()
@Controller('api/v1/campaigns')
export class CampaignsController {
  constructor(
    private readonly createCampaign: CreateCampaignUseCase,
    private readonly updateCampaign: UpdateCampaignUseCase,
    private readonly getCampaign: GetCampaignUseCase,
    private readonly control: ControlCampaignUseCase,
    private readonly progressOf: CampaignProgressUseCase,
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
  async list(@CurrentActor() actor: Actor, @Query() query: ListCampaignsQuery): Promise<CampaignPageView> {
    const page = await this.listCampaigns.execute(actor, query);
    return { items: page.items.map(view), nextCursor: page.nextCursor };
  }

  @Post()
  @ApiOperation({ summary: 'Create a draft campaign (the template is checked for unknown variables)' })
  async create(@CurrentActor() actor: Actor, @Body() body: CreateCampaignDto): Promise<CampaignView> {
    return view(await this.createCampaign.execute(actor, body));
  }

  @Get(':id')
  @ApiOkResponse({ type: CampaignView })
  async get(@CurrentActor() actor: Actor, @Param('id', uuidParam('id')) id: string): Promise<CampaignView> {
    return view(await this.getCampaign.execute(actor, id));
  }

  @Patch(':id')
  @ApiOperation({ summary: 'Edit a draft; a started campaign answers 409 naming the field' })
  async update(@CurrentActor() actor: Actor, @Param('id', uuidParam('id')) id: string, @Body() body: UpdateCampaignDto): Promise<CampaignView> {
    return view(await this.updateCampaign.execute(actor, id, body));
  }

  @Post(':id/audience-preview')
  @HttpCode(200)
  @ApiOkResponse({ type: AudiencePreviewView })
  async preview(@CurrentActor() actor: Actor, @Param('id', uuidParam('id')) id: string): Promise<AudiencePreviewView> {
    return this.getCampaign.preview(actor, id);
  }

  @Post(':id/start')
  @HttpCode(200)
  @ApiOperation({ summary: 'Start the campaign-run workflow (at scheduledAt, or now)' })
  async start(@CurrentActor() actor: Actor, @Param('id', uuidParam('id')) id: string): Promise<CampaignView> {
    return view(await this.control.start(actor, id));
  }

  @Post(':id/pause')
  @HttpCode(200)
  async pause(@CurrentActor() actor: Actor, @Param('id', uuidParam('id')) id: string): Promise<CampaignView> {
    return view(await this.control.pause(actor, id));
  }

  @Post(':id/resume')
  @HttpCode(200)
  async resume(@CurrentActor() actor: Actor, @Param('id', uuidParam('id')) id: string): Promise<CampaignView> {
    return view(await this.control.resume(actor, id));
  }

  @Post(':id/cancel')
  @HttpCode(200)
  async cancel(@CurrentActor() actor: Actor, @Param('id', uuidParam('id')) id: string): Promise<CampaignView> {
    return view(await this.control.cancel(actor, id));
  }

  @Get(':id/progress')
  @ApiOkResponse({ type: CampaignProgressView })
  async progress(@CurrentActor() actor: Actor, @Param('id', uuidParam('id')) id: string): Promise<CampaignProgressView> {
    return this.progressOf.execute(actor, id);
  }
}
