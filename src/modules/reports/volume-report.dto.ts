import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsISO8601, IsOptional, IsUUID } from 'class-validator';
import { VOLUME_REPORT_GROUPS, type VolumeReportGroup } from './get-volume-report.use-case';

export class VolumeReportQuery {
  @ApiPropertyOptional({ example: '2026-03-01', description: "ISO date (local midnight in the account's time zone) or date-time; default 30 days before `to` (the range is at most 366 days)" })
  @IsOptional()
  @IsISO8601({ strict: true })
  from?: string;

  @ApiPropertyOptional({ example: '2026-03-31', description: 'ISO date-time (exclusive) or date (that day included); default now' })
  @IsOptional()
  @IsISO8601({ strict: true })
  to?: string;

  @ApiPropertyOptional({ format: 'uuid', description: 'Only this inbox (you must manage it)' })
  @IsOptional()
  @IsUUID()
  inboxId?: string;

  @ApiPropertyOptional({ enum: VOLUME_REPORT_GROUPS, default: 'day', description: "Days or ISO weeks (Monday) in the account's time zone" })
  @IsOptional()
  @IsIn(VOLUME_REPORT_GROUPS, { message: `must be one of: ${VOLUME_REPORT_GROUPS.join(', ')}` })
  groupBy?: VolumeReportGroup;
}

export class VolumePeriodRowView {
  @ApiProperty({ example: '2026-03-02', description: "The day in the account's time zone, or the Monday of the ISO week" }) period!: string;
  @ApiProperty({ example: '2026-W10' }) label!: string;
  @ApiProperty({ type: 'integer', description: 'Conversations created' }) created!: number;
  @ApiProperty({ type: 'integer', description: 'Resolutions (a conversation resolved twice counts twice)' }) resolved!: number;
}

export class VolumeInboxRowView {
  @ApiProperty() inboxId!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ example: 'sms' }) channelType!: string;
  @ApiProperty({ type: 'integer' }) created!: number;
  @ApiProperty({ type: 'integer' }) resolved!: number;
}

export class VolumeTotalView {
  @ApiProperty({ type: 'integer' }) created!: number;
  @ApiProperty({ type: 'integer' }) resolved!: number;
}

export class VolumeReportView {
  @ApiProperty() from!: string;
  @ApiProperty() to!: string;
  @ApiProperty({ example: 'Europe/Berlin', description: "The account's time zone the periods are in" }) timezone!: string;
  @ApiProperty({ enum: VOLUME_REPORT_GROUPS }) groupBy!: VolumeReportGroup;
  @ApiProperty({ type: [VolumePeriodRowView], description: 'Periods with activity, oldest first' }) periods!: VolumePeriodRowView[];
  @ApiProperty({ type: [VolumeInboxRowView], description: 'Inboxes with activity, by name' }) inboxes!: VolumeInboxRowView[];
  @ApiProperty({ type: VolumeTotalView }) total!: VolumeTotalView;
}
