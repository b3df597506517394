import { ApiProperty, ApiPropertyOptional, getSchemaPath } from '@nestjs/swagger';
import { IsOptional, Matches } from 'class-validator';
import { CAMPAIGN_STATUSES } from '../../campaigns/campaign.entity';
import { CONVERSATION_STATUSES } from '../../conversations/conversation.entity';
import { DELIVERY_STATUSES, MESSAGE_DIRECTIONS, SENDER_TYPES } from '../../conversations/message.entity';

const CHANNEL_TYPES = ['api', 'email', 'sms'];

export class LiveEventsQuery {
  @ApiPropertyOptional({
    description: 'A stream ticket from POST /api/v1/events/ticket, in place of the Authorization header (single use, short-lived)',
    pattern: '^cxt_[A-Za-z0-9_-]{43}$',
  })
  @IsOptional()
  @Matches(/^cxt_[A-Za-z0-9_-]{43}$/, { message: 'must be a stream ticket (cxt_…) from POST /api/v1/events/ticket' })
  ticket?: string;

  @ApiPropertyOptional({
    description: 'Replay the events after this id, like the Last-Event-ID header (which wins when both are sent); for clients that open a new EventSource after an error',
    pattern: '^\\d{1,15}$',
    example: '1024',
  })
  @IsOptional()
  @Matches(/^\d{1,15}$/, { message: 'must be the decimal id of an event' })
  lastEventId?: string;
}

export class StreamTicketView {
  @ApiProperty({ description: 'Single use; pass it as ?ticket= to GET /api/v1/events', example: 'cxt_Q2hlY2sgdGhlIFJFQURNRSBmb3IgdGhlIGV2ZW50cyBjb250cmFjdA' })
  ticket!: string;

  @ApiProperty({ format: 'date-time', description: 'The stream must be opened before this (LIVE_EVENTS_TICKET_TTL_SECONDS)' })
  expiresAt!: string;

  @ApiProperty({ example: '/api/v1/events?ticket=cxt_…', description: 'The URL to open (same origin)' })
  url!: string;
}

// --- the data of each event ---

export class LiveConversationCreatedData {
  @ApiProperty({ format: 'uuid' }) conversationId!: string;
  @ApiProperty({ format: 'uuid' }) inboxId!: string;
  @ApiProperty({ format: 'uuid' }) contactId!: string;
  @ApiProperty({ enum: CHANNEL_TYPES }) channelType!: string;
  @ApiProperty({ enum: CONVERSATION_STATUSES }) status!: string;
  @ApiProperty({ nullable: true, type: String, format: 'uuid' }) assigneeId!: string | null;
  @ApiProperty({ type: 'integer', minimum: 0, maximum: 4 }) priority!: number;
}

export class LiveStatusChange {
  @ApiProperty({ enum: CONVERSATION_STATUSES }) from!: string;
  @ApiProperty({ enum: CONVERSATION_STATUSES }) to!: string;
}

export class LivePriorityChange {
  @ApiProperty({ type: 'integer', minimum: 0, maximum: 4 }) from!: number;
  @ApiProperty({ type: 'integer', minimum: 0, maximum: 4 }) to!: number;
}

export class LiveInboxChange {
  @ApiProperty({ format: 'uuid' }) from!: string;
  @ApiProperty({ format: 'uuid' }) to!: string;
}

export class LiveTagsChange {
  @ApiPropertyOptional({ type: [String] }) added?: string[];
  @ApiPropertyOptional({ type: [String] }) removed?: string[];
}

export class LiveConversationChanges {
  @ApiPropertyOptional({ type: LiveStatusChange }) status?: LiveStatusChange;
  @ApiPropertyOptional({ type: LivePriorityChange }) priority?: LivePriorityChange;
  @ApiPropertyOptional({ type: LiveInboxChange, description: 'Moved: sent to the inbox it left and to the one it joined' }) inboxId?: LiveInboxChange;
  @ApiPropertyOptional({ type: LiveTagsChange }) tags?: LiveTagsChange;
}

