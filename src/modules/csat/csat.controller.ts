import { Body, Controller, Get, HttpCode, Inject, Param, Post, Query } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiErrors } from '../../common/api-errors';
import { uuidParam } from '../../common/validation';
import { APP_CONFIG, type ServiceConfig } from '../../config/config';
import { type Actor, CurrentActor, Public } from '../auth/actor';
import { CsatReportQuery, CsatReportView, CsatSurveyView, PublicCsatSurveyView, RateCsatSurveyDto, SendCsatSurveyDto } from './dto/csat.dto';
import { GetCsatReportUseCase } from './use-cases/get-csat-report.use-case';
import { GetCsatSurveyByTokenUseCase } from './use-cases/get-csat-survey-by-token.use-case';
import { RateCsatSurveyUseCase } from './use-cases/rate-csat-survey.use-case';
import { SendManualCsatSurveyUseCase } from './use-cases/send-manual-csat-survey.use-case';

/** Surveys sent by hand and the CSAT report (signed-in users). */
@ApiTags('csat')
@Controller('api/v1')
export class CsatController {
  constructor(
    private readonly sendManual: SendManualCsatSurveyUseCase,
    private readonly report: GetCsatReportUseCase,
    @Inject(APP_CONFIG) private readonly config: ServiceConfig,
  ) {}

  @Post('conversations/:id/csat-survey')
  @HttpCode(201)
  @ApiOperation({ summary: "Send a satisfaction survey now, in any status (managers of the inbox); default question: the inbox's" })
  @ApiCreatedResponse({ type: CsatSurveyView })
  @ApiErrors({ FORBIDDEN: 'Needs the manager role in the inbox' })
  async send(@CurrentActor() actor: Actor, @Param('id', uuidParam('id')) id: string, @Body() body: SendCsatSurveyDto): Promise<CsatSurveyView> {
    return CsatSurveyView.of(await this.sendManual.execute({ ...body, actor, conversationId: id }), this.config);
  }

  @Get('reports/csat')
  @ApiOperation({ summary: 'CSAT by inbox, agent or period, with a total (administrators: every inbox; managers: the inboxes they manage)' })
  @ApiOkResponse({ type: CsatReportView })
  @ApiErrors({ FORBIDDEN: 'Needs the manager role in the inbox (or in any inbox without inboxId)', NOT_FOUND: 'inboxId names no inbox of the account' })
  csatReport(@CurrentActor() actor: Actor, @Query() query: CsatReportQuery): Promise<CsatReportView> {
    return this.report.execute({ ...query, actor });
  }
}

/** The customer's rating page behind the link in the survey message: no account, the token is the key. */
@ApiTags('csat')
@Controller('api/v1/csat')
export class CsatPublicController {
  constructor(
    private readonly getSurvey: GetCsatSurveyByTokenUseCase,
    private readonly rateSurvey: RateCsatSurveyUseCase,
  ) {}

  @Public()
  @Get(':token')
  @ApiOperation({ summary: 'The survey behind a rating link: question, scale, current answer, whether it can still change' })
  @ApiOkResponse({ type: PublicCsatSurveyView })
  @ApiErrors({ NOT_FOUND: 'No survey was sent with this token' })
  get(@Param('token') token: string): Promise<PublicCsatSurveyView> {
    return this.getSurvey.execute({ token });
  }

  @Public()
  @Post(':token')
  @HttpCode(200)
  @ApiOperation({ summary: 'Give or change the rating (1-5) and comment, within CSAT_EDIT_WINDOW_DAYS days of sending' })
  @ApiOkResponse({ type: PublicCsatSurveyView })
  @ApiErrors({ NOT_FOUND: 'No survey was sent with this token', UNPROCESSABLE: 'The rating can no longer be given or changed (CSAT_EDIT_WINDOW_DAYS after sending)' })
  rate(@Param('token') token: string, @Body() body: RateCsatSurveyDto): Promise<PublicCsatSurveyView> {
    return this.rateSurvey.execute({ ...body, token });
  }
}
