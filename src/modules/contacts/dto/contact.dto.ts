import { ApiProperty, ApiPropertyOptional, IntersectionType } from '@nestjs/swagger';
import { PageQuery } from '../../../common/page-query';
import { Transform } from 'class-transformer';
import { IsBoolean, IsEmail, IsInt, IsNotEmpty, IsObject, IsOptional, IsString, IsUUID, Max, MaxLength, Min, ValidateIf } from 'class-validator';
import { CHANNEL_TYPES } from '../../inboxes/inbox.entity';
import { CONTACT_TAG_RULE, ContactTagsField } from '../contact-tags';
import type { AttributeType } from '../contact.entity';

/** "true"/"false" in a query string. */
const toBoolean = ({ value }: { value: unknown }) => (value === 'true' ? true : value === 'false' ? false : value);

/** The filters the contact list and the CSV export share. */
export class ContactFilterQuery {
  @ApiPropertyOptional({ description: 'Text found in the name, email or phone (case-insensitive)', maxLength: 200 })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  q?: string;

  @ApiPropertyOptional({ description: 'Only VIP (true) or only non-VIP (false) contacts' })
  @IsOptional()
  @Transform(toBoolean)
  @IsBoolean()
  vip?: boolean;

  @ApiPropertyOptional({ description: "true: only the caller's favourite contacts" })
  @IsOptional()
  @Transform(toBoolean)
  @IsBoolean()
  favourites?: boolean;

  @ApiPropertyOptional({ description: 'true: only contacts opted out of campaign messages on at least one channel; false: only contacts opted out on none' })
  @IsOptional()
  @Transform(toBoolean)
  @IsBoolean()
  optedOut?: boolean;

  @ApiPropertyOptional({ description: 'Only contacts having this tag (normalised like the tags: trimmed, lower-cased)', example: 'newsletter' })
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  tag?: string;
}

export class ListContactsQuery extends IntersectionType(ContactFilterQuery, PageQuery) {}

export class ExportContactsQuery extends ContactFilterQuery {
  @ApiPropertyOptional({
    description:
      'Comma-separated columns, in order: id, name, email, phone, vip, spam, createdAt and the keys of custom attributes. ' +
      'Default: name,email,phone,vip and every custom attribute by position.',
    example: 'name,email,phone,vip,customer_tier',
  })
  @IsOptional()
  @IsString()
  @MaxLength(5000)
  attributes?: string;

  @ApiPropertyOptional({ description: 'false: no header row', default: true })
  @IsOptional()
  @Transform(toBoolean)
  @IsBoolean()
  header?: boolean;
}

export class UpdateContactDto {
  @ApiPropertyOptional({ nullable: true, maxLength: 200 })
  @IsOptional()
  @ValidateIf((_o, v) => v !== null)
  @IsString()
  @MaxLength(200)
  name?: string | null;

  @ApiPropertyOptional({ nullable: true, maxLength: 320 })
  @IsOptional()
  @ValidateIf((_o, v) => v !== null)
  @IsEmail()
  @MaxLength(320)
  email?: string | null;

  @ApiPropertyOptional({ nullable: true, maxLength: 40 })
  @IsOptional()
  @ValidateIf((_o, v) => v !== null)
  @IsString()
  @MaxLength(40)
  phone?: string | null;

  @ApiPropertyOptional({ description: 'VIP contacts go first in the queue' })
  @IsOptional()
  @IsBoolean()
  vip?: boolean;

  @ApiPropertyOptional({
    description:
      'Custom attribute values by key (see /api/v1/contact-attributes); null removes a value. Keys not listed keep their values. ' +
      'Platform attributes come from the channels and cannot be set.',
    type: 'object',
    additionalProperties: { type: 'string', nullable: true },
    example: { customer_tier: 'Gold' },
  })
  @IsOptional()
  @IsObject()
  attributes?: Record<string, unknown>;

  @ApiPropertyOptional({ type: [String], example: ['newsletter', 'vip lounge'], description: `Replaces the tag set ([] clears it). ${CONTACT_TAG_RULE}` })
  @ContactTagsField()
  tags?: string[];
}

export class MergeContactDto {
  @ApiProperty({ format: 'uuid', description: 'The contact merged into the one in the path; it is deleted afterwards' })
  @IsUUID()
  otherContactId!: string;
}

export class ContactIdentityView {
  @ApiProperty() id!: string;
  @ApiProperty({ enum: CHANNEL_TYPES }) channelType!: string;
  @ApiProperty({ description: 'API source id, email address or phone number' }) address!: string;
  @ApiProperty() createdAt!: string;
}

export class ContactAttributeValueView {
  @ApiProperty() key!: string;
  @ApiProperty() label!: string;
  @ApiProperty({ enum: ['text', 'dropdown'] }) type!: AttributeType;
  @ApiProperty({ type: [String] }) options!: string[];
  @ApiProperty({ description: 'Shown to agents' }) visible!: boolean;
  @ApiProperty({ nullable: true, type: String }) value!: string | null;
}

export class ContactOptOutView {
  @ApiProperty({ enum: CHANNEL_TYPES }) channelType!: string;
  @ApiProperty({ description: '"keyword" or "manual:<userId>"' }) source!: string;
  @ApiProperty() createdAt!: string;
}

