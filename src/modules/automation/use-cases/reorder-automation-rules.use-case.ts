import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { DomainError } from '../../../common/domain-error';
import { AccessPolicy } from '../../auth/access-policy';
import type { Actor } from '../../auth/actor';
import { lockAccountRules, orderedRuleIds, writeOrder } from '../rule-order';
import { ListAutomationRulesUseCase, type ListedRule } from './list-automation-rules.use-case';

export interface ReorderAutomationRulesInput {
  actor: Actor;
  /** Every rule of the account, each once, in the new order. */
  ids: string[];
}

/**
 * Puts every rule of the account in the given order (administrators: it moves rules of every inbox;
 * managers move their own rules one at a time with POST /automation-rules/:id/move). The list must
 * hold each rule of the account exactly once: an id of no rule of the account is 404, a rule left
 * out 400 naming it. Under the account's rules lock, in one transaction.
 */
@Injectable()
export class ReorderAutomationRulesUseCase {
  constructor(
    private readonly em: EntityManager,
    private readonly access: AccessPolicy,
    private readonly list: ListAutomationRulesUseCase,
  ) {}

  async execute(input: ReorderAutomationRulesInput): Promise<ListedRule[]> {
    const { actor } = input;
    this.access.requireAdmin(actor, 'reordering all automation rules');
    const ids = input.ids.map((id) => id.toLowerCase());
    if (new Set(ids).size !== ids.length) throw DomainError.invalid('ids', 'must list each rule once');
    await this.em.fork().transactional(async (tx) => {
      await lockAccountRules(tx, actor.accountId);
      const current = await orderedRuleIds(tx, actor.accountId);
      const unknown = ids.find((id) => !current.includes(id));
      if (unknown) throw DomainError.notFound('automation rule', unknown);
      const missing = current.filter((id) => !ids.includes(id));
      if (missing.length) {
        throw DomainError.invalid('ids', `must list every rule of your account once; missing ${missing.length}: ${missing.slice(0, 10).join(', ')}${missing.length > 10 ? ', …' : ''}`);
      }
      await writeOrder(tx, actor.accountId, ids);
    });
    return this.list.execute({ actor });
  }
}
