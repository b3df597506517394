import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { isDeepStrictEqual } from 'node:util';
import { DomainError } from '../../../common/domain-error';
import type { Actor } from '../../auth/actor';
import { AutomationRuleAccess } from '../automation-rule-access';
import { Inbox } from '../../inboxes/inbox.entity';
import { isTimeTrigger } from '../automation-rule.types';
import { AutomationRuleValidator } from '../automation-rule-validator';
import { orderedRuleIds } from '../rule-order';
import { RuleTimerRefresh } from '../rule-timer-refresh';
import type { ListedRule } from './list-automation-rules.use-case';

export interface UpdateAutomationRuleInput {
  actor: Actor;
  ruleId: string;
  name?: string;
  description?: string | null;
  inboxId?: string | null;
  enabled?: boolean;
  stopProcessing?: boolean;
  allowChaining?: boolean;
  trigger?: unknown;
  conditions?: unknown;
  actions?: unknown;
  /** The version the caller edited: 409 when the rule changed since. */
  expectedVersion?: number;
}

const FIELDS = ['name', 'description', 'enabled', 'stopProcessing', 'allowChaining', 'trigger', 'conditions', 'actions'] as const;

/**
 * Changes any field of a rule, enabled / disabled included, and bumps its version when anything
 * changed (a request that changes nothing leaves the version as it is). The rule as it would be is
 * checked in full (a changed trigger may no longer fit the stored conditions), what the request
 * itself writes also for what its author may use. Moving it to another scope needs the right to edit
 * rules in both. Done under the rule's row lock, so two edits never lose one another's version bump;
 * `expectedVersion` turns a stale edit into a 409. A time-based rule that is enabled after the change
 * reaches the running conversations of its scope at once (RuleTimerRefresh).
 */
@Injectable()
export class UpdateAutomationRuleUseCase {
  constructor(
    private readonly em: EntityManager,
    private readonly rules: AutomationRuleAccess,
    private readonly validator: AutomationRuleValidator,
    private readonly timers: RuleTimerRefresh,
  ) {}

  async execute(input: UpdateAutomationRuleInput): Promise<ListedRule> {
    const { actor } = input;
    const { rule, changed } = await this.em.fork().transactional(async (tx) => {
      const rule = await this.rules.find(tx, actor, input.ruleId, { lock: true });
      const scope = rule.inbox?.id ?? null;
      await this.rules.requireEditor(tx, actor, scope, 'changing automation rules');
      const nextScope = input.inboxId === undefined ? scope : input.inboxId;
      if (nextScope !== scope) await this.rules.requireEditor(tx, actor, nextScope, 'moving automation rules to another inbox');
      if (input.expectedVersion !== undefined && input.expectedVersion !== rule.version) {
        throw new DomainError('CONFLICT', `expectedVersion: the rule is at version ${rule.version} now (you edited version ${input.expectedVersion}); reload it and edit again`, [
          { field: 'expectedVersion', problem: `the rule changed since: it is at version ${rule.version}` },
        ]);
      }
      const checked = await this.validator.validate(
        tx,
        actor,
        {
          inboxId: nextScope,
          trigger: input.trigger ?? rule.trigger,
          conditions: input.conditions ?? rule.conditions,
          actions: input.actions ?? rule.actions,
        },
        { authored: { conditions: input.conditions !== undefined, actions: input.actions !== undefined } },
      );
      const next = {
        name: input.name ?? rule.name,
        description: input.description === undefined ? rule.description : input.description,
        enabled: input.enabled ?? rule.enabled,
        stopProcessing: input.stopProcessing ?? rule.stopProcessing,
        allowChaining: input.allowChaining ?? rule.allowChaining,
        trigger: checked.trigger,
        conditions: checked.conditions as unknown as Record<string, unknown>,
        actions: checked.actions,
      };
      const changed = nextScope !== scope || FIELDS.some((f) => !isDeepStrictEqual(toPlain(next[f]), toPlain(rule[f])));
      if (changed) {
        Object.assign(rule, next);
        rule.inbox = nextScope === null ? null : tx.getReference(Inbox, nextScope, { wrapped: true });
        rule.version += 1;
        rule.updatedByUserId = actor.userId;
      }
      return { rule, changed };
    });
    if (changed && rule.enabled && isTimeTrigger(rule.trigger)) {
      void this.timers.schedule({ accountId: actor.accountId, inboxId: rule.inbox?.id ?? null, reason: `automation rules changed: rule "${rule.name}" (v${rule.version}) saved` });
    }
    const em = this.em.fork();
    const position = (await orderedRuleIds(em, actor.accountId)).indexOf(rule.id);
    return { rule, position, canEdit: true };
  }
}

/** JSON as stored (drops undefined keys), so a stored value and the same value sent again compare equal. */
const toPlain = (v: unknown): unknown => (v === undefined ? undefined : JSON.parse(JSON.stringify(v)));
