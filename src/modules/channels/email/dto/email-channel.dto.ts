import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsEmail, IsInt, IsOptional, IsString, Length, Matches, Max, MaxLength, Min, ValidateIf } from 'class-validator';

/** A host name or an IP address (no scheme, no port). */
const HOST = /^(?=.{1,253}$)([A-Za-z0-9_]([A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?)(\.[A-Za-z0-9_]([A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?)*\.?$|^\[?[0-9A-Fa-f:.]+\]?$/;
const HOST_MESSAGE = 'must be a host name or IP address, without scheme or port (e.g. imap.example.com)';

export class SetEmailChannelDto {
  @ApiProperty({ example: 'support@example.com', description: 'The address customers write to; replies go out From it' })
  @IsEmail({}, { message: 'must be an email address, e.g. support@example.com' })
  address!: string;

  @ApiPropertyOptional({ nullable: true, example: 'Acme Support', description: 'Display name on outgoing mail' })
  @IsOptional()
  @ValidateIf((_o, v) => v !== null)
  @IsString()
  @MaxLength(200)
  displayName?: string | null;

  @ApiProperty({ example: 'imap.example.com' })
  @IsString()
  @Matches(HOST, { message: HOST_MESSAGE })
  imapHost!: string;

  @ApiProperty({ example: 993 })
  @IsInt({ message: 'must be a port number (1-65535)' })
  @Min(1, { message: 'must be a port number (1-65535)' })
  @Max(65535, { message: 'must be a port number (1-65535)' })
  imapPort!: number;

  @ApiProperty({ description: 'true: TLS from the first byte (IMAPS, usually port 993); false: plain IMAP (usually 143), no STARTTLS' })
  @IsBoolean({ message: 'must be true (TLS) or false (plain)' })
  imapSecure!: boolean;

  @ApiProperty({ example: 'support@example.com' })
  @IsString()
  @Length(1, 320, { message: 'must be the IMAP login (1-320 characters)' })
  imapUser!: string;

  @ApiPropertyOptional({ writeOnly: true, description: 'IMAP password (write-only; stored encrypted). Required the first time and again whenever imapHost, imapPort, imapSecure or imapUser change; otherwise leave it out to keep the stored one.' })
  @IsOptional()
  @IsString()
  @Length(1, 1000, { message: 'must not be empty' })
  imapPassword?: string;

  @ApiPropertyOptional({ example: 'INBOX', description: 'The folder to read (default INBOX)' })
  @IsOptional()
  @IsString()
  @Length(1, 500, { message: 'must be a folder name, e.g. INBOX' })
  imapFolder?: string;

  @ApiProperty({ example: 'smtp.example.com' })
  @IsString()
  @Matches(HOST, { message: HOST_MESSAGE })
  smtpHost!: string;

  @ApiProperty({ example: 465 })
  @IsInt({ message: 'must be a port number (1-65535)' })
  @Min(1, { message: 'must be a port number (1-65535)' })
  @Max(65535, { message: 'must be a port number (1-65535)' })
  smtpPort!: number;

  @ApiProperty({ description: 'true: TLS from the first byte (SMTPS, usually port 465); false: plain SMTP, no STARTTLS' })
  @IsBoolean({ message: 'must be true (TLS) or false (plain)' })
  smtpSecure!: boolean;

  @ApiPropertyOptional({ nullable: true, description: 'SMTP login; null when the server takes mail without one' })
  @IsOptional()
  @ValidateIf((_o, v) => v !== null)
  @IsString()
  @Length(1, 320, { message: 'must be the SMTP login (1-320 characters) or null' })
  smtpUser?: string | null;

  @ApiPropertyOptional({ writeOnly: true, description: 'SMTP password (write-only; stored encrypted). Required the first time a login is set and again whenever smtpHost, smtpPort, smtpSecure, smtpUser or address change; otherwise leave it out to keep the stored one.' })
  @IsOptional()
  @IsString()
  @Length(1, 1000, { message: 'must not be empty' })
  smtpPassword?: string;

  @ApiProperty({ description: 'true: the mailbox workflow reads new mail (started now); false: it is stopped' })
  @IsBoolean({ message: 'must be true or false' })
  enabled!: boolean;
}

export class EmailMailboxStatusView {
  @ApiProperty({ example: 'mailbox:2f1c…' }) workflowId!: string;
  @ApiProperty({ nullable: true, type: String, description: 'UIDVALIDITY of the folder at the checkpoint' }) uidValidity!: string | null;
  @ApiProperty({ description: 'Every mail up to this UID is stored' }) lastUid!: string;
  @ApiProperty({ nullable: true, type: String }) lastConnectedAt!: string | null;
  @ApiProperty({ nullable: true, type: String, description: 'The last connection problem, in words (cleared on reconnect)' }) lastError!: string | null;
  @ApiProperty({ nullable: true, type: String }) lastErrorAt!: string | null;
}

export class EmailChannelView {
  @ApiProperty() inboxId!: string;
  @ApiProperty() address!: string;
  @ApiProperty({
    example: 'k3j5d7q2m4n6p8r2t4v6@inbound.example.com',
    description: 'Mail forwarded to this address arrives through the SMTP ingress (details, last arrival and refusals: GET …/email-channel/forwarding)',
  })
  forwardingAddress!: string;
  @ApiProperty({ nullable: true, type: String }) displayName!: string | null;
  @ApiProperty() imapHost!: string;
  @ApiProperty() imapPort!: number;
  @ApiProperty() imapSecure!: boolean;
  @ApiProperty() imapUser!: string;
  @ApiProperty({ description: 'The password itself is never returned' }) imapPasswordSet!: boolean;
  @ApiProperty() imapFolder!: string;
  @ApiProperty() smtpHost!: string;
  @ApiProperty() smtpPort!: number;
  @ApiProperty() smtpSecure!: boolean;
  @ApiProperty({ nullable: true, type: String }) smtpUser!: string | null;
  @ApiProperty({ description: 'The password itself is never returned' }) smtpPasswordSet!: boolean;
  @ApiProperty() enabled!: boolean;
  @ApiProperty({ type: EmailMailboxStatusView }) mailbox!: EmailMailboxStatusView;
  @ApiProperty() updatedAt!: string;
}

export class ConnectionCheckView {
  @ApiProperty() ok!: boolean;
  @ApiPropertyOptional({ enum: ['dns', 'tcp', 'tls', 'greeting', 'auth', 'mailbox'], description: 'The step that failed' }) step?: string;
  @ApiProperty({ description: 'What failed (or what was checked), in plain words' }) message!: string;
}

export class EmailConnectionTestView {
  @ApiProperty({ type: ConnectionCheckView }) imap!: ConnectionCheckView;
  @ApiProperty({ type: ConnectionCheckView }) smtp!: ConnectionCheckView;
}
