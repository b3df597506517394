import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { DomainError } from '../../../common/domain-error';
import type { Actor } from '../../auth/actor';
import { AutomationRuleAccess } from '../automation-rule-access';
import { AutomationRule } from '../automation-rule.entity';
import { isTimeTrigger } from '../automation-rule.types';
import { AutomationRuleValidator } from '../automation-rule-validator';
import { MAX_RULES_PER_ACCOUNT } from '../dto/automation-rule.dto';
import { lockAccountRules, moveTo, orderedRuleIds, writeOrder } from '../rule-order';
import { RuleTimerRefresh } from '../rule-timer-refresh';
import type { ListedRule } from './list-automation-rules.use-case';

export interface CreateAutomationRuleInput {
  actor: Actor;
  name: string;
  description?: string | null;
  inboxId?: string | null;
  enabled?: boolean;
  stopProcessing?: boolean;
  allowChaining?: boolean;
  /** Place among the account's rules; absent: last. */
  position?: number;
  trigger: unknown;
  conditions?: unknown;
  actions: unknown;
}

/**
 * Creates a rule (version 1, disabled unless `enabled: true`): limited to an inbox by its managers
 * (and administrators), account-wide by administrators. Checked in full first (every problem in one
 * 400), then inserted at its place under the account's rules lock, the others moved down. A created
 * enabled time-based rule reaches the running conversations of its scope at once (RuleTimerRefresh).
 */
@Injectable()
export class CreateAutomationRuleUseCase {
  constructor(
    private readonly em: EntityManager,
    private readonly rules: AutomationRuleAccess,
    private readonly validator: AutomationRuleValidator,
    private readonly timers: RuleTimerRefresh,
  ) {}

  async execute(input: CreateAutomationRuleInput): Promise<ListedRule> {
    const { actor } = input;
    const inboxId = input.inboxId ?? null;
    const em = this.em.fork();
    await this.rules.requireEditor(em, actor, inboxId, 'creating automation rules');
    const checked = await this.validator.validate(em, actor, { inboxId, trigger: input.trigger, conditions: input.conditions, actions: input.actions });
    const created = await em.transactional(async (tx) => {
      await lockAccountRules(tx, actor.accountId);
      const ids = await orderedRuleIds(tx, actor.accountId);
      if (ids.length >= MAX_RULES_PER_ACCOUNT) {
        throw new DomainError('CONFLICT', `your account has ${ids.length} automation rules, the most it may have (${MAX_RULES_PER_ACCOUNT}): delete one first`);
      }
      const rule = tx.create(AutomationRule, {
        account: actor.accountId,
        inbox: inboxId,
        name: input.name,
        description: input.description ?? null,
        enabled: input.enabled ?? false,
        stopProcessing: input.stopProcessing ?? false,
        allowChaining: input.allowChaining ?? false,
        position: ids.length,
        trigger: checked.trigger,
        conditions: checked.conditions as unknown as Record<string, unknown>,
        actions: checked.actions,
        createdByUserId: actor.userId,
        updatedByUserId: actor.userId,
      });
      const order = moveTo([...ids, rule.id], rule.id, input.position ?? ids.length);
      rule.position = order.indexOf(rule.id);
      // The new row is not there yet: this moves the others; the flush inserts it at its place.
      await writeOrder(tx, actor.accountId, order);
      await tx.flush();
      return { rule, position: rule.position };
    });
    if (created.rule.enabled && isTimeTrigger(created.rule.trigger)) {
      void this.timers.schedule({ accountId: actor.accountId, inboxId, reason: `automation rules changed: rule "${created.rule.name}" (v1) created` });
    }
    return { ...created, canEdit: true };
  }
}
