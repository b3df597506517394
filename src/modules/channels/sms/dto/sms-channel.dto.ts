import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, Matches, ValidateIf } from 'class-validator';

export const ACCOUNT_SID = /^AC[0-9a-fA-F]{32}$/;
export const MESSAGING_SERVICE_SID = /^MG[0-9a-fA-F]{32}$/;
export const AUTH_TOKEN = /^[0-9a-fA-F]{32}$/;
export const E164 = /^\+[1-9]\d{1,14}$/;

export class SetSmsChannelDto {
  @ApiProperty({ example: 'AC0123456789abcdef0123456789abcdef', description: 'Twilio Account SID' })
  @IsString()
  @Matches(ACCOUNT_SID, { message: 'must be a Twilio Account SID: AC followed by 32 hex digits' })
  accountSid!: string;

  @ApiPropertyOptional({
    description: 'Twilio auth token (write-only; stored encrypted). Required the first time and again whenever accountSid changes; otherwise leave it out to keep the stored one.',
    writeOnly: true,
  })
  @IsOptional()
  @IsString()
  @Matches(AUTH_TOKEN, { message: 'must be the 32-character auth token from the Twilio console' })
  authToken?: string;

  @ApiPropertyOptional({ nullable: true, example: '+15005550006', description: 'Sender number in E.164; needed unless a messaging service is set' })
  @IsOptional()
  @ValidateIf((_o, v) => v !== null)
  @IsString()
  @Matches(E164, { message: 'must be a phone number in E.164 format, e.g. +4915123456789' })
  fromNumber?: string | null;

  @ApiPropertyOptional({ nullable: true, description: 'Twilio Messaging Service SID; when set, outbound messages go through it instead of fromNumber' })
  @IsOptional()
  @ValidateIf((_o, v) => v !== null)
  @IsString()
  @Matches(MESSAGING_SERVICE_SID, { message: 'must be a Twilio Messaging Service SID: MG followed by 32 hex digits' })
  messagingServiceSid?: string | null;
}

export class SmsChannelView {
  @ApiProperty() inboxId!: string;
  @ApiProperty() accountSid!: string;
  @ApiProperty({ description: 'The auth token itself is never returned' }) authTokenSet!: boolean;
  @ApiProperty({ nullable: true, type: String }) fromNumber!: string | null;
  @ApiProperty({ nullable: true, type: String }) messagingServiceSid!: string | null;
  @ApiProperty({ description: "Configure as the number's (or messaging service's) incoming-message webhook, HTTP POST" }) inboundWebhookUrl!: string;
  @ApiProperty({ description: 'Sent with every outbound message as StatusCallback' }) statusCallbackUrl!: string;
  @ApiProperty() updatedAt!: string;
}
