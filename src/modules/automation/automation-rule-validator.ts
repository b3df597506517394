import { EntityManager } from '@mikro-orm/postgresql';
import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, type ServiceConfig } from '../../config/config';
import { DomainError, type FieldProblem } from '../../common/domain-error';
import { Account } from '../accounts/account.entity';
import type { Actor } from '../auth/actor';
import { ContactAttributeDefinition } from '../contacts/contact.entity';
import { Inbox } from '../inboxes/inbox.entity';
import { conditionAttributePaths } from '../routing/condition-catalog';
import { loadConditionContext } from '../routing/condition-context';
import type { ConditionNode } from '../routing/conditions';
import { VariablesService } from '../variables/variables.service';
import type { RuleAction, RuleTrigger } from './automation-rule.types';
import { checkRuleDefinition, validationFailed } from './rule-validation';

/** A rule's definition as a create, an update (merged with the stored rule) or a test sends it. */
export interface RuleDraft {
  /** The inbox the rule is limited to; null: account-wide. Checked by the caller (access). */
  inboxId: string | null;
  trigger: unknown;
  conditions?: unknown;
  actions: unknown;
}

export interface ValidatedRule {
  trigger: RuleTrigger;
  conditions: ConditionNode;
  actions: RuleAction[];
}

export interface ValidateRuleOptions {
  /**
   * What the request writes (an update): only those parts are checked for what their author may use
   * (hidden attributes in conditions, variables in texts). Everything else is re-checked in full.
   * Default: both.
   */
  authored?: { conditions: boolean; actions: boolean };
}

/**
 * Checks a rule before it is stored or tested, and answers it normalised: the pure checks of
 * rule-validation.ts against the account's attribute definitions, then what needs the database:
 *  - assign_agent: an active user of the account who is a member of the rule's inbox (routing assigns
 *    members only); for an account-wide rule a member of every inbox of the account, since the rule
 *    assigns in every inbox;
 *  - assign_team: a team of the account;
 *  - send_saved_reply: an inbox or team reply of the account (a personal reply is its owner's); an inbox
 *    reply of the rule's own inbox for a limited rule; its text may name only variables the author may
 *    use (a reply an administrator wrote can name hidden attributes);
 *  - move_to_inbox: another inbox of the account, of the same channel as the rule's inbox, one the
 *    author is a member of, with moving between inboxes turned on for the account;
 *  - send_message / add_note: every variable known to the author (VariablesService.assertTemplate with
 *    the author as viewer: managers cannot name hidden attributes, like saved replies);
 *  - conditions written by a non-administrator may not read hidden contact attributes.
 * A target of another account is "not found in your account" (400 naming the field), as for any
 * other unknown id. Every problem is listed in one 400.
 */
@Injectable()
export class AutomationRuleValidator {
  constructor(
    private readonly variables: VariablesService,
    @Inject(APP_CONFIG) private readonly config: ServiceConfig,
  ) {}

  async validate(em: EntityManager, actor: Actor, draft: RuleDraft, opts: ValidateRuleOptions = {}): Promise<ValidatedRule> {
    const authored = opts.authored ?? { conditions: true, actions: true };
    const hidden = actor.isAdmin
      ? new Set<string>()
      : new Set((await em.find(ContactAttributeDefinition, { account: actor.accountId, visible: false }, { fields: ['key'] })).map((d) => d.key));
    const conditionContext = await loadConditionContext(em, { accountId: actor.accountId, attributePaths: conditionAttributePaths(draft.conditions), scope: 'automation' });
    const { problems, rule } = checkRuleDefinition(draft, {
      minDurationSeconds: this.config.automation.minDurationSeconds,
      conditionContext,
      hiddenAttributeKeys: hidden,
      checkHiddenAttributes: authored.conditions,
    });
    const scope = draft.inboxId ? await em.findOne(Inbox, { id: draft.inboxId, account: actor.accountId }) : null;
    for (const [index, action] of rule.actions.entries()) {
      if (action) problems.push(...(await this.targetProblems(em, actor, action, `actions.${index}`, scope, authored.actions)));
    }
    if (problems.length) throw validationFailed(problems);
    return { trigger: rule.trigger, conditions: rule.conditions, actions: rule.actions as RuleAction[] };
  }

