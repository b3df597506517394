/**
 * What of a rule's evaluation a caller may read. Rules evaluate every contact attribute, hidden ones
 * too, and their traces keep what they saw; for non-administrators the values of hidden contact
 * attributes are masked when read, as the timeline does (conversations/decision-visibility.ts): in
 * the trace (`actual` becomes "(hidden attribute)"), in its explanation text and in the facts.
 */
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Actor } from '../auth/actor';
import { ContactAttributeDefinition } from '../contacts/contact.entity';
import { HIDDEN_VALUE, maskTrace } from '../conversations/decision-visibility';
import type { ConditionTrace } from '../routing/conditions';

/** Keys of the account's hidden contact attributes the caller may not read (none for administrators). */
export async function hiddenKeysFor(em: EntityManager, actor: Pick<Actor, 'accountId' | 'isAdmin'>): Promise<Set<string>> {
  if (actor.isAdmin) return new Set();
  const defs = await em.find(ContactAttributeDefinition, { account: actor.accountId, visible: false }, { fields: ['key'] });
  return new Set(defs.map((d) => d.key));
}

/** A trace and the texts quoting it (explanation, verdict), masked. */
export function maskEvaluation<T extends { trace?: unknown; explanation?: string | null }>(evaluation: T, hidden: ReadonlySet<string>, extraTexts: string[] = []): { evaluation: T; texts: string[] } {
  if (hidden.size === 0 || !evaluation.trace || typeof evaluation.trace !== 'object') return { evaluation, texts: extraTexts };
  const texts = [evaluation.explanation ?? '', ...extraTexts];
  const masked = maskTrace(evaluation.trace as ConditionTrace, texts, hidden);
  return {
    evaluation: { ...evaluation, trace: masked.trace, ...(typeof evaluation.explanation === 'string' ? { explanation: masked.texts[0] } : {}) },
    texts: masked.texts.slice(1),
  };
}

/** The facts with the hidden contact attributes' values masked. */
export function maskFacts(facts: Record<string, unknown>, hidden: ReadonlySet<string>): Record<string, unknown> {
  const contact = facts.contact as { attributes?: Record<string, unknown> } | undefined;
  if (hidden.size === 0 || !contact?.attributes) return facts;
  const attributes = Object.fromEntries(Object.entries(contact.attributes).map(([k, v]) => [k, hidden.has(k) ? HIDDEN_VALUE : v]));
  return { ...facts, contact: { ...contact, attributes } };
}
