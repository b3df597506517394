import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsNotEmpty, IsOptional, IsString, IsUUID, MaxLength, ValidateIf } from 'class-validator';
import { CHANNEL_TYPES, type ChannelType, Inbox } from '../inbox.entity';

export class CreateInboxDto {
  @ApiProperty({ format: 'uuid' })
  @IsUUID()
  accountId!: string;

  @ApiProperty({ example: 'Support' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  name!: string;

  @ApiProperty({ enum: CHANNEL_TYPES, example: 'api' })
  @IsIn(CHANNEL_TYPES)
  channelType!: ChannelType;

  @ApiPropertyOptional({ nullable: true, description: 'Sent once when a conversation starts; null turns it off.' })
  @IsOptional()
  @ValidateIf((_o, v) => v !== null)
  @IsString()
  @MaxLength(5000)
  welcomeMessage?: string | null;
}

export class UpdateInboxDto {
  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  name?: string;

  @ApiPropertyOptional({ nullable: true })
  @IsOptional()
  @ValidateIf((_o, v) => v !== null)
  @IsString()
  @MaxLength(5000)
  welcomeMessage?: string | null;
}

export class ListInboxesQuery {
  @ApiProperty({ format: 'uuid' })
  @IsUUID()
  accountId!: string;
}

export class InboxView {
  @ApiProperty() id!: string;
  @ApiProperty() accountId!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ enum: CHANNEL_TYPES }) channelType!: ChannelType;
  @ApiProperty({ nullable: true, type: String }) welcomeMessage!: string | null;
  @ApiProperty() createdAt!: string;

  static of(i: Inbox): InboxView {
    return {
      id: i.id,
      accountId: i.account.id,
      name: i.name,
      channelType: i.channelType,
      welcomeMessage: i.welcomeMessage,
      createdAt: i.createdAt.toISOString(),
    };
  }
}
