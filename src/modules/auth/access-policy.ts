import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { DomainError } from '../../common/domain-error';
import { InboxMembership, type InboxRole } from '../inboxes/inbox-membership.entity';
import { Inbox } from '../inboxes/inbox.entity';
import type { Actor } from './actor';

export type EffectiveRole = InboxRole | 'admin';

/**
 * Who may do what, in one place:
 *  - anything of another account does not exist for the caller (404);
 *  - inboxes the caller is not a member of answer 403 (admins are members of every inbox);
 *  - manager-only actions answer 403 to team members;
 *  - tokens and credentials are managed from a login session, never with an API token (403).
 */
@Injectable()
export class AccessPolicy {
  constructor(private readonly em: EntityManager) {}

  requireAdmin(actor: Actor, action: string): void {
    if (!actor.isAdmin) throw new DomainError('FORBIDDEN', `${action} needs the account administrator role`);
  }

  /**
   * Tokens and credentials (API tokens, passwords, the administrator role) are managed from a login
   * session only: a leaked API token must not mint tokens that outlive it, nor lock the owner out.
   */
  requireSession(actor: Actor, action: string): void {
    if (actor.tokenKind !== 'session') {
      throw new DomainError('FORBIDDEN', `${action} needs a session login (POST /api/v1/auth/login); API tokens cannot manage tokens or credentials`);
    }
  }

  /** The caller's role in the inbox, or null when not a member; 404 for other accounts' inboxes. */
  async roleIn(actor: Actor, inboxId: string, em: EntityManager = this.em.fork()): Promise<{ inbox: Inbox; role: EffectiveRole | null }> {
    const inbox = await em.findOne(Inbox, { id: inboxId, account: actor.accountId });
    if (!inbox) throw DomainError.notFound('inbox', inboxId);
    if (actor.isAdmin) return { inbox, role: 'admin' };
    const membership = await em.findOne(InboxMembership, { inbox: inboxId, user: actor.userId });
    return { inbox, role: membership?.role ?? null };
  }

  async requireMember(actor: Actor, inboxId: string, em?: EntityManager): Promise<{ inbox: Inbox; role: EffectiveRole }> {
    const { inbox, role } = await this.roleIn(actor, inboxId, em);
    if (!role) throw new DomainError('FORBIDDEN', `you are not a member of inbox ${inboxId}`);
    return { inbox, role };
  }

  async requireManager(actor: Actor, inboxId: string, action: string, em?: EntityManager): Promise<{ inbox: Inbox; role: EffectiveRole }> {
    const { inbox, role } = await this.requireMember(actor, inboxId, em);
    if (role === 'member') throw new DomainError('FORBIDDEN', `${action} needs the manager role in inbox ${inboxId}`);
    return { inbox, role };
  }

  /** Ids of the inboxes the caller may see. */
  async visibleInboxIds(actor: Actor, em: EntityManager = this.em.fork()): Promise<string[]> {
    if (actor.isAdmin) {
      return (await em.find(Inbox, { account: actor.accountId }, { fields: ['id'] })).map((i) => i.id);
    }
    const rows = await em.find(InboxMembership, { user: actor.userId }, { fields: ['inbox'] });
    return rows.map((m) => m.inbox.id);
  }
}
