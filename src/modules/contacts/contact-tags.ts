import type { Platform, TransformContext } from '@mikro-orm/core';
import { ArrayType } from '@mikro-orm/core';
import { applyDecorators } from '@nestjs/common';
import { ArrayMaxSize, IsArray, IsOptional, IsString, MaxLength } from 'class-validator';
import { DomainError } from '../../common/domain-error';
import { pgArrayLiteral } from '../../common/pg-array';
import { normaliseTag, normaliseTags, TAG_MAX_LENGTH, TAGS_PER_CONVERSATION } from '../conversations/tags';

/**
 * Contact tags follow the conversation tag rules (conversations/tags.ts): trimmed, lower-cased, inner
 * whitespace collapsed, no duplicates, 1..50 characters each, at most 50 per contact.
 */
export const TAGS_PER_CONTACT = TAGS_PER_CONVERSATION;
export const CONTACT_TAG_RULE = `Trimmed and lower-cased; at most ${TAGS_PER_CONTACT} tags of ${TAG_MAX_LENGTH} characters`;

/** Validation of an optional tag list field in a DTO (the use case then normalises it with normaliseContactTags). */
export const ContactTagsField = () => applyDecorators(IsOptional(), IsArray(), ArrayMaxSize(TAGS_PER_CONTACT), IsString({ each: true }), MaxLength(200, { each: true }));

/** The normalised set; problems name `field` (or `field[i]` for one element). */
export function normaliseContactTags(tags: string[], field = 'tags'): string[] {
  const out = normaliseTags(tags, field);
  if (out.length > TAGS_PER_CONTACT) throw DomainError.invalid(field, `at most ${TAGS_PER_CONTACT} tags`);
  return out;
}

/** One tag (a list filter); problems name `field`. */
export function normaliseContactTag(tag: string, field = 'tag'): string {
  return normaliseTag(tag, field);
}

/** text[] column; unlike the stock ArrayType it quotes every element (an unquoted `null` would be NULL). */
export class TextArrayType extends ArrayType<string> {
  override convertToDatabaseValue(value: string[] | null, platform: Platform, context?: TransformContext): string | null {
    if (Array.isArray(value)) return pgArrayLiteral(value);
    return super.convertToDatabaseValue(value, platform, context);
  }
}