export class LiveConversationUpdatedData {
  @ApiProperty({ format: 'uuid' }) conversationId!: string;
  @ApiProperty({ format: 'uuid', description: 'The inbox this event is for (after a move: the old or the new one)' }) inboxId!: string;
  @ApiProperty({ type: LiveConversationChanges, description: 'Only what changed' }) changes!: LiveConversationChanges;
}

export class LiveConversationDeletedData {
  @ApiProperty({ format: 'uuid' }) conversationId!: string;
  @ApiProperty({ format: 'uuid' }) inboxId!: string;
}

export class LiveConversationAssignedData {
  @ApiProperty({ format: 'uuid' }) conversationId!: string;
  @ApiProperty({ format: 'uuid' }) inboxId!: string;
  @ApiProperty({ format: 'uuid' }) assigneeId!: string;
  @ApiProperty({ nullable: true, type: String, format: 'uuid', description: 'Reassigned: who held it before' }) previousAssigneeId!: string | null;
}

export class LiveConversationUnassignedData {
  @ApiProperty({ format: 'uuid' }) conversationId!: string;
  @ApiProperty({ format: 'uuid' }) inboxId!: string;
  @ApiProperty({ format: 'uuid' }) previousAssigneeId!: string;
}

export class LiveMessageCreatedData {
  @ApiProperty({ format: 'uuid' }) conversationId!: string;
  @ApiProperty({ format: 'uuid' }) inboxId!: string;
  @ApiProperty({ example: '4711' }) messageId!: string;
  @ApiProperty({ enum: MESSAGE_DIRECTIONS, description: 'internal: a private note' }) direction!: string;
  @ApiProperty({ enum: SENDER_TYPES }) senderType!: string;
  @ApiProperty({ nullable: true, type: String, format: 'uuid' }) senderUserId!: string | null;
  @ApiProperty({ enum: DELIVERY_STATUSES }) deliveryStatus!: string;
}

export class LiveDeliveryStatusChange {
  @ApiProperty({ enum: DELIVERY_STATUSES }) from!: string;
  @ApiProperty({ enum: DELIVERY_STATUSES }) to!: string;
}

export class LiveMessageChanges {
  @ApiProperty({ type: LiveDeliveryStatusChange }) deliveryStatus!: LiveDeliveryStatusChange;
}

export class LiveMessageUpdatedData {
  @ApiProperty({ format: 'uuid' }) conversationId!: string;
  @ApiProperty({ format: 'uuid' }) inboxId!: string;
  @ApiProperty({ example: '4711' }) messageId!: string;
  @ApiProperty({ type: LiveMessageChanges }) changes!: LiveMessageChanges;
}

export class LivePresenceChangedData {
  @ApiProperty({ format: 'uuid' }) userId!: string;
  @ApiProperty() online!: boolean;
  @ApiProperty({ nullable: true, enum: ['logout', 'session_lost'], description: 'Why offline (null when online)' }) reason!: string | null;
}

export class LiveCampaignProgressData {
  @ApiProperty({ format: 'uuid' }) campaignId!: string;
  @ApiProperty({ format: 'uuid' }) inboxId!: string;
  @ApiProperty({ enum: CAMPAIGN_STATUSES }) status!: string;
  @ApiProperty({ type: 'integer' }) total!: number;
  @ApiProperty({ type: 'integer' }) sent!: number;
  @ApiProperty({ type: 'integer', description: 'Delivery receipts (Twilio status callbacks)' }) delivered!: number;
  @ApiProperty({ type: 'integer', description: 'Sent, then reported failed by the provider' }) undelivered!: number;
  @ApiProperty({ type: 'integer' }) failed!: number;
  @ApiProperty({ type: 'integer' }) skipped!: number;
  @ApiProperty({ type: 'integer' }) optedOut!: number;
  @ApiProperty({ type: 'integer' }) sending!: number;
  @ApiProperty({ type: 'integer' }) deferred!: number;
  @ApiProperty({ type: 'integer' }) remaining!: number;
}

