import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsBoolean, IsIn, IsInt, IsNotEmpty, IsObject, IsOptional, IsString, IsUUID, Matches, Max, MaxLength, Min, ValidateIf, ValidateNested } from 'class-validator';
import { CRM_CALL_KINDS, CRM_CALL_OUTCOMES, CRM_CALL_REASONS, CRM_DEFAULT_MAX_CONCURRENT_LOOKUPS, CRM_LOOKUP_ATTRIBUTES, type CrmCall, type CrmConnector, type CrmLookupAttribute } from '../crm.entity';
import { DELIVERY_STATUSES, type WebhookEndpoint } from '../../webhooks/webhook.entity';
import type { CrmWriteBack } from '../crm-write-backs';

export const CRM_MAX_MAPPINGS = 50;
export const CRM_MAX_HEADERS = 20;
export const CRM_MAX_CONCURRENT_LOOKUPS = 50;

export class CrmFieldMappingDto {
  @ApiProperty({ example: '/properties/plan', description: 'RFC 6901 JSON Pointer into the lookup answer' })
  @IsString()
  @MaxLength(500)
  pointer!: string;

  @ApiProperty({ example: 'plan', description: 'The key of a custom contact attribute' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(100)
  attribute!: string;
}

const TIMEOUT = { minimum: 100, maximum: 30000 };
const TTL = { minimum: 0, maximum: 30 * 86400 };
const CONCURRENCY = { minimum: 1, maximum: CRM_MAX_CONCURRENT_LOOKUPS };
const CONCURRENCY_DOC = {
  ...CONCURRENCY,
  description:
    'Lookups on contact creation and conversation start (e.g. a CSV import) sent to the CRM at once at most, across every worker; the others wait in a durable queue. Refresh and test are not queued',
};

export class CreateCrmConnectorDto {
  @ApiProperty({ example: 'Acme CRM' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  name!: string;

  @ApiPropertyOptional({ default: true })
  @IsOptional()
  @IsBoolean()
  enabled?: boolean;

  @ApiProperty({ enum: CRM_LOOKUP_ATTRIBUTES, description: 'What the lookup is keyed by' })
  @IsIn(CRM_LOOKUP_ATTRIBUTES)
  lookupAttribute!: CrmLookupAttribute;

  @ApiProperty({ example: 'https://crm.example.com/api/contacts?email={{value}}', description: 'http(s) URL with {{value}}; GET, through the outbound-address guard' })
  @IsString()
  @MaxLength(2000)
  lookupUrl!: string;

  @ApiPropertyOptional({ type: 'object', additionalProperties: { type: 'string' }, example: { authorization: 'Bearer secret' }, description: 'Sent with the lookup and the write-back; sealed at rest, never shown again (only the names)' })
  @IsOptional()
  @IsObject()
  headers?: Record<string, string>;

  @ApiPropertyOptional({ ...TIMEOUT, default: 5000, description: 'Budget of one request (lookup or write-back attempt), ms' })
  @IsOptional()
  @IsInt()
  @Min(TIMEOUT.minimum)
  @Max(TIMEOUT.maximum)
  timeoutMs?: number;

  @ApiPropertyOptional({ ...TTL, default: 3600, description: 'A lookup younger than this is not repeated on contact creation or conversation start (0: always look up)' })
  @IsOptional()
  @IsInt()
  @Min(TTL.minimum)
  @Max(TTL.maximum)
  cacheTtlSeconds?: number;

  @ApiPropertyOptional({ ...CONCURRENCY_DOC, default: CRM_DEFAULT_MAX_CONCURRENT_LOOKUPS })
  @IsOptional()
  @IsInt()
  @Min(CONCURRENCY.minimum)
  @Max(CONCURRENCY.maximum)
  maxConcurrentLookups?: number;

  @ApiPropertyOptional({ default: '/id', description: "JSON Pointer to the CRM's id of the contact in the answer (stored on the contact)" })
  @IsOptional()
  @IsString()
  @MaxLength(500)
  externalIdPointer?: string;

  @ApiPropertyOptional({ type: [CrmFieldMappingDto], description: 'The attributes filled from the answer become CRM-managed' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(CRM_MAX_MAPPINGS)
  @IsObject({ each: true })
  @ValidateNested({ each: true })
  @Type(() => CrmFieldMappingDto)
  mapping?: CrmFieldMappingDto[];

  @ApiPropertyOptional({ default: true })
  @IsOptional()
  @IsBoolean()
  lookupOnContactCreated?: boolean;

  @ApiPropertyOptional({ default: true })
  @IsOptional()
  @IsBoolean()
  lookupOnConversationStarted?: boolean;

  @ApiPropertyOptional({ default: false, description: 'Agents may edit CRM-managed attributes; changes are posted to writeBackUrl when a conversation of the contact changes status' })
  @IsOptional()
  @IsBoolean()
  writeBackEnabled?: boolean;

  @ApiPropertyOptional({ nullable: true, type: String, example: 'https://crm.example.com/api/cx-write-back', description: 'http(s); POSTed through the webhooks pipeline (signed, retried, logged)' })
  @IsOptional()
  @ValidateIf((_o, v) => v !== null)
  @IsString()
  @MaxLength(2000)
  writeBackUrl?: string | null;
}

export class UpdateCrmConnectorDto {
  @ApiPropertyOptional() @IsOptional() @IsString() @IsNotEmpty() @MaxLength(200) name?: string;
  @ApiPropertyOptional() @IsOptional() @IsBoolean() enabled?: boolean;
  @ApiPropertyOptional({ enum: CRM_LOOKUP_ATTRIBUTES }) @IsOptional() @IsIn(CRM_LOOKUP_ATTRIBUTES) lookupAttribute?: CrmLookupAttribute;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(2000) lookupUrl?: string;

  @ApiPropertyOptional({ type: 'object', additionalProperties: { type: 'string' }, description: 'Replaces every header ({} removes them); absent: the headers stay' })
  @IsOptional()
  @IsObject()
  headers?: Record<string, string>;

  @ApiPropertyOptional(TIMEOUT) @IsOptional() @IsInt() @Min(TIMEOUT.minimum) @Max(TIMEOUT.maximum) timeoutMs?: number;
  @ApiPropertyOptional(TTL) @IsOptional() @IsInt() @Min(TTL.minimum) @Max(TTL.maximum) cacheTtlSeconds?: number;
  @ApiPropertyOptional(CONCURRENCY_DOC) @IsOptional() @IsInt() @Min(CONCURRENCY.minimum) @Max(CONCURRENCY.maximum) maxConcurrentLookups?: number;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(500) externalIdPointer?: string;

  @ApiPropertyOptional({ type: [CrmFieldMappingDto] })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(CRM_MAX_MAPPINGS)
  @IsObject({ each: true })
  @ValidateNested({ each: true })
  @Type(() => CrmFieldMappingDto)
  mapping?: CrmFieldMappingDto[];

  @ApiPropertyOptional() @IsOptional() @IsBoolean() lookupOnContactCreated?: boolean;
  @ApiPropertyOptional() @IsOptional() @IsBoolean() lookupOnConversationStarted?: boolean;
  @ApiPropertyOptional() @IsOptional() @IsBoolean() writeBackEnabled?: boolean;
  @ApiPropertyOptional({ nullable: true, type: String }) @IsOptional() @ValidateIf((_o, v) => v !== null) @IsString() @MaxLength(2000) writeBackUrl?: string | null;
}

export class TestCrmConnectorDto {
  @ApiProperty({ description: 'The contact to look up (nothing is changed on it)' })
  @IsUUID()
  contactId!: string;
}

export class CrmWriteBackView {
  @ApiProperty({ description: 'The webhook endpoint the write-backs are delivered through' }) endpointId!: string;
  @ApiProperty() enabled!: boolean;
  @ApiProperty({ nullable: true, type: String, description: 'Why the pipeline disabled it (410, failing too long)' }) disabledReason!: string | null;
  @ApiProperty({ nullable: true, type: String }) lastSuccessAt!: string | null;
  @ApiProperty({ nullable: true, type: String }) lastFailureAt!: string | null;

  static of(e: WebhookEndpoint): CrmWriteBackView {
    return {
      endpointId: e.id,
      enabled: e.enabled,
      disabledReason: e.disabledReason,
      lastSuccessAt: e.lastSuccessAt?.toISOString() ?? null,
      lastFailureAt: e.lastFailureAt?.toISOString() ?? null,
    };
  }
}

export class CrmConnectorView {
  @ApiProperty() id!: string;
  @ApiProperty() name!: string;
  @ApiProperty() enabled!: boolean;
  @ApiProperty({ enum: CRM_LOOKUP_ATTRIBUTES }) lookupAttribute!: CrmLookupAttribute;
  @ApiProperty() lookupUrl!: string;
  @ApiProperty({ type: [String], description: 'The names of the sealed headers (values are never shown)' }) headerNames!: string[];
  @ApiProperty() timeoutMs!: number;
  @ApiProperty() cacheTtlSeconds!: number;
  @ApiProperty({ description: 'Queued lookups sent to the CRM at once at most' }) maxConcurrentLookups!: number;
  @ApiProperty() externalIdPointer!: string;
  @ApiProperty({ type: [CrmFieldMappingDto] }) mapping!: CrmFieldMappingDto[];
  @ApiProperty() lookupOnContactCreated!: boolean;
  @ApiProperty() lookupOnConversationStarted!: boolean;
  @ApiProperty() writeBackEnabled!: boolean;
  @ApiProperty({ nullable: true, type: String }) writeBackUrl!: string | null;
  @ApiProperty({ nullable: true, type: CrmWriteBackView }) writeBack!: CrmWriteBackView | null;
  @ApiProperty() createdAt!: string;
  @ApiProperty() updatedAt!: string;

  static of(c: CrmConnector): CrmConnectorView {
    const endpoint = c.webhookEndpoint?.isInitialized() ? c.webhookEndpoint.getEntity() : null;
    return {
      id: c.id,
      name: c.name,
      enabled: c.enabled,
      lookupAttribute: c.lookupAttribute,
      lookupUrl: c.lookupUrl,
      headerNames: c.headerNames,
      timeoutMs: c.timeoutMs,
      cacheTtlSeconds: c.cacheTtlSeconds,
      maxConcurrentLookups: c.maxConcurrentLookups,
      externalIdPointer: c.externalIdPointer,
      mapping: c.mapping,
      lookupOnContactCreated: c.lookupOnContactCreated,
      lookupOnConversationStarted: c.lookupOnConversationStarted,
      writeBackEnabled: c.writeBackEnabled,
      writeBackUrl: c.writeBackUrl,
      writeBack: endpoint ? CrmWriteBackView.of(endpoint) : null,
      createdAt: c.createdAt.toISOString(),
      updatedAt: c.updatedAt.toISOString(),
    };
  }
}

export class CrmConnectorWithSecretView extends CrmConnectorView {
  @ApiPropertyOptional({ description: 'The whsec_ secret that signs write-backs (Standard Webhooks): in this answer only, when the write-back endpoint was just created' })
  writeBackSecret?: string;
}

export class CrmRequestView {
  @ApiProperty({ enum: ['GET'] }) method!: 'GET';
  @ApiProperty() url!: string;
  @ApiProperty({ type: 'object', additionalProperties: { type: 'string' }, description: 'Header values masked' }) headers!: Record<string, string>;
}

export class CrmResponseView {
  @ApiProperty() status!: number;
  @ApiProperty() durationMs!: number;
  @ApiProperty({ nullable: true, type: String }) contentType!: string | null;
  @ApiProperty({ description: 'The raw answer (at most 256 KB)' }) body!: string;
  @ApiProperty() truncated!: boolean;
}

export class CrmMappingProblemView {
  @ApiProperty() attribute!: string;
  @ApiProperty() problem!: string;
}

export class CrmLookupResultView {
  @ApiProperty() connectorId!: string;
  @ApiProperty({ enum: CRM_CALL_OUTCOMES }) outcome!: string;
  @ApiProperty({ nullable: true, type: String }) error!: string | null;
  @ApiProperty({ nullable: true, type: CrmRequestView }) request!: CrmRequestView | null;
  @ApiProperty({ nullable: true, type: CrmResponseView }) response!: CrmResponseView | null;
  @ApiProperty({ nullable: true, type: String }) externalId!: string | null;
  @ApiProperty({ type: 'object', additionalProperties: { type: 'string', nullable: true }, description: 'Mapped attribute values (null: the CRM has none)' }) values!: Record<string, string | null>;
  @ApiProperty({ type: [CrmMappingProblemView] }) problems!: CrmMappingProblemView[];
}

export class CrmWriteBackAttemptView {
  @ApiProperty({ description: 'When the attempt was made' }) at!: string;
  @ApiProperty({ nullable: true, type: Number, description: "The CRM's HTTP status (null: no answer, e.g. a timeout)" }) statusCode!: number | null;
  @ApiProperty() durationMs!: number;
  @ApiProperty({ nullable: true, type: String, description: 'What went wrong, in our words' }) error!: string | null;
  @ApiProperty() succeeded!: boolean;
  @ApiProperty({ nullable: true, type: String, description: 'The start of the answer (bounded)' }) responseExcerpt!: string | null;
}

export class CrmWriteBackDeliveryView {
  @ApiProperty({ description: 'The call log entry (GET /contacts/{contactId}/crm)' }) callId!: string;
  @ApiProperty() connectorId!: string;
  @ApiProperty() contactId!: string;
  @ApiProperty({ description: 'Sent as the Idempotency-Key and webhook-id headers, the same on every attempt' }) idempotencyKey!: string;
  @ApiProperty({ nullable: true, type: String, description: "The delivery in the webhooks pipeline (null: gone with its endpoint)" }) deliveryId!: string | null;
  @ApiProperty({ nullable: true, type: String }) conversationId!: string | null;
  @ApiProperty({ nullable: true, type: String, enum: DELIVERY_STATUSES, description: 'null: the delivery is gone' }) status!: string | null;
  @ApiProperty({ type: 'object', additionalProperties: { type: 'string', nullable: true }, description: 'The values written back (null: cleared)' }) attributes!: Record<string, string | null>;
  @ApiProperty() enqueuedAt!: string;
  @ApiProperty({ nullable: true, type: String, description: 'pending: when the next attempt is due' }) nextAttemptAt!: string | null;
  @ApiProperty({ nullable: true, type: String }) deliveredAt!: string | null;
  @ApiProperty({ type: [CrmWriteBackAttemptView], description: 'Every attempt, oldest first' }) attempts!: CrmWriteBackAttemptView[];

  static of(w: CrmWriteBack): CrmWriteBackDeliveryView {
    const { callId, connectorId, contactId, idempotencyKey, deliveryId, conversationId, status, attributes, enqueuedAt, nextAttemptAt, deliveredAt, attempts } = w;
    return { callId, connectorId, contactId, idempotencyKey, deliveryId, conversationId, status, attributes, enqueuedAt, nextAttemptAt, deliveredAt, attempts };
  }
}

export class CrmWriteBackPageView {
  @ApiProperty({ type: [CrmWriteBackDeliveryView], description: 'Newest first' }) writeBacks!: CrmWriteBackDeliveryView[];
  @ApiProperty({ nullable: true, type: String, description: 'Pass as before for the next page; null: no more' }) nextBefore!: string | null;
}

export class ListCrmWriteBacksQuery {
  @ApiPropertyOptional({ description: "Only this contact's write-backs" })
  @IsOptional()
  @IsUUID()
  contactId?: string;

  @ApiPropertyOptional({ description: 'Write-backs with a callId below this (the next page)' })
  @IsOptional()
  @Matches(/^\d{1,19}$/, { message: 'must be a callId' })
  before?: string;

  @ApiPropertyOptional({ minimum: 1, maximum: 200, default: 50 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(200)
  limit?: number;
}

export class CrmCallView {
  @ApiProperty() id!: string;
  @ApiProperty() connectorId!: string;
  @ApiProperty({ enum: CRM_CALL_KINDS }) kind!: string;
  @ApiProperty({ enum: CRM_CALL_REASONS }) reason!: string;
  @ApiProperty() at!: string;
  @ApiProperty({ nullable: true, type: String }) requestUrl!: string | null;
  @ApiProperty({ nullable: true, type: Number }) statusCode!: number | null;
  @ApiProperty({ nullable: true, type: Number }) durationMs!: number | null;
  @ApiProperty({ enum: CRM_CALL_OUTCOMES }) outcome!: string;
  @ApiProperty({ nullable: true, type: String }) error!: string | null;
  @ApiProperty({ nullable: true, type: String }) responseExcerpt!: string | null;
  @ApiProperty({ nullable: true, type: String, description: 'write_back: the webhook message id (also its Idempotency-Key)' }) messageId!: string | null;
  @ApiProperty({ nullable: true, type: String, enum: ['pending', 'succeeded', 'failed'], description: 'write_back: the delivery state' }) deliveryStatus!: string | null;
  @ApiProperty({ nullable: true, type: Number, description: 'write_back: attempts so far (in the current schedule)' }) deliveryAttempts!: number | null;
  @ApiProperty({ nullable: true, type: String, description: 'write_back: the Idempotency-Key (= messageId)' }) idempotencyKey!: string | null;
  @ApiProperty({ nullable: true, type: [CrmWriteBackAttemptView], description: 'write_back: every attempt, oldest first (time, status code, duration, error)' })
  attempts!: CrmWriteBackAttemptView[] | null;

  static of(c: CrmCall, delivery?: { status: string | null; attempts: CrmWriteBackAttemptView[]; scheduleAttempts: number | null }): CrmCallView {
    return {
      id: String(c.id),
      connectorId: c.connector.id,
      kind: c.kind,
      reason: c.reason,
      at: c.at.toISOString(),
      requestUrl: c.requestUrl,
      statusCode: c.statusCode,
      durationMs: c.durationMs,
      outcome: c.outcome,
      error: c.error,
      responseExcerpt: c.responseExcerpt,
      messageId: c.messageId,
      deliveryStatus: delivery?.status ?? null,
      deliveryAttempts: delivery?.scheduleAttempts ?? null,
      idempotencyKey: c.kind === 'write_back' ? c.messageId : null,
      attempts: c.kind === 'write_back' ? (delivery?.attempts ?? []) : null,
    };
  }
}

export class ContactCrmLinkView {
  @ApiProperty() connectorId!: string;
  @ApiProperty() connectorName!: string;
  @ApiProperty({ nullable: true, type: String, description: "The CRM's id of the contact" }) externalId!: string | null;
  @ApiProperty({ nullable: true, type: String }) fetchedAt!: string | null;
  @ApiProperty({ type: [String], description: 'The attributes this connector manages' }) managedAttributes!: string[];
  @ApiProperty({ description: 'false: the managed attributes are read-only for agents' }) writeBackEnabled!: boolean;
}

export class ContactCrmAttributeView {
  @ApiProperty({ description: 'The custom attribute key' }) key!: string;
  @ApiProperty({ type: [String], description: 'The enabled connectors that fill it' }) managedBy!: string[];
  @ApiProperty({ description: 'Whether you may change it (administrators always; agents when every connector managing it has write-back on)' }) editable!: boolean;
  @ApiProperty({ description: 'Why, for the form: e.g. managed by "Acme CRM" (read-only: write-back is off)' }) hint!: string;
}

export class ContactCrmView {
  @ApiProperty({ type: [ContactCrmLinkView], description: "Every enabled connector and what it knows of the contact" }) connectors!: ContactCrmLinkView[];
  @ApiProperty({ type: [ContactCrmAttributeView], description: 'The CRM-managed attributes of the account and whether you may edit them' }) attributes!: ContactCrmAttributeView[];
  @ApiProperty({ type: [CrmCallView], description: 'The call log, newest first (at most 100)' }) calls!: CrmCallView[];
}
