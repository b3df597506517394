import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsBoolean, IsIn, IsInt, IsISO8601, IsOptional, IsString, Matches, Max, MaxLength, Min } from 'class-validator';
import { DELIVERY_STATUSES, type DeliveryStatus, type WebhookAttempt, type WebhookDelivery, type WebhookEndpoint } from '../webhook.entity';
import { WEBHOOK_EVENT_TYPES } from '../webhook-event-types';

export class CreateWebhookEndpointDto {
  @ApiProperty({ example: 'https://example.com/hooks/cx', description: 'http(s); checked by the outbound-address guard now and at every attempt' })
  @IsString()
  @MaxLength(2000)
  url!: string;

  @ApiPropertyOptional({ example: 'CRM sync', default: '' })
  @IsOptional()
  @IsString()
  @MaxLength(500)
  description?: string;

  @ApiPropertyOptional({ enum: WEBHOOK_EVENT_TYPES, isArray: true, description: 'Empty or absent: every event type' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(WEBHOOK_EVENT_TYPES.length)
  @IsIn(WEBHOOK_EVENT_TYPES, { each: true })
  eventTypes?: string[];

  @ApiPropertyOptional({ default: false, description: 'message.created also for private notes' })
  @IsOptional()
  @IsBoolean()
  includeNotes?: boolean;

  @ApiPropertyOptional({ default: true })
  @IsOptional()
  @IsBoolean()
  enabled?: boolean;
}

export class UpdateWebhookEndpointDto {
  @ApiPropertyOptional({ example: 'https://example.com/hooks/cx' })
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  url?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(500)
  description?: string;

  @ApiPropertyOptional({ enum: WEBHOOK_EVENT_TYPES, isArray: true })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(WEBHOOK_EVENT_TYPES.length)
  @IsIn(WEBHOOK_EVENT_TYPES, { each: true })
  eventTypes?: string[];

  @ApiPropertyOptional()
  @IsOptional()
  @IsBoolean()
  includeNotes?: boolean;

  @ApiPropertyOptional({ description: 'true re-enables an endpoint the product disabled (clears the reason); pending deliveries resume' })
  @IsOptional()
  @IsBoolean()
  enabled?: boolean;
}

export class RotateWebhookSecretDto {
  @ApiPropertyOptional({ minimum: 0, maximum: 604800, description: 'Seconds the previous secret still signs (default WEBHOOK_ROTATION_OVERLAP_SECONDS); 0 ends it at once' })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(604800)
  overlapSeconds?: number;
}

export class ListWebhookDeliveriesQuery {
  @ApiPropertyOptional({ enum: DELIVERY_STATUSES })
  @IsOptional()
  @IsIn(DELIVERY_STATUSES)
  status?: DeliveryStatus;

  @ApiPropertyOptional({ example: 'msg_2b0c5b7c0f0d4f7c9a1e6a4f1c2d3e4f', description: 'Only the deliveries of this message' })
  @IsOptional()
  @Matches(/^msg_[0-9a-f]{32}$/, { message: 'must be a message id (msg_ and 32 hex characters)' })
  messageId?: string;

  @ApiPropertyOptional({ description: 'Deliveries with an id below this (the next page)' })
  @IsOptional()
  @Matches(/^\d{1,19}$/, { message: 'must be a delivery id' })
  before?: string;

  @ApiPropertyOptional({ minimum: 1, maximum: 200, default: 50 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(200)
  limit?: number;
}

export class RedeliverFailedDto {
  @ApiProperty({ example: '2026-12-01T00:00:00Z', description: 'Failed deliveries of messages created at or after this' })
  @IsISO8601()
  from!: string;

  @ApiProperty({ example: '2026-12-02T00:00:00Z', description: '... and before this' })
  @IsISO8601()
  to!: string;
}

export class WebhookEndpointView {
  @ApiProperty() id!: string;
  @ApiProperty() url!: string;
  @ApiProperty() description!: string;
  @ApiProperty({ enum: WEBHOOK_EVENT_TYPES, isArray: true, description: 'Empty: every type' }) eventTypes!: string[];
  @ApiProperty() includeNotes!: boolean;
  @ApiProperty() enabled!: boolean;
  @ApiProperty({ nullable: true, type: String, description: 'Why the product disabled it (410, failing too long)' }) disabledReason!: string | null;
  @ApiProperty({ nullable: true, type: String }) disabledAt!: string | null;
  @ApiProperty({ nullable: true, type: String, description: 'Failing without a success since' }) failingSince!: string | null;
  @ApiProperty({ nullable: true, type: String }) lastSuccessAt!: string | null;
  @ApiProperty({ nullable: true, type: String }) lastFailureAt!: string | null;
  @ApiProperty({ nullable: true, type: String, description: 'Until then the previous secret signs too' }) previousSecretExpiresAt!: string | null;
  @ApiProperty() createdAt!: string;
  @ApiProperty() updatedAt!: string;

  static of(e: WebhookEndpoint): WebhookEndpointView {
    const iso = (d: Date | null) => (d ? d.toISOString() : null);
    return {
      id: e.id,
      url: e.url,
      description: e.description,
      eventTypes: e.eventTypes,
      includeNotes: e.includeNotes,
      enabled: e.enabled,
      disabledReason: e.disabledReason,
      disabledAt: iso(e.disabledAt),
      failingSince: iso(e.failingSince),
      lastSuccessAt: iso(e.lastSuccessAt),
      lastFailureAt: iso(e.lastFailureAt),
      previousSecretExpiresAt: e.previousSecretExpiresAt && e.previousSecretExpiresAt > new Date() ? e.previousSecretExpiresAt.toISOString() : null,
      createdAt: e.createdAt.toISOString(),
      updatedAt: e.updatedAt.toISOString(),
    };
  }
}

export class WebhookEndpointWithSecretView extends WebhookEndpointView {
  @ApiProperty({ example: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', description: 'Shown this once; store it in the receiver' }) secret!: string;
}

export class WebhookAttemptView {
  @ApiProperty() id!: string;
  @ApiProperty() attemptedAt!: string;
  @ApiProperty({ nullable: true, type: Number }) statusCode!: number | null;
  @ApiProperty() durationMs!: number;
  @ApiProperty({ nullable: true, type: String, description: 'The start of the answer (bounded)' }) responseExcerpt!: string | null;
  @ApiProperty({ nullable: true, type: String }) error!: string | null;
  @ApiProperty() succeeded!: boolean;

  static of(a: WebhookAttempt): WebhookAttemptView {
    return {
      id: String(a.id),
      attemptedAt: a.attemptedAt.toISOString(),
      statusCode: a.statusCode,
      durationMs: a.durationMs,
      responseExcerpt: a.responseExcerpt,
      error: a.error,
      succeeded: a.succeeded,
    };
  }
}

export class WebhookDeliveryView {
  @ApiProperty() id!: string;
  @ApiProperty({ description: 'The webhook-id header' }) messageId!: string;
  @ApiProperty() eventType!: string;
  @ApiProperty({ nullable: true, type: String }) conversationId!: string | null;
  @ApiProperty({ nullable: true, type: Number }) sequence!: number | null;
  @ApiProperty({ enum: DELIVERY_STATUSES }) status!: DeliveryStatus;
  @ApiProperty({ description: 'Attempts in the current schedule' }) attempts!: number;
  @ApiProperty({ nullable: true, type: String }) nextAttemptAt!: string | null;
  @ApiProperty({ nullable: true, type: String }) lastAttemptAt!: string | null;
  @ApiProperty({ nullable: true, type: Number }) lastStatusCode!: number | null;
  @ApiProperty({ nullable: true, type: String }) lastError!: string | null;
  @ApiProperty({ nullable: true, type: String }) deliveredAt!: string | null;
  @ApiProperty() createdAt!: string;

  static of(d: WebhookDelivery, eventType: string): WebhookDeliveryView {
    const iso = (x: Date | null) => (x ? x.toISOString() : null);
    return {
      id: String(d.id),
      messageId: d.message.id,
      eventType,
      conversationId: d.conversationId,
      sequence: d.sequence === null ? null : Number(d.sequence),
      status: d.status,
      attempts: d.attempts,
      nextAttemptAt: d.status === 'pending' ? iso(d.nextAttemptAt) : null,
      lastAttemptAt: iso(d.lastAttemptAt),
      lastStatusCode: d.lastStatusCode,
      lastError: d.lastError,
      deliveredAt: iso(d.deliveredAt),
      createdAt: d.createdAt.toISOString(),
    };
  }
}

export class WebhookDeliveryDetailView extends WebhookDeliveryView {
  @ApiProperty({ description: 'The body as sent (and signed)' }) body!: string;
  @ApiProperty({ type: [WebhookAttemptView], description: 'Every attempt, oldest first (redeliveries included)' }) attemptLog!: WebhookAttemptView[];
}

export class WebhookDeliveryPageView {
  @ApiProperty({ type: [WebhookDeliveryView] }) deliveries!: WebhookDeliveryView[];
  @ApiProperty({ nullable: true, type: String, description: 'Pass as before for the next page' }) nextBefore!: string | null;
}

export class RedeliveryView {
  @ApiProperty({ description: 'Deliveries scheduled again' }) scheduled!: number;
}

export class TestEventView {
  @ApiProperty() messageId!: string;
  @ApiProperty() deliveryId!: string;
}
