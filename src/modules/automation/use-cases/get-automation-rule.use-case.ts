import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import type { Actor } from '../../auth/actor';
import { AutomationRuleAccess } from '../automation-rule-access';
import { orderedRuleIds } from '../rule-order';
import type { ListedRule } from './list-automation-rules.use-case';

export interface GetAutomationRuleInput {
  actor: Actor;
  ruleId: string;
}

/** One rule with its place in the account's order: readers of the rule (see AutomationRuleAccess). */
@Injectable()
export class GetAutomationRuleUseCase {
  constructor(
    private readonly em: EntityManager,
    private readonly rules: AutomationRuleAccess,
  ) {}

  async execute(input: GetAutomationRuleInput, em: EntityManager = this.em.fork()): Promise<ListedRule> {
    const rule = await this.rules.find(em, input.actor, input.ruleId);
    await this.rules.requireReader(em, input.actor, rule);
    const managed = await this.rules.managedInboxIds(em, input.actor);
    const position = (await orderedRuleIds(em, input.actor.accountId)).indexOf(rule.id);
    return { rule, position, canEdit: this.rules.canEdit(input.actor, managed, rule) };
  }
}
