import { ApiProperty, ApiPropertyOptional, OmitType, PartialType } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsBoolean, IsDate, IsIn, IsInt, IsNotEmpty, IsObject, IsOptional, IsString, IsUUID, Matches, Max, MaxLength, Min, ValidateIf, ValidateNested } from 'class-validator';
import { PageQuery } from '../../../common/page-query';
import { MMS_MAX_MEDIA } from '../../channels/sms/mms-media';
import { CONTACT_TAG_RULE, ContactTagsField } from '../../contacts/contact-tags';
import { type QuietHours, TIME_OF_DAY, TIME_OF_DAY_PROBLEM } from '../quiet-hours';
import { CAMPAIGN_STATUSES, CAMPAIGN_TYPES, type Campaign, type CampaignStatus, type CampaignType } from '../campaign.entity';

export class CampaignAudienceDto {
  @ApiPropertyOptional({ type: [String], description: 'Explicit contact ids (at most 100,000)' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(100_000)
  @IsUUID('4', { each: true })
  contactIds?: string[];

  @ApiPropertyOptional({
    type: [String],
    example: ['newsletter', 'black friday'],
    description: `Contacts having ANY of these tags (AND the other parts). ${CONTACT_TAG_RULE}; at least one`,
  })
  @ContactTagsField()
  tags?: string[];

  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: { type: 'string' },
    description: 'Attribute equality filters: custom attribute, else platform attribute, by key',
    example: { city: 'Berlin' },
  })
  @IsOptional()
  @IsObject()
  attributes?: Record<string, string>;
}

export class QuietHoursDto {
  @ApiProperty({ example: '21:00', description: "Local time in the recipient's zone (HH:MM or HH:MM:SS, 24 h)" })
  @Matches(TIME_OF_DAY, { message: TIME_OF_DAY_PROBLEM })
  start!: string;

  @ApiProperty({ example: '08:00', description: 'Exclusive; before start means the window crosses midnight' })
  @Matches(TIME_OF_DAY, { message: TIME_OF_DAY_PROBLEM })
  end!: string;
}

const quietHoursDoc = {
  type: QuietHoursDto,
  nullable: true,
  description:
    "No sends in this daily window of each recipient's local time; those recipients wait for its end. Zone: the contact's attribute `timezone` (custom, else platform), else the inbox's business-hours time zone.",
};

export class CreateCampaignDto {
  @ApiProperty()
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  name!: string;

  @ApiProperty({ enum: CAMPAIGN_TYPES })
  @IsIn(CAMPAIGN_TYPES)
  type!: CampaignType;

  @ApiProperty({ format: 'uuid', description: 'The sending inbox (SMS inboxes send through Twilio; API inboxes record the message)' })
  @IsUUID()
  inboxId!: string;

  @ApiProperty({ type: CampaignAudienceDto, description: 'Empty: every contact of the account' })
  @IsObject()
  @ValidateNested()
  @Type(() => CampaignAudienceDto)
  audience!: CampaignAudienceDto;

