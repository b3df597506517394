import { EntityManager } from '@mikro-orm/postgresql';
import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, type ServiceConfig } from '../../../config/config';
import type { Actor } from '../../auth/actor';
import { ATTRIBUTE_CATALOG, type CatalogAttribute, lookupAttribute, operatorsForAttribute } from '../../routing/condition-catalog';
import { CONDITION_OPERATORS, MAX_GROUP_DEPTH } from '../../routing/conditions';
import { ACTION_TYPES, EVENT_TRIGGERS, TIME_TRIGGERS } from '../automation-rule.types';
import type { CatalogAttributeView, ConditionCatalogView } from '../dto/condition-catalog.dto';

const WEEKDAY_VALUES = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];

function viewOf(a: CatalogAttribute): CatalogAttributeView {
  const t = a.type;
  return {
    path: a.path,
    kind: t.kind,
    description: a.description,
    operators: [...operatorsForAttribute(a)],
    routing: a.routing,
    ...(t.kind === 'enum' ? { values: [...t.values] } : {}),
    ...(t.kind === 'weekday' ? { values: WEEKDAY_VALUES } : {}),
    ...(t.kind === 'number' ? { ...(t.min !== undefined ? { min: t.min } : {}), ...(t.max !== undefined ? { max: t.max } : {}), ...(t.integer ? { integer: true } : {}) } : {}),
  };
}

/**
 * What a rule builder needs to offer only what the rules API accepts: the attribute catalog of the
 * condition language with each attribute's type and fitting operators, the account's custom contact
 * attributes (hidden ones for administrators only), the triggers and the action types.
 */
@Injectable()
export class GetConditionCatalogUseCase {
  constructor(
    private readonly em: EntityManager,
    @Inject(APP_CONFIG) private readonly config: ServiceConfig,
  ) {}

  async execute(input: { actor: Actor }): Promise<ConditionCatalogView> {
    const { actor } = input;
    const defs = await this.em.fork().execute<{ key: string; type: 'text' | 'dropdown'; options: string[] | null }[]>(
      `select key, type, options from contact_attribute_definitions where account_id = ? and (visible or ?) order by position, created_at, id`,
      [actor.accountId, actor.isAdmin],
    );
    const ctx = { attributeDefinitions: defs.map((d) => ({ key: d.key, type: d.type, options: d.options ?? [] })) };
    const custom = defs.map((d) => lookupAttribute(`contact.attributes.${d.key}`, ctx)).filter((a): a is CatalogAttribute => a !== null);
    return {
      attributes: [...ATTRIBUTE_CATALOG, ...custom].map(viewOf),
      operators: [...CONDITION_OPERATORS],
      eventTriggers: [...EVENT_TRIGGERS],
      timeTriggers: [...TIME_TRIGGERS],
      actionTypes: [...ACTION_TYPES],
      maxGroupDepth: MAX_GROUP_DEPTH,
      minTriggerMinutes: this.config.automation.minDurationSeconds / 60,
    };
  }
}
