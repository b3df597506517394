import { DomainError } from '../../common/domain-error';
import type { ContactAttributeDefinition } from './contact.entity';

export const TEXT_ATTRIBUTE_MAX_LENGTH = 1000;

/**
 * Applies `changes` (key -> value, null removes) to `current`, checking each against the account's
 * definitions: the key must be defined, a dropdown value must be one of its options, a text value at
 * most TEXT_ATTRIBUTE_MAX_LENGTH characters. Agents (canSeeHidden false) may not touch hidden ones.
 */
export function applyAttributeValues(
  current: Record<string, string>,
  changes: Record<string, unknown>,
  definitions: ContactAttributeDefinition[],
  canSeeHidden: boolean,
): Record<string, string> {
  const byKey = new Map(definitions.map((d) => [d.key, d]));
  const next = { ...current };
  for (const [key, value] of Object.entries(changes)) {
    const field = `attributes.${key}`;
    const def = byKey.get(key);
    if (!def || (!def.visible && !canSeeHidden)) {
      const known = definitions.filter((d) => d.visible || canSeeHidden).map((d) => d.key);
      throw DomainError.invalid(field, `is not a custom attribute of this account (known: ${known.length ? known.join(', ') : 'none'})`);
    }
    if (value === null) {
      delete next[key];
      continue;
    }
    if (typeof value !== 'string') throw DomainError.invalid(field, 'must be a string or null');
    if (def.type === 'dropdown') {
      if (!def.options.includes(value)) throw DomainError.invalid(field, `must be one of: ${def.options.join(', ')}`);
    } else if (value.length > TEXT_ATTRIBUTE_MAX_LENGTH) {
      throw DomainError.invalid(field, `must be at most ${TEXT_ATTRIBUTE_MAX_LENGTH} characters`);
    }
    next[key] = value;
  }
  return next;
}
