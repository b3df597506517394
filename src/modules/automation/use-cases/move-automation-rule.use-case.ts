import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import type { Actor } from '../../auth/actor';
import { AutomationRuleAccess } from '../automation-rule-access';
import { lockAccountRules, moveTo, orderedRuleIds, writeOrder } from '../rule-order';
import { ListAutomationRulesUseCase, type ListedRule } from './list-automation-rules.use-case';

export interface MoveAutomationRuleInput {
  actor: Actor;
  ruleId: string;
  /** The new place among all the account's rules (beyond the end: last). */
  position: number;
}

/**
 * Moves one rule to another place in the account's order (editors of its scope: managers move the
 * rules of their inboxes, also past account-wide ones, which only changes what runs on their own
 * inbox). One transaction under the account's rules lock: concurrent moves apply one after the
 * other and the positions stay 0..n-1. Versions do not change: the order is the list's, not the
 * rule's (an evaluation skipped because an earlier rule stopped processing names that rule).
 * Answers the caller's list in the new order.
 */
@Injectable()
export class MoveAutomationRuleUseCase {
  constructor(
    private readonly em: EntityManager,
    private readonly rules: AutomationRuleAccess,
    private readonly list: ListAutomationRulesUseCase,
  ) {}

  async execute(input: MoveAutomationRuleInput): Promise<ListedRule[]> {
    const { actor } = input;
    await this.em.fork().transactional(async (tx) => {
      await lockAccountRules(tx, actor.accountId);
      const rule = await this.rules.find(tx, actor, input.ruleId);
      await this.rules.requireEditor(tx, actor, rule.inbox?.id ?? null, 'moving automation rules');
      await writeOrder(tx, actor.accountId, moveTo(await orderedRuleIds(tx, actor.accountId), rule.id, input.position));
    });
    return this.list.execute({ actor });
  }
}
