import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsBoolean, IsIn, IsInt, IsNotEmpty, IsOptional, IsString, IsUUID, Matches, MaxLength, Min } from 'class-validator';
import { ATTRIBUTE_TYPES, type AttributeType, type ContactAttributeDefinition } from '../contact.entity';

export const ATTRIBUTE_KEY = /^[a-z][a-z0-9]*(_[a-z0-9]+)*$/;

export class CreateContactAttributeDto {
  @ApiProperty({ description: 'snake_case, unique in the account; usable as {{contact.<key>}}', example: 'customer_tier', maxLength: 64 })
  @IsString()
  @Matches(ATTRIBUTE_KEY, { message: 'must be snake_case: lower-case letters, digits and single underscores, starting with a letter' })
  @MaxLength(64)
  key!: string;

  @ApiProperty({ example: 'Customer tier', maxLength: 200 }) @IsString() @IsNotEmpty() @MaxLength(200) label!: string;

  @ApiProperty({ enum: ATTRIBUTE_TYPES }) @IsIn(ATTRIBUTE_TYPES) type!: AttributeType;

  @ApiPropertyOptional({ type: [String], description: 'The fixed choices of a dropdown (at least one); text attributes have none', example: ['Gold', 'Silver'] })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(200)
  @IsString({ each: true })
  @IsNotEmpty({ each: true })
  @MaxLength(200, { each: true })
  options?: string[];

  @ApiPropertyOptional({ default: true, description: 'Shown to agents' }) @IsOptional() @IsBoolean() visible?: boolean;

  @ApiPropertyOptional({ minimum: 0, description: 'Display order; default: after the last one' }) @IsOptional() @IsInt() @Min(0) position?: number;
}

export class UpdateContactAttributeDto {
  @ApiPropertyOptional({ maxLength: 200 }) @IsOptional() @IsString() @IsNotEmpty() @MaxLength(200) label?: string;

  @ApiPropertyOptional({ type: [String], description: 'Replaces the choices of a dropdown' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(200)
  @IsString({ each: true })
  @IsNotEmpty({ each: true })
  @MaxLength(200, { each: true })
  options?: string[];

  @ApiPropertyOptional({ description: 'Shown to agents' }) @IsOptional() @IsBoolean() visible?: boolean;

  @ApiPropertyOptional({ minimum: 0 }) @IsOptional() @IsInt() @Min(0) position?: number;
}

export class ReorderContactAttributesDto {
  @ApiProperty({
    type: [String],
    description: 'Definition ids in the new order; they take positions 0..n-1, definitions not listed follow in their current order',
  })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(500)
  @IsUUID('all', { each: true })
  ids!: string[];
}

export class ContactAttributeView {
  @ApiProperty() id!: string;
  @ApiProperty() key!: string;
  @ApiProperty() label!: string;
  @ApiProperty({ enum: ATTRIBUTE_TYPES }) type!: AttributeType;
  @ApiProperty({ type: [String] }) options!: string[];
  @ApiProperty() visible!: boolean;
  @ApiProperty() position!: number;
  @ApiProperty() createdAt!: string;

  static of(d: ContactAttributeDefinition): ContactAttributeView {
    return {
      id: d.id,
      key: d.key,
      label: d.label,
      type: d.type,
      options: d.options,
      visible: d.visible,
      position: d.position,
      createdAt: d.createdAt.toISOString(),
    };
  }
}