  @ApiProperty({ description: 'Text with variables, e.g. "Hi {{contact.first_name}}"' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(1600)
  template!: string;

  @ApiPropertyOptional({ description: 'Prefix "<company name>: " when the account setting companyNameInsertion is on' })
  @IsOptional()
  @IsBoolean()
  companyNamePrefix?: boolean;

  @ApiPropertyOptional({ type: String, format: 'date-time', nullable: true, description: 'null or absent: send when started' })
  @IsOptional()
  @ValidateIf((_o, v) => v !== null)
  @Type(() => Date)
  @IsDate()
  scheduledAt?: Date | null;

  @ApiPropertyOptional({ nullable: true, description: 'Messages per second (1-1000); null: unthrottled' })
  @IsOptional()
  @ValidateIf((_o, v) => v !== null)
  @IsInt()
  @Min(1)
  @Max(1000)
  rateLimitPerSecond?: number | null;
  @ApiPropertyOptional(quietHoursDoc)
  @IsOptional()
  @ValidateIf((_o, v) => v !== null)
  @IsObject()
  @ValidateNested()
  @Type(() => QuietHoursDto)
  quietHours?: QuietHoursDto | null;

  @ApiPropertyOptional({
    type: [String],
    maxItems: MMS_MAX_MEDIA,
    description:
      "SMS inboxes only: media sent with every recipient's message as an MMS. Each must be a public http(s) URL answering a HEAD request with 2xx, a type MMS carries (images, video, audio, vCard, calendar, PDF) and a Content-Length; together at most MMS_MAX_BYTES (5 MB). Checked when saved and again when started; on edit, [] removes them",
    example: ['https://example.com/sale.png'],
  })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(MMS_MAX_MEDIA)
  @IsString({ each: true })
  @MaxLength(2000, { each: true })
  mediaUrls?: string[];
}

/** Every field of a campaign but its inbox, each optional (same validation as on create). */
export class UpdateCampaignDto extends PartialType(OmitType(CreateCampaignDto, ['inboxId'] as const)) {}

export class CampaignMediaView {
  @ApiProperty() url!: string;
  @ApiProperty({ nullable: true, type: String, description: 'From the HEAD answer when last checked' }) contentType!: string | null;
  @ApiProperty({ type: 'integer', description: 'Bytes (Content-Length) when last checked' }) size!: number;
}

export class CampaignView {
  @ApiProperty() id!: string;
  @ApiProperty() inboxId!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ enum: CAMPAIGN_TYPES }) type!: CampaignType;
  @ApiProperty({ enum: CAMPAIGN_STATUSES }) status!: CampaignStatus;
  @ApiProperty({ nullable: true, type: String }) statusReason!: string | null;
  @ApiProperty({ type: CampaignAudienceDto }) audience!: CampaignAudienceDto;
  @ApiProperty({
    description:
      'Contacts in the audience. GET /campaigns/{id}, create, edit and the controls: counted now. In the list (GET /campaigns): ' +
      'for a campaign whose run started, the size stored at its start (audienceTotal, what the run processes); for the others ' +
      'counted now, all of the page in one statement (no query per row).',
  })
  audienceCount!: number;
  @ApiProperty() template!: string;
  @ApiProperty() companyNamePrefix!: boolean;
  @ApiProperty({ nullable: true, type: String }) scheduledAt!: string | null;
  @ApiProperty({ nullable: true, type: Number }) rateLimitPerSecond!: number | null;
  @ApiProperty(quietHoursDoc) quietHours!: QuietHours | null;
  @ApiProperty({ type: [String], description: "MMS media sent with every recipient's message (empty: plain SMS)" }) mediaUrls!: string[];
  @ApiProperty({ type: [CampaignMediaView], description: 'The media with the type and size found when they were last checked' }) media!: CampaignMediaView[];
  @ApiProperty({ nullable: true, type: String }) startedAt!: string | null;
  @ApiProperty({ nullable: true, type: String }) finishedAt!: string | null;
  @ApiProperty() workflowId!: string;

  static of(c: Campaign, audienceCount: number): CampaignView {
    return {
      id: c.id,
      inboxId: c.inbox.id,
      name: c.name,
      type: c.type,
      status: c.status,
      statusReason: c.statusReason,
      audience: c.audience,
      audienceCount,
      template: c.template,
      companyNamePrefix: c.companyNamePrefix,
      scheduledAt: c.scheduledAt?.toISOString() ?? null,
      rateLimitPerSecond: c.rateLimitPerSecond,
      quietHours: c.quietHours,
      mediaUrls: c.media.map((m) => m.url),
      media: c.media.map((m) => ({ url: m.url, contentType: m.contentType, size: m.size ?? 0 })),
      startedAt: c.startedAt?.toISOString() ?? null,
      finishedAt: c.finishedAt?.toISOString() ?? null,
      workflowId: `campaign-run:${c.id}`,
    };
  }
}

export class ListCampaignsQuery extends PageQuery {
  @ApiPropertyOptional({ format: 'uuid', description: 'Only campaigns sending through this inbox (403 unless the caller manages it)' })
  @IsOptional()
  @IsUUID()
  inboxId?: string;

  @ApiPropertyOptional({ enum: CAMPAIGN_STATUSES })
  @IsOptional()
  @IsIn(CAMPAIGN_STATUSES)
  status?: CampaignStatus;
}

