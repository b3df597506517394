import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsBoolean,
  IsEmail,
  IsIn,
  IsInt,
  IsNotEmpty,
  IsOptional,
  IsString,
  IsUUID,
  Matches,
  Max,
  MaxLength,
  Min,
  ValidateIf,
} from 'class-validator';
import { NestedObject } from '../../../common/validation';
import { CHANNEL_TYPES, type ChannelType } from '../../inboxes/inbox.entity';
import { CONVERSATION_STATUSES, type ConversationStatus } from '../conversation.entity';
import { CONVERSATION_SORTS, type ConversationItem, type ConversationSort } from '../conversation-read-model';
import { DELIVERY_STATUSES, Message, MESSAGE_DIRECTIONS, SENDER_TYPES } from '../message.entity';

export class InboundContactDto {
  @ApiProperty({ description: "The contact's id in the integrating system (the API channel's address)", example: 'customer-42' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(320)
  sourceId!: string;

  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(200) name?: string;
  @ApiPropertyOptional() @IsOptional() @IsEmail() @MaxLength(320) email?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(40) phone?: string;
}

export class InboundMessageDto {
  @ApiProperty({ type: InboundContactDto })
  @NestedObject(() => InboundContactDto)
  contact!: InboundContactDto;

  @ApiProperty({ example: 'Hello, my order has not arrived.' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(100_000)
  content!: string;

  @ApiPropertyOptional({ description: 'Your id for this message; repeating it never stores the message twice.' })
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  externalId?: string;
}

export class InboundMessageResultView {
  @ApiProperty() conversationId!: string;
  @ApiProperty() messageId!: string;
  @ApiProperty() contactId!: string;
  @ApiProperty() duplicate!: boolean;
  @ApiProperty() conversationCreated!: boolean;
}

/** Query booleans arrive as text: only "true" and "false" are accepted. */
const toBool = ({ value }: { value: unknown }) => (value === 'true' ? true : value === 'false' ? false : value);

export class ListConversationsQuery {
  @ApiPropertyOptional({ format: 'uuid', description: 'Only this inbox; without it, every inbox the caller is a member of' })
  @IsOptional()
  @IsUUID()
  inboxId?: string;

  @ApiPropertyOptional({ enum: CONVERSATION_STATUSES, description: 'Without it, every status except spam' })
  @IsOptional()
  @IsIn(CONVERSATION_STATUSES)
  status?: ConversationStatus;

  @ApiPropertyOptional({ description: 'A user id, "me" or "unassigned"', example: 'me' })
  @IsOptional()
  @Matches(/^(me|unassigned|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/i, { message: 'must be a user id, "me" or "unassigned"' })
  assignee?: string;

  @ApiPropertyOptional({ example: 'billing' }) @IsOptional() @IsString() @IsNotEmpty() @MaxLength(200) tag?: string;

  @ApiPropertyOptional({ enum: CHANNEL_TYPES }) @IsOptional() @IsIn(CHANNEL_TYPES) channel?: ChannelType;

  @ApiPropertyOptional({ type: Boolean, description: 'Only conversations of VIP (true) or non-VIP (false) contacts' })
  @IsOptional()
  @Transform(toBool)
  @IsBoolean({ message: 'must be true or false' })
  vip?: boolean;

  @ApiPropertyOptional({ type: Boolean, description: 'Unread (true) or read (false) by the caller' })
  @IsOptional()
  @Transform(toBool)
  @IsBoolean({ message: 'must be true or false' })
  unread?: boolean;

  @ApiPropertyOptional({ type: Boolean, description: 'Pinned (true) or not pinned (false) by the caller' })
  @IsOptional()
  @Transform(toBool)
  @IsBoolean({ message: 'must be true or false' })
  pinned?: boolean;

  @ApiPropertyOptional({ description: 'Words that must all occur in a message of the conversation' })
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  q?: string;

  @ApiPropertyOptional({ enum: CONVERSATION_SORTS, default: 'last_activity' })
  @IsOptional()
  @IsIn(CONVERSATION_SORTS)
  sort?: ConversationSort;

  @ApiPropertyOptional({ description: 'nextCursor of the previous page' }) @IsOptional() @IsString() @MaxLength(500) cursor?: string;

  @ApiPropertyOptional({ default: 25, minimum: 1, maximum: 100 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(100)
  limit?: number;
}

export class MessageAttachmentView {
  @ApiProperty() url!: string;
  @ApiProperty({ nullable: true, type: String }) contentType!: string | null;
  @ApiPropertyOptional({ nullable: true, type: String, description: 'Email attachments: the file name' }) filename?: string | null;
  @ApiPropertyOptional({ description: 'Email attachments: the size in bytes' }) size?: number;
}

export class MessageView {
  @ApiProperty() id!: string;
  @ApiProperty({ enum: MESSAGE_DIRECTIONS, description: 'internal: a private note (never sent to the customer)' }) direction!: string;
  @ApiProperty({ enum: SENDER_TYPES, description: 'note: a private note of an agent (direction internal)' }) senderType!: string;
  @ApiProperty({ nullable: true, type: String, description: 'The agent who wrote an outbound message or a note' }) senderUserId!: string | null;
  @ApiProperty() content!: string;
  @ApiProperty({ enum: DELIVERY_STATUSES }) deliveryStatus!: string;
  @ApiProperty({ nullable: true, type: String, description: "Why delivery failed, in the provider's words (e.g. Twilio error 21211: ...)" })
  error!: string | null;
  @ApiProperty({ nullable: true, type: String, description: "The provider's id of an outbound message (Twilio Message SID)" })
  providerMessageId!: string | null;
  @ApiProperty({ type: [MessageAttachmentView], description: 'Media kept with the message (MMS media, email attachments)' }) attachments!: MessageAttachmentView[];
  @ApiPropertyOptional({ nullable: true, type: String, description: 'Email: the subject line' }) subject?: string | null;
  @ApiPropertyOptional({ description: 'An auto-reply or bounce: it triggers no welcome or out-of-office message' }) automated?: boolean;
  @ApiProperty() createdAt!: string;

  static of(m: Message): MessageView {
    return {
      id: String(m.id),
      direction: m.direction,
      senderType: m.senderType,
      senderUserId: m.senderUserId,
      content: m.content,
      deliveryStatus: m.deliveryStatus,
      error: m.error,
      providerMessageId: m.providerMessageId,
      attachments: (m.attachments ?? []).map((a) => ({
        url: a.url,
        contentType: a.contentType,
        ...(a.filename !== undefined ? { filename: a.filename } : {}),
        ...(a.size !== undefined ? { size: a.size } : {}),
      })),
      subject: m.subject ?? null,
      automated: m.automated ?? false,
      createdAt: m.createdAt.toISOString(),
    };
  }
}

export class ConversationView implements ConversationItem {
  @ApiProperty() id!: string;
  @ApiProperty() inboxId!: string;
  @ApiProperty() contactId!: string;
  @ApiProperty({ nullable: true, type: String }) contactName!: string | null;
  @ApiProperty({ enum: CHANNEL_TYPES }) channelType!: string;
  @ApiProperty({ enum: CONVERSATION_STATUSES }) status!: ConversationStatus;
  @ApiProperty({ nullable: true, type: String }) assigneeId!: string | null;
  @ApiProperty({ type: 'integer', minimum: 0, maximum: 4, description: '0 none, 1 low, 2 medium, 3 high, 4 urgent' }) priority!: number;
  @ApiProperty({ description: 'The contact is a VIP' }) vip!: boolean;
  @ApiProperty({ type: [String] }) tags!: string[];
  @ApiProperty({ description: 'Pinned by the caller' }) pinned!: boolean;
  @ApiProperty({ description: 'Unread for the caller: never read, or activity since they last read it' }) unread!: boolean;
  @ApiProperty() lastActivityAt!: string;
  @ApiProperty() createdAt!: string;
  @ApiProperty({ nullable: true, type: String }) resolvedAt!: string | null;
  @ApiProperty({ description: 'Workflow id in Temporal' }) workflowId!: string;
}

export class ConversationPageView {
  @ApiProperty({ type: [ConversationView] }) items!: ConversationView[];
  @ApiProperty({ nullable: true, type: String, description: 'Pass as cursor for the next page; null at the end' }) nextCursor!: string | null;
}

export class ConversationWithMessagesView extends ConversationView {
  @ApiProperty({ type: [MessageView], description: 'In the order they were stored' }) messages!: MessageView[];
}

export class UpdateConversationDto {
  @ApiPropertyOptional({ minimum: 0, maximum: 4, description: '0 none, 1 low, 2 medium, 3 high, 4 urgent' })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(4)
  priority?: number;
}

export class SetTagsDto {
  @ApiProperty({ type: [String], example: ['billing', 'refund'], description: 'Trimmed and lower-cased; at most 50 tags of 50 characters' })
  @IsArray()
  @ArrayMaxSize(50)
  @IsString({ each: true })
  @MaxLength(200, { each: true })
  tags!: string[];
}

export class AssignDto {
  @ApiProperty({ format: 'uuid', nullable: true, type: String, description: 'The user to hold the conversation; null unassigns it' })
  @ValidateIf((_o, v) => v !== null)
  @IsUUID()
  assigneeId!: string | null;
}

export class ReplyDto {
  @ApiProperty({ example: 'Thanks, your refund is on its way.' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(100_000)
  content!: string;

  @ApiPropertyOptional({ description: 'Your id for this reply; retrying with the same key never sends it twice' })
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  idempotencyKey?: string;

  @ApiPropertyOptional({
    type: [String],
    maxItems: 10,
    description:
      'SMS only: media sent with the text as an MMS. Each must be a public http(s) URL answering a HEAD request with 2xx, a type MMS carries (images, video, audio, vCard, calendar, PDF) and a Content-Length; together at most MMS_MAX_BYTES (5 MB)',
    example: ['https://example.com/receipt.png'],
  })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(10)
  @IsString({ each: true })
  @MaxLength(2000, { each: true })
  mediaUrls?: string[];
}

export class ReplyResultView {
  @ApiProperty({ type: MessageView }) message!: MessageView;
  @ApiProperty({ description: 'True when the idempotencyKey had been used before: nothing was sent again' }) duplicate!: boolean;
  @ApiProperty({ type: ConversationView }) conversation!: ConversationView;
}

export class NoteDto {
  @ApiProperty({ example: 'Customer called, refund approved by finance.', description: 'Seen by the members of the inbox only; never sent to the customer' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(100_000)
  content!: string;

  @ApiPropertyOptional({ description: 'Your id for this note; retrying with the same key never stores it twice' })
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  idempotencyKey?: string;
}

export class NoteResultView {
  @ApiProperty({ type: MessageView, description: 'The note: direction internal, senderType note' }) message!: MessageView;
  @ApiProperty({ description: 'True when the idempotencyKey had been used before: nothing new was stored' }) duplicate!: boolean;
}

export class StartConversationDto {
  @ApiPropertyOptional({ format: 'uuid', description: 'An existing contact you may see (one of contactId, phone, email)' })
  @IsOptional()
  @IsUUID()
  contactId?: string;

  @ApiPropertyOptional({ example: '+4915123456789', description: 'SMS inboxes: an international number; found or created as a contact' })
  @IsOptional()
  @IsString()
  @MaxLength(40)
  @Matches(/^\+?[0-9 ()./-]{6,40}$/, { message: 'must be a phone number in international format, e.g. +4915123456789' })
  phone?: string;

  @ApiPropertyOptional({ example: 'jane@example.com', description: 'Email inboxes: an address; found or created as a contact' })
  @IsOptional()
  @IsEmail({}, { message: 'must be an email address, e.g. jane@example.com' })
  @MaxLength(320)
  email?: string;

  @ApiProperty({ example: 'Hi Jane, your order 4711 is ready for pick-up.', description: 'The first message, sent through the channel like a reply' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(100_000)
  content!: string;

  @ApiPropertyOptional({ example: 'Your order 4711', description: 'Email inboxes only: the subject of the first mail' })
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(998)
  subject?: string;
}

export class StartConversationResultView {
  @ApiProperty({ type: ConversationView, description: 'Status open; assigned to you in assignment mode, to nobody in open mode' }) conversation!: ConversationView;
  @ApiProperty({ type: MessageView, description: 'The first message, as a reply (deliveryStatus and provider id from the channel)' }) message!: MessageView;
  @ApiProperty({ format: 'uuid' }) contactId!: string;
}

export class MoveDto {
  @ApiProperty({ format: 'uuid', description: 'The target inbox (same channel type, and you must be a member)' })
  @IsUUID()
  inboxId!: string;
}

export class ContactMessagesQuery {
  @ApiPropertyOptional({ description: 'nextCursor of the previous page' }) @IsOptional() @IsString() @MaxLength(500) cursor?: string;

  @ApiPropertyOptional({ default: 50, minimum: 1, maximum: 200 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(200)
  limit?: number;
}

export class ContactMessageView extends MessageView {
  @ApiProperty() conversationId!: string;
  @ApiProperty() inboxId!: string;
  @ApiProperty({ enum: CHANNEL_TYPES }) channelType!: string;
}

export class ContactMessagePageView {
  @ApiProperty({ type: [ContactMessageView], description: 'Oldest first, across channels' }) items!: ContactMessageView[];
  @ApiProperty({ nullable: true, type: String, description: 'Pass as cursor for the next page; null at the end' }) nextCursor!: string | null;
}
