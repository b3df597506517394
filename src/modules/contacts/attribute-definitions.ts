import type { EntityManager } from '@mikro-orm/postgresql';
import { DomainError } from '../../common/domain-error';
import type { Actor } from '../auth/actor';
import { type AttributeType, ContactAttributeDefinition } from './contact.entity';

/**
 * Rules shared by the custom contact attribute use cases (create, update, delete, reorder): the display
 * order, the options a type allows, and the lookup of one definition within the caller's account.
 */

/** Display order of the definitions: position, then creation, then id (a stable order for equal positions). */
export const DEFINITION_ORDER = { position: 'asc', createdAt: 'asc', id: 'asc' } as const;

/** A dropdown has at least one option, a text attribute none; no option twice. Problems name `options`. */
export function checkAttributeOptions(type: AttributeType, options: string[]): void {
  if (type === 'dropdown' && options.length === 0) throw DomainError.invalid('options', 'a dropdown needs at least one option');
  if (type === 'text' && options.length > 0) throw DomainError.invalid('options', 'only dropdown attributes have options');
  const seen = new Set<string>();
  for (const o of options) {
    if (seen.has(o)) throw DomainError.invalid('options', `"${o}" is listed twice`);
    seen.add(o);
  }
}

/** The definition of the caller's account (404 for other accounts' and unknown ids). */
export async function findAttributeDefinition(actor: Actor, id: string, em: EntityManager): Promise<ContactAttributeDefinition> {
  const def = await em.findOne(ContactAttributeDefinition, { id, account: actor.accountId });
  if (!def) throw DomainError.notFound('contact attribute', id);
  return def;
}