export class LiveAccessChangedData {
  @ApiProperty({ format: 'uuid' }) userId!: string;
  @ApiPropertyOptional({ format: 'uuid', description: 'A membership changed: the inbox' }) inboxId?: string;
  @ApiPropertyOptional({ nullable: true, enum: ['member', 'manager'], description: 'The role in that inbox now; null: no longer a member' }) role?: string | null;
  @ApiPropertyOptional({ format: 'uuid', description: 'A token or session ended' }) tokenId?: string;
  @ApiPropertyOptional({ description: 'The administrator role changed' }) isAdmin?: boolean;
  @ApiPropertyOptional({ description: 'The user was disabled or enabled' }) disabled?: boolean;
}

export class LiveReadyData {
  @ApiProperty({ example: '1024', description: 'The stream position (also the id of this event): events after it follow' }) position!: string;
  @ApiProperty({ type: 'integer', description: 'Missed events replayed before this one' }) replayed!: number;
  @ApiProperty({ type: 'integer' }) heartbeatSeconds!: number;
  @ApiProperty({ type: 'integer' }) retentionHours!: number;
}

export class LiveResetData {
  @ApiProperty({ description: 'Why the missed events cannot be replayed' }) reason!: string;
  @ApiProperty({ example: '1024', description: 'Refetch what you show; events after this position follow' }) position!: string;
}

export class LiveEndData {
  @ApiProperty({ description: 'Why the server ends the stream (session ended, shutdown, ...)' }) reason!: string;
}

type Cls = new () => object;

/** The envelope of one event type: `{ id, type, at, data }` is the `data:` line's JSON. */
function eventClass(name: string, type: string, data: Cls, withId: boolean): Cls {
  const cls = class {};
  Object.defineProperty(cls, 'name', { value: name });
  if (withId) ApiProperty({ type: String, example: '1025', description: 'The event id (also the SSE id line): send it back as Last-Event-ID' })(cls.prototype, 'id');
  ApiProperty({ enum: [type], description: 'The SSE event name' })(cls.prototype, 'type');
  ApiProperty({ type: String, format: 'date-time', description: 'When it was committed (control events: when sent)' })(cls.prototype, 'at');
  ApiProperty({ type: data })(cls.prototype, 'data');
  return cls;
}

/** Every event the stream sends: SSE event name, its data, and its envelope class. */
export const LIVE_EVENT_TYPES: { type: string; data: Cls; envelope: Cls }[] = [
  ['conversation.created', 'LiveConversationCreatedEvent', LiveConversationCreatedData],
  ['conversation.updated', 'LiveConversationUpdatedEvent', LiveConversationUpdatedData],
  ['conversation.deleted', 'LiveConversationDeletedEvent', LiveConversationDeletedData],
  ['conversation.assigned', 'LiveConversationAssignedEvent', LiveConversationAssignedData],
  ['conversation.unassigned', 'LiveConversationUnassignedEvent', LiveConversationUnassignedData],
  ['message.created', 'LiveMessageCreatedEvent', LiveMessageCreatedData],
  ['message.updated', 'LiveMessageUpdatedEvent', LiveMessageUpdatedData],
  ['presence.changed', 'LivePresenceChangedEvent', LivePresenceChangedData],
  ['campaign.progress', 'LiveCampaignProgressEvent', LiveCampaignProgressData],
  ['access.changed', 'LiveAccessChangedEvent', LiveAccessChangedData],
  ['ready', 'LiveReadyEvent', LiveReadyData],
  ['reset', 'LiveResetEvent', LiveResetData],
  ['end', 'LiveEndEvent', LiveEndData],
].map(([type, name, data]) => ({
  type: type as string,
  data: data as Cls,
  // `end` carries no position; ready and reset carry the stream's.
  envelope: eventClass(name as string, type as string, data as Cls, type !== 'end'),
}));

/** The schema of one `data:` line: one of the envelopes, by `type`. */
export const LIVE_EVENT_SCHEMA = {
  oneOf: LIVE_EVENT_TYPES.map((t) => ({ $ref: getSchemaPath(t.envelope) })),
  discriminator: { propertyName: 'type', mapping: Object.fromEntries(LIVE_EVENT_TYPES.map((t) => [t.type, getSchemaPath(t.envelope)])) },
};