export class ContactSummaryView {
  @ApiProperty() id!: string;
  @ApiProperty({ nullable: true, type: String }) name!: string | null;
  @ApiProperty({ nullable: true, type: String }) email!: string | null;
  @ApiProperty({ nullable: true, type: String }) phone!: string | null;
  @ApiProperty() vip!: boolean;
  @ApiProperty() spam!: boolean;
  @ApiProperty({ description: "One of the caller's favourite contacts" }) favourite!: boolean;
  @ApiProperty({ type: [String], description: 'Sorted' }) tags!: string[];
  @ApiProperty() createdAt!: string;
  @ApiProperty() updatedAt!: string;
}

export class ContactPageView {
  @ApiProperty({ type: [ContactSummaryView], description: 'Newest first' }) items!: ContactSummaryView[];
  @ApiProperty({ nullable: true, type: String, description: 'Pass as cursor for the next page; null on the last page' }) nextCursor!: string | null;
}

export class ContactView extends ContactSummaryView {
  @ApiProperty({ type: [ContactIdentityView], description: 'Oldest first' }) identities!: ContactIdentityView[];
  @ApiProperty({ type: 'object', additionalProperties: { type: 'string' }, description: 'From channel metadata; read-only' })
  platformAttributes!: Record<string, string>;
  @ApiProperty({
    type: [ContactAttributeValueView],
    description: 'Custom attributes by definition position; agents get only the visible ones',
  })
  attributes!: ContactAttributeValueView[];
  @ApiProperty({ type: [ContactOptOutView], description: 'Channels the contact is unsubscribed from' }) optOuts!: ContactOptOutView[];
}

export class DeletedContactView {
  @ApiProperty() id!: string;
  @ApiProperty({ example: 'j***@e***.com' }) maskedHint!: string;
  @ApiProperty({ nullable: true, type: String, enum: CHANNEL_TYPES, description: 'Channel of its first identity' }) channelType!: string | null;
  @ApiProperty() deletedAt!: string;
  @ApiProperty() deletedByUserId!: string;
  @ApiProperty() deletedByName!: string;
}

export class DeletedContactsQuery {
  @ApiPropertyOptional({ default: 100, minimum: 1, maximum: 500 })
  @IsOptional()
  @Transform(({ value }) => (typeof value === 'string' && /^-?\d+$/.test(value) ? Number(value) : value))
  @IsInt()
  @Min(1)
  @Max(500)
  limit?: number;

  @ApiPropertyOptional({ description: 'nextCursor of the previous page' })
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  cursor?: string;
}

export class DeletedContactPageView {
  @ApiProperty({ type: [DeletedContactView], description: 'Newest first' }) items!: DeletedContactView[];
  @ApiProperty({ nullable: true, type: String }) nextCursor!: string | null;
}

export class CreateContactDto {
  @ApiPropertyOptional({ nullable: true, maxLength: 200, description: 'At least one of name, email and phone' })
  @IsOptional()
  @ValidateIf((_o, v) => v !== null)
  @IsString()
  @MaxLength(200)
  name?: string | null;

  @ApiPropertyOptional({ nullable: true, maxLength: 320, description: 'Unique in the account (case-insensitive); becomes the email identity' })
  @IsOptional()
  @ValidateIf((_o, v) => v !== null)
  @IsString()
  @MaxLength(320)
  email?: string | null;

  @ApiPropertyOptional({
    nullable: true,
    maxLength: 40,
    description: 'Unique in the account (digits compared); 3-20 digits with + ( ) - . / and spaces; in E.164 form (+4915…) it becomes the sms identity',
  })
  @IsOptional()
  @ValidateIf((_o, v) => v !== null)
  @IsString()
  @MaxLength(40)
  phone?: string | null;

  @ApiPropertyOptional({ description: 'VIP contacts go first in the queue', default: false })
  @IsOptional()
  @IsBoolean()
  vip?: boolean;

  @ApiPropertyOptional({
    description: 'Custom attribute values by key (see /api/v1/contact-attributes); checked against the definitions',
    type: 'object',
    additionalProperties: { type: 'string', nullable: true },
    example: { customer_tier: 'Gold' },
  })
  @IsOptional()
  @IsObject()
  attributes?: Record<string, unknown>;

  @ApiPropertyOptional({ type: [String], example: ['newsletter'], description: CONTACT_TAG_RULE })
  @ContactTagsField()
  tags?: string[];
}

export class ContactImportErrorView {
  @ApiProperty({ description: 'The CSV column (name, email, phone, tags, vip, an attribute key), `row` for the row as a whole', example: 'email' })
  field!: string;
  @ApiProperty({ example: 'must be an email address' }) problem!: string;
  @ApiPropertyOptional({ description: 'For a duplicate email or phone: the contact that has it' }) contactId?: string;
}

export class ContactImportRowView {
  @ApiProperty({ description: 'Line of the file where the row starts (the header is line 1)' }) line!: number;
  @ApiProperty({ enum: ['created', 'failed'] }) status!: 'created' | 'failed';
  @ApiPropertyOptional({ description: 'The new contact (created rows)' }) contactId?: string;
  @ApiProperty({ type: [ContactImportErrorView], description: 'Why the row failed; nothing of a failed row is written' })
  errors!: ContactImportErrorView[];
}

export class ContactImportReportView {
  @ApiProperty() created!: number;
  @ApiProperty() failed!: number;
  @ApiProperty({ type: [ContactImportRowView], description: 'Every data row, in file order' }) rows!: ContactImportRowView[];
}
