import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  IsBoolean,
  IsEmail,
  IsIn,
  IsNotEmpty,
  IsObject,
  IsOptional,
  IsString,
  MaxLength,
  MinLength,
  ValidateIf,
} from 'class-validator';
import { NestedObject } from '../../../common/validation';
import { type Account, type AccountSettings, accountTimeZone } from '../account.entity';

export class SignUpAdminDto {
  @ApiProperty() @IsString() @IsNotEmpty() @MaxLength(200) name!: string;
  @ApiProperty() @IsEmail() @MaxLength(320) email!: string;
  @ApiProperty({ minLength: 10 }) @IsString() @MinLength(10) @MaxLength(200) password!: string;
}

export class SignUpDto {
  @ApiProperty({ example: 'Acme Support' }) @IsString() @IsNotEmpty() @MaxLength(200) name!: string;
  @ApiProperty({ type: SignUpAdminDto }) @NestedObject(() => SignUpAdminDto) admin!: SignUpAdminDto;
}

export class OptOutSettingsDto {
  @ApiPropertyOptional() @IsOptional() @IsBoolean() enabled?: boolean;
  @ApiPropertyOptional() @IsOptional() @IsString() @IsNotEmpty() @MaxLength(1000) confirmationText?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @IsNotEmpty() @MaxLength(1000) helpText?: string;
  @ApiPropertyOptional({ description: 'Answer to START/UNSTOP/YES (SMS); an empty text turns it off' })
  @IsOptional()
  @IsString()
  @MaxLength(1000)
  resubscribeText?: string;
}

export class AccountSettingsDto {
  @ApiPropertyOptional() @IsOptional() @IsBoolean() allowMoveBetweenInboxes?: boolean;
  @ApiPropertyOptional() @IsOptional() @IsBoolean() companyNameInsertion?: boolean;
  @ApiPropertyOptional({ type: OptOutSettingsDto }) @IsOptional() @NestedObject(() => OptOutSettingsDto) optOut?: OptOutSettingsDto;
  @ApiPropertyOptional() @IsOptional() @IsBoolean() messageAssistantEnabled?: boolean;
  @ApiPropertyOptional({ enum: ['email', 'phone'], nullable: true })
  @IsOptional()
  @ValidateIf((_o, v) => v !== null)
  @IsIn(['email', 'phone'])
  matchingAttribute?: 'email' | 'phone' | null;
  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: { type: 'string' },
    description: 'Defaults per variable, e.g. {"contact.first_name": "there"}; replaces the stored map',
  })
  @IsOptional()
  @IsObject()
  variableDefaults?: Record<string, string>;
  @ApiPropertyOptional({ example: 'Europe/Berlin', description: "IANA time zone of the reports' days, weeks and months" })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  timezone?: string;
}

export class UpdateAccountDto {
  @ApiPropertyOptional() @IsOptional() @IsString() @IsNotEmpty() @MaxLength(200) name?: string;
  @ApiPropertyOptional({ nullable: true }) @IsOptional() @ValidateIf((_o, v) => v !== null) @IsString() @MaxLength(200) companyName?: string | null;
  @ApiPropertyOptional({ nullable: true }) @IsOptional() @ValidateIf((_o, v) => v !== null) @IsString() @MaxLength(500) address?: string | null;
  @ApiPropertyOptional({ nullable: true }) @IsOptional() @ValidateIf((_o, v) => v !== null) @IsEmail() email?: string | null;
  @ApiPropertyOptional({ nullable: true }) @IsOptional() @ValidateIf((_o, v) => v !== null) @IsString() @MaxLength(40) phone?: string | null;
  @ApiPropertyOptional({ type: AccountSettingsDto }) @IsOptional() @NestedObject(() => AccountSettingsDto) settings?: AccountSettingsDto;
}

export class OptOutSettingsView {
  @ApiProperty({ description: 'Answer the SMS keywords (STOP, START, HELP and the like)' }) enabled!: boolean;
  @ApiProperty({ description: 'Answer to STOP and the other opt-out keywords' }) confirmationText!: string;
  @ApiProperty({ description: 'Answer to HELP and INFO' }) helpText!: string;
  @ApiPropertyOptional({ description: 'Answer to START/UNSTOP/YES; absent or empty: no answer' }) resubscribeText?: string;
}

export class AccountSettingsView {
  @ApiProperty({ description: 'Agents may move conversations to another inbox they belong to' }) allowMoveBetweenInboxes!: boolean;
  @ApiProperty({ description: 'Campaign messages may start with the company name' }) companyNameInsertion!: boolean;
  @ApiProperty({ type: OptOutSettingsView }) optOut!: OptOutSettingsView;
  @ApiProperty() messageAssistantEnabled!: boolean;
  @ApiProperty({ type: String, enum: ['email', 'phone'], nullable: true, description: "The contact field that links one person's identities; null: none" })
  matchingAttribute!: 'email' | 'phone' | null;
  @ApiProperty({ type: 'object', additionalProperties: { type: 'string' }, description: 'Defaults per variable, used when a value is missing' })
  variableDefaults!: Record<string, string>;
  @ApiProperty({ example: 'UTC', description: "IANA time zone of the reports' days, weeks and months" }) timezone!: string;
}

export class AccountView {
  @ApiProperty() id!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ nullable: true, type: String }) companyName!: string | null;
  @ApiProperty({ nullable: true, type: String }) address!: string | null;
  @ApiProperty({ nullable: true, type: String }) email!: string | null;
  @ApiProperty({ nullable: true, type: String }) phone!: string | null;
  @ApiProperty({ type: AccountSettingsView }) settings!: AccountSettings;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;

  static of(a: Account): AccountView {
    return {
      id: a.id,
      name: a.name,
      companyName: a.companyName,
      address: a.address,
      email: a.email,
      phone: a.phone,
      settings: { ...a.settings, timezone: accountTimeZone(a.settings) },
      createdAt: a.createdAt.toISOString(),
    };
  }
}
