import { Module } from '@nestjs/common';
import { GetVolumeReportUseCase } from './get-volume-report.use-case';
import { ReportsController } from './reports.controller';

/** Reports over the conversations' event log (the CSAT report lives in the CSAT module). */
@Module({
  controllers: [ReportsController],
  providers: [GetVolumeReportUseCase],
})
export class ReportsModule {}
