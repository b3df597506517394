import { LockMode } from '@mikro-orm/core';
import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { DomainError } from '../../common/domain-error';
import { AccessPolicy } from '../auth/access-policy';
import type { Actor } from '../auth/actor';
import { InboxMembership } from '../inboxes/inbox-membership.entity';
import { AutomationRule } from './automation-rule.entity';

/**
 * Who may do what with automation rules:
 *  - administrators: every rule of their account;
 *  - managers of inbox X: create, read, change, move and delete the rules limited to X; read (not
 *    change) the account-wide rules, because those run on X's conversations too, in the same order,
 *    and their "stop processing" decides whether X's rules run at all;
 *  - everyone else (team members, users without a manager role): 403;
 *  - a rule of another account does not exist for the caller (404).
 * Rules limited to an inbox the caller does not manage answer 403 (the inbox is the caller's
 * account's, so its existence is no secret).
 */
@Injectable()
export class AutomationRuleAccess {
  constructor(private readonly access: AccessPolicy) {}

  /** The rule of the caller's account, 404 otherwise. */
  async find(em: EntityManager, actor: Actor, id: string, opts: { lock?: boolean } = {}): Promise<AutomationRule> {
    const rule = await em.findOne(AutomationRule, { id, account: actor.accountId }, opts.lock ? { lockMode: LockMode.PESSIMISTIC_WRITE } : {});
    if (!rule) throw DomainError.notFound('automation rule', id);
    return rule;
  }

  /** Ids of the inboxes the caller manages ('all' for administrators). */
  async managedInboxIds(em: EntityManager, actor: Actor): Promise<string[] | 'all'> {
    if (actor.isAdmin) return 'all';
    const rows = await em.find(InboxMembership, { user: actor.userId, role: 'manager' }, { fields: ['inbox'] });
    return rows.map((m) => m.inbox.id);
  }

  /** 403 unless the caller is an administrator or manages some inbox; answers what they manage. */
  async requireRulesUser(em: EntityManager, actor: Actor, action: string): Promise<string[] | 'all'> {
    const managed = await this.managedInboxIds(em, actor);
    if (managed !== 'all' && managed.length === 0) {
      throw new DomainError('FORBIDDEN', `${action} needs the manager role in an inbox or the account administrator role`);
    }
    return managed;
  }

  async requireReader(em: EntityManager, actor: Actor, rule: AutomationRule, action = 'reading automation rules'): Promise<void> {
    if (actor.isAdmin) return;
    if (rule.inbox) await this.access.requireManager(actor, rule.inbox.id, action, em);
    else await this.requireRulesUser(em, actor, action);
  }

  /** Changing rules scoped to `inboxId` needs its manager role; account-wide rules (null) the administrator role. */
  async requireEditor(em: EntityManager, actor: Actor, inboxId: string | null, action: string): Promise<void> {
    if (inboxId === null) this.access.requireAdmin(actor, `${action} for every inbox (an account-wide rule, inboxId null)`);
    else await this.access.requireManager(actor, inboxId, action, em);
  }

  /** Whether the caller may change the rule (canEdit in views). */
  canEdit(actor: Actor, managed: string[] | 'all', rule: Pick<AutomationRule, 'inbox'>): boolean {
    if (managed === 'all') return true;
    return rule.inbox !== null && managed.includes(rule.inbox.id);
  }
}
