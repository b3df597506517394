import { DomainError } from '../../common/domain-error';

export const TAG_MAX_LENGTH = 50;
export const TAGS_PER_CONVERSATION = 50;

/**
 * Tags are stored trimmed, lower-cased, inner whitespace collapsed to one space, without
 * duplicates; each must have 1..50 characters. Problems name the element, e.g. `tags[2]`.
 */
export function normaliseTags(tags: string[], field = 'tags'): string[] {
  const out: string[] = [];
  tags.forEach((raw, i) => {
    const tag = raw.trim().replace(/\s+/g, ' ').toLowerCase();
    if (!tag) throw DomainError.invalid(`${field}[${i}]`, 'must not be empty');
    if (tag.length > TAG_MAX_LENGTH) throw DomainError.invalid(`${field}[${i}]`, `must be at most ${TAG_MAX_LENGTH} characters`);
    if (!out.includes(tag)) out.push(tag);
  });
  return out;
}

export function normaliseTag(raw: string, field = 'tag'): string {
  const tag = raw.trim().replace(/\s+/g, ' ').toLowerCase();
  if (!tag) throw DomainError.invalid(field, 'must not be empty');
  if (tag.length > TAG_MAX_LENGTH) throw DomainError.invalid(field, `must be at most ${TAG_MAX_LENGTH} characters`);
  return tag;
}
