import type { Platform, TransformContext } from '@mikro-orm/core';
import { ArrayType } from '@mikro-orm/core';
import { DomainError } from '../../common/domain-error';
import { normaliseTag, normaliseTags, TAG_MAX_LENGTH, TAGS_PER_CONVERSATION } from '../conversations/tags';

/**
 * Contact tags follow the conversation tag rules (conversations/tags.ts): trimmed, lower-cased, inner
 * whitespace collapsed, no duplicates, 1..50 characters each, at most 50 per contact.
 */
export const TAGS_PER_CONTACT = TAGS_PER_CONVERSATION;
export const CONTACT_TAG_RULE = `Trimmed and lower-cased; at most ${TAGS_PER_CONTACT} tags of ${TAG_MAX_LENGTH} characters`;

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

/**
 * A PostgreSQL text[] literal with every element quoted, so tags such as `null`, `a,b` or `{x}` stay
 * the text they are. Bind it as `?::text[]`.
 */
export function textArrayLiteral(values: readonly string[]): string {
  return `{${values.map((v) => `"${v.replace(/["\\]/g, (c) => `\\${c}`)}"`).join(',')}}`;
}

/** text[] column; unlike the stock ArrayType it quotes every element (an unquoted `null` would be NULL). */
export class TextArrayType extends ArrayType<string> {
  override convertToDatabaseValue(value: string[] | null, platform: Platform, context?: TransformContext): string | null {
    if (Array.isArray(value)) return textArrayLiteral(value);
    return super.convertToDatabaseValue(value, platform, context);
  }
}
