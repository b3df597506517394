import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import type { Actor } from '../../auth/actor';
import { AutomationRuleAccess } from '../automation-rule-access';
import { lockAccountRules, orderedRuleIds, writeOrder } from '../rule-order';

export interface DeleteAutomationRuleInput {
  actor: Actor;
  ruleId: string;
}

/**
 * Deletes a rule (editors of its scope) and closes the gap in the order, under the account's rules
 * lock. Its firing log and evaluations stay (they name the rule by id and by name). Conversations
 * with a timer of it armed find no rule when it comes due, which fires nothing.
 */
@Injectable()
export class DeleteAutomationRuleUseCase {
  constructor(
    private readonly em: EntityManager,
    private readonly rules: AutomationRuleAccess,
  ) {}

  async execute(input: DeleteAutomationRuleInput): Promise<void> {
    const { actor } = input;
    await this.em.fork().transactional(async (tx) => {
      await lockAccountRules(tx, actor.accountId);
      const rule = await this.rules.find(tx, actor, input.ruleId);
      await this.rules.requireEditor(tx, actor, rule.inbox?.id ?? null, 'deleting automation rules');
      await tx.execute(`delete from automation_rules where id = ?`, [rule.id]);
      await writeOrder(tx, actor.accountId, await orderedRuleIds(tx, actor.accountId));
    });
  }
}
