import type { EntityManager } from '@mikro-orm/postgresql';
import { pgArrayLiteral } from '../../common/pg-array';
import type { ConditionContext, ConditionScope } from './condition-catalog';

const CUSTOM_PREFIX = 'contact.attributes.';

/**
 * What the attribute catalog needs to know of one account to validate conditions: its custom contact
 * attribute definitions (they type `contact.attributes.<key>`), and of the other `contact.attributes.<key>`
 * the conditions name, those that are platform attributes (from channel metadata) some contact of the
 * account holds. Platform keys are not declared anywhere, so only keys the conditions name and no
 * definition has are looked up, each stopping at its first contact.
 */
export async function loadConditionContext(
  em: EntityManager,
  input: { accountId: string; attributePaths: readonly string[]; scope?: ConditionScope },
): Promise<ConditionContext> {
  const definitions = await em.execute<{ key: string; type: 'text' | 'dropdown'; options: string[] | null }[]>(
    `select key, type, options from contact_attribute_definitions where account_id = ? order by position, created_at, id`,
    [input.accountId],
  );
  const defined = new Set(definitions.map((d) => d.key));
  const undefinedKeys = [
    ...new Set(input.attributePaths.filter((p) => p.startsWith(CUSTOM_PREFIX)).map((p) => p.slice(CUSTOM_PREFIX.length)).filter((k) => k !== '' && !defined.has(k))),
  ];
  const platform = undefinedKeys.length
    ? await em.execute<{ key: string }[]>(
        `select u.key from unnest(?::text[]) as u(key)
          where exists (select 1 from contacts c where c.account_id = ? and (c.platform_attributes -> u.key) is not null)`,
        [pgArrayLiteral(undefinedKeys), input.accountId],
      )
    : [];
  return {
    attributeDefinitions: definitions.map((d) => ({ key: d.key, type: d.type, options: d.options ?? [] })),
    platformAttributeKeys: platform.map((p) => p.key),
    ...(input.scope ? { scope: input.scope } : {}),
  };
}
