import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { AccessPolicy } from '../../auth/access-policy';
import type { Actor } from '../../auth/actor';
import { AutomationRuleAccess } from '../automation-rule-access';
import { AutomationRule } from '../automation-rule.entity';

export interface ListAutomationRulesInput {
  actor: Actor;
  /** The rules that run on this inbox's conversations: its own and the account-wide ones. */
  inboxId?: string;
}

export interface ListedRule {
  rule: AutomationRule;
  /** Place among all the account's rules (dense, the engine's order). */
  position: number;
  canEdit: boolean;
}

/**
 * The rules the caller may read, in the order the engine runs them: administrators every rule of the
 * account; managers the rules of the inboxes they manage and the account-wide ones (read-only). With
 * inboxId: the rules that run on that inbox (403 unless the caller manages it). Not paged: an account
 * holds at most MAX_RULES_PER_ACCOUNT rules.
 */
@Injectable()
export class ListAutomationRulesUseCase {
  constructor(
    private readonly em: EntityManager,
    private readonly rules: AutomationRuleAccess,
    private readonly access: AccessPolicy,
  ) {}

  async execute(input: ListAutomationRulesInput, em: EntityManager = this.em.fork()): Promise<ListedRule[]> {
    const { actor } = input;
    const managed = await this.rules.requireRulesUser(em, actor, 'reading automation rules');
    if (input.inboxId) await this.access.requireManager(actor, input.inboxId, 'reading the automation rules of an inbox', em);
    const all = await em.find(AutomationRule, { account: actor.accountId }, { orderBy: { position: 'asc', createdAt: 'asc', id: 'asc' } });
    return all
      .map((rule, position) => ({ rule, position, canEdit: this.rules.canEdit(actor, managed, rule) }))
      .filter(({ rule }) => {
        const scope = rule.inbox?.id ?? null;
        if (input.inboxId) return scope === null || scope === input.inboxId;
        return managed === 'all' || scope === null || managed.includes(scope);
      });
  }
}
