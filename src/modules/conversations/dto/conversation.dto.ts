import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  IsEmail,
  IsIn,
  IsInt,
  IsNotEmpty,
  IsOptional,
  IsString,
  IsUUID,
  Max,
  MaxLength,
  Min,
  ValidateNested,
} from 'class-validator';
import { CONVERSATION_STATUSES, type ConversationStatus, Conversation } from '../conversation.entity';
import { Message } from '../message.entity';

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
  @ValidateNested()
  @Type(() => InboundContactDto)
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

export class ListConversationsQuery {
  @ApiProperty({ format: 'uuid' }) @IsUUID() inboxId!: string;
  @ApiPropertyOptional({ enum: CONVERSATION_STATUSES }) @IsOptional() @IsIn(CONVERSATION_STATUSES) status?: ConversationStatus;
  @ApiPropertyOptional({ default: 50, minimum: 1, maximum: 200 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(200)
  limit?: number;
}

export class MessageView {
  @ApiProperty() id!: string;
  @ApiProperty({ enum: ['inbound', 'outbound'] }) direction!: string;
  @ApiProperty({ enum: ['contact', 'agent', 'system'] }) senderType!: string;
  @ApiProperty() content!: string;
  @ApiProperty() deliveryStatus!: string;
  @ApiProperty() createdAt!: string;

  static of(m: Message): MessageView {
    return {
      id: String(m.id),
      direction: m.direction,
      senderType: m.senderType,
      content: m.content,
      deliveryStatus: m.deliveryStatus,
      createdAt: m.createdAt.toISOString(),
    };
  }
}

export class ConversationView {
  @ApiProperty() id!: string;
  @ApiProperty() inboxId!: string;
  @ApiProperty() contactId!: string;
  @ApiProperty() channelType!: string;
  @ApiProperty({ enum: CONVERSATION_STATUSES }) status!: ConversationStatus;
  @ApiProperty({ nullable: true, type: String }) assigneeId!: string | null;
  @ApiProperty() lastActivityAt!: string;
  @ApiProperty() createdAt!: string;
  @ApiProperty({ description: 'Workflow id in Temporal' }) workflowId!: string;

  static of(c: Conversation): ConversationView {
    return {
      id: c.id,
      inboxId: c.inbox.id,
      contactId: c.contact.id,
      channelType: c.channelType,
      status: c.status,
      assigneeId: c.assigneeId,
      lastActivityAt: c.lastActivityAt.toISOString(),
      createdAt: c.createdAt.toISOString(),
      workflowId: `conversation:${c.id}`,
    };
  }
}

export class ConversationWithMessagesView extends ConversationView {
  @ApiProperty({ type: [MessageView], description: 'In the order they were stored' }) messages!: MessageView[];
}