export class CampaignPageView {
  @ApiProperty({ type: [CampaignView], description: 'Newest first (created)' }) items!: CampaignView[];
  @ApiProperty({ nullable: true, type: String, description: 'Pass as cursor for the next page; null on the last page' }) nextCursor!: string | null;
}

export class PreviewAudienceDto {
  @ApiProperty({ format: 'uuid', description: 'The sending inbox (you must manage it); its channel decides who is opted out' })
  @IsUUID()
  inboxId!: string;

  @ApiProperty({ type: CampaignAudienceDto, description: 'Empty: every contact of the account' })
  @IsObject()
  @ValidateNested()
  @Type(() => CampaignAudienceDto)
  audience!: CampaignAudienceDto;
}

export class AudiencePreviewView {
  @ApiProperty({ description: 'Contacts in the audience now (opted-out ones included; they are skipped at send time)' }) count!: number;
  @ApiProperty({ description: 'Of those, opted out of the inbox channel right now' }) optedOut!: number;
}

export class CampaignCountersView {
  @ApiProperty({ type: 'integer' }) sent!: number;
  @ApiProperty({ type: 'integer' }) failed!: number;
  @ApiProperty({ type: 'integer' }) skipped!: number;
  @ApiProperty({ type: 'integer' }) optedOut!: number;
  @ApiProperty({ type: 'integer', description: 'Deferrals to the end of quiet hours (a recipient deferred, then sent, counts here and in sent)' }) deferred!: number;
}

/** The campaign-run workflow's answer to its campaignProgress query (workflows/contracts/campaign.contract.ts). */
export class CampaignRunProgressView {
  @ApiProperty({ enum: ['waiting', 'sending', 'paused', 'quiet-hours', 'finished'] }) phase!: string;
  @ApiProperty({ description: 'Recipients per second since sending began (pauses included)' }) rate!: number;
  @ApiProperty({ nullable: true, type: String, description: 'The last contact id of the pages done' }) cursor!: string | null;
  @ApiProperty({ type: CampaignCountersView }) counters!: CampaignCountersView;
  @ApiProperty() paused!: boolean;
  @ApiProperty() cancelled!: boolean;
  @ApiProperty({ nullable: true, type: Number, description: 'Epoch ms when sending began (after the schedule)' }) startedAt!: number | null;
  @ApiProperty({ type: 'integer', description: 'Runs (continue-as-new generations) so far' }) runs!: number;
  @ApiPropertyOptional({
    type: 'object',
    properties: { start: { type: 'number' }, taken: { type: 'number' } },
    required: ['start', 'taken'],
    description: "The rate limit's token bucket (workflow time)",
  })
  bucket?: { start: number; taken: number };
  @ApiPropertyOptional({ enum: ['audience', 'deferred'] }) pass?: string;
}

export class CampaignProgressView {
  @ApiProperty({ enum: CAMPAIGN_STATUSES }) status!: CampaignStatus;
  @ApiProperty() total!: number;
  @ApiProperty({ description: 'Accepted by the provider (the delivered and undelivered below are among them)' }) sent!: number;
  @ApiProperty({ description: "Sent, and the provider's delivery receipt (Twilio status callback) says delivered" }) delivered!: number;
  @ApiProperty({ description: 'Sent, and the delivery receipt says it could not be delivered (the reason is on the message)' }) undelivered!: number;
  @ApiProperty() failed!: number;
  @ApiProperty() skipped!: number;
  @ApiProperty() optedOut!: number;
  @ApiProperty({ description: 'Claimed, provider call under way' }) sending!: number;
  @ApiProperty({ description: 'Waiting for the end of their quiet hours' }) deferred!: number;
  @ApiProperty({ nullable: true, type: String, description: 'When the next deferred recipient is due' }) nextDeferredSendAt!: string | null;
  @ApiProperty({ description: 'Recipients not processed yet (after a cancel: never sent)' }) remaining!: number;
  @ApiProperty({ description: 'Recipients per second since sending began' }) rate!: number;
  @ApiProperty({ nullable: true, type: Number, description: 'Seconds to go at the current rate (0 once finished, null while nothing was sent yet)' }) etaSeconds!: number | null;
  @ApiProperty({ type: CampaignRunProgressView, nullable: true, description: "The workflow's own view (query), null for drafts and when it cannot be reached" })
  workflow!: Record<string, unknown> | null;
}