  private async targetProblems(em: EntityManager, actor: Actor, action: RuleAction, field: string, scope: Inbox | null, authored: boolean): Promise<FieldProblem[]> {
    const problem = (f: string, p: string): FieldProblem[] => [{ field: `${field}.${f}`, problem: p }];
    const accountId = actor.accountId;
    switch (action.type) {
      case 'assign_agent': {
        const [user] = await em.execute<{ id: string; name: string; disabled_at: Date | null }[]>(`select id, name, disabled_at from users where id = ? and account_id = ?`, [action.userId, accountId]);
        if (!user) return problem('userId', `no user ${action.userId} in your account`);
        if (user.disabled_at) return problem('userId', `${user.name} is disabled`);
        const missing = await em.execute<{ id: string; name: string }[]>(
          `select i.id, i.name from inboxes i
            where i.account_id = ? ${scope ? 'and i.id = ?' : ''}
              and not exists (select 1 from inbox_memberships m where m.inbox_id = i.id and m.user_id = ?)
            order by i.name limit 6`,
          scope ? [accountId, scope.id, user.id] : [accountId, user.id],
        );
        if (missing.length === 0) return [];
        if (scope) return problem('userId', `${user.name} is not a member of inbox "${scope.name}": routing assigns its members only`);
        const names = missing.slice(0, 5).map((i) => `"${i.name}"`).join(', ') + (missing.length > 5 ? ', …' : '');
        return problem('userId', `${user.name} is not a member of ${names}: an account-wide rule assigns in every inbox (limit the rule to an inbox with inboxId, or add the agent to those inboxes)`);
      }
      case 'assign_team': {
        const [team] = await em.execute<{ id: string }[]>(`select id from teams where id = ? and account_id = ?`, [action.teamId, accountId]);
        return team ? [] : problem('teamId', `no team ${action.teamId} in your account`);
      }
      case 'send_saved_reply': {
        const [reply] = await em.execute<{ id: string; scope: string; scope_id: string; content: string; shortcut: string; created_by_user_id: string }[]>(
          `select id, scope, scope_id, content, shortcut, created_by_user_id from saved_replies where id = ? and account_id = ?`,
          [action.savedReplyId, accountId],
        );
        // Someone else's personal reply does not exist for the caller (as in the saved replies API).
        if (!reply || (reply.scope === 'personal' && reply.scope_id !== actor.userId)) return problem('savedReplyId', `no saved reply ${action.savedReplyId} in your account`);
        if (reply.scope === 'personal') return problem('savedReplyId', `"${reply.shortcut}" is your personal saved reply: a rule sends inbox or team replies (share it first)`);
        if (reply.scope === 'inbox' && scope && reply.scope_id !== scope.id) return problem('savedReplyId', `"${reply.shortcut}" is a saved reply of another inbox; this rule runs in inbox "${scope.name}"`);
        if (!actor.isAdmin && reply.scope === 'team') {
          const [member] = await em.execute(`select 1 from team_members where team_id = ? and user_id = ?`, [reply.scope_id, actor.userId]);
          if (!member) return problem('savedReplyId', `"${reply.shortcut}" is a saved reply of a team you are not a member of`);
        }
        if (!actor.isAdmin && reply.scope === 'inbox') {
          const [member] = await em.execute(`select 1 from inbox_memberships where inbox_id = ? and user_id = ?`, [reply.scope_id, actor.userId]);
          if (!member) return problem('savedReplyId', `"${reply.shortcut}" is a saved reply of an inbox you are not a member of`);
        }
        return authored ? this.templateProblems(em, actor, `${field}.savedReplyId`, reply.content, `saved reply "${reply.shortcut}": `) : [];
      }
      case 'move_to_inbox': {
        const target = await em.findOne(Inbox, { id: action.inboxId, account: accountId });
        if (!target) return problem('inboxId', `no inbox ${action.inboxId} in your account`);
        if (scope && target.id === scope.id) return problem('inboxId', `is the inbox this rule is limited to: its conversations are there already`);
        if (scope && target.channelType !== scope.channelType) {
          return problem('inboxId', `inbox "${target.name}" is a ${target.channelType} inbox; conversations of "${scope.name}" (${scope.channelType}) can only move to another ${scope.channelType} inbox`);
        }
        const account = await em.findOne(Account, { id: accountId });
        if (!account?.settings?.allowMoveBetweenInboxes) return problem('inboxId', 'moving conversations between inboxes is off for your account (an administrator can turn on the account setting allowMoveBetweenInboxes)');
        if (!actor.isAdmin) {
          const [member] = await em.execute(`select 1 from inbox_memberships where inbox_id = ? and user_id = ?`, [target.id, actor.userId]);
          if (!member) return problem('inboxId', `you are not a member of inbox "${target.name}"`);
        }
        return [];
      }
      case 'send_message':
      case 'add_note':
        return authored ? this.templateProblems(em, actor, `${field}.content`, action.content!) : [];
      default:
        return [];
    }
  }

  /** The template's unknown variables (to the author) as field problems. */
  private async templateProblems(em: EntityManager, actor: Actor, field: string, text: string, prefix = ''): Promise<FieldProblem[]> {
    try {
      await this.variables.assertTemplate(em, actor, field, text);
      return [];
    } catch (err) {
      if (err instanceof DomainError && err.code === 'VALIDATION_FAILED') return err.details.map((d) => ({ field: d.field, problem: `${prefix}${d.problem}` }));
      throw err;
    }
  }
}
