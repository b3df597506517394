import { Controller, Get, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiErrors } from '../../common/api-errors';
import { type Actor, CurrentActor } from '../auth/actor';
import { GetVolumeReportUseCase } from './get-volume-report.use-case';
import { VolumeReportQuery, VolumeReportView } from './volume-report.dto';

@ApiTags('reports')
@Controller('api/v1/reports')
export class ReportsController {
  constructor(private readonly volume: GetVolumeReportUseCase) {}

  @Get('volume')
  @ApiOperation({
    summary: 'Conversations created and resolved, by day or week and by inbox (administrators: every inbox; managers: the inboxes they manage)',
    description: "Counted from the conversations' event log; a conversation counts in its current inbox.",
  })
  @ApiOkResponse({ type: VolumeReportView })
  @ApiErrors({ FORBIDDEN: 'Needs the manager role in the inbox (or in any inbox without inboxId)', NOT_FOUND: 'inboxId names no inbox of the account' })
  volumeReport(@CurrentActor() actor: Actor, @Query() query: VolumeReportQuery): Promise<VolumeReportView> {
    return this.volume.execute({ ...query, actor });
  }
}
