import { EntityManager, UniqueConstraintViolationException } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { DomainError } from '../../common/domain-error';
import { AccessPolicy } from '../auth/access-policy';
import type { Actor } from '../auth/actor';
import { InboxMembership } from '../inboxes/inbox-membership.entity';
import { findTeam, teamIdsOf } from '../teams/team-access';
import { Team } from '../teams/team.entity';
import { SavedReply, type SavedReplyScope } from './saved-reply.entity';

export interface ReplyTarget {
  scope: SavedReplyScope;
  scopeId: string;
}

/**
 * Who may use and who may change saved replies:
 *  - personal: only the owner (to anyone else it does not exist: 404);
 *  - inbox: members of the inbox read, its managers and administrators change;
 *  - team: members of the team (and administrators) read, administrators change.
 */
@Injectable()
export class SavedReplyAccess {
  constructor(private readonly access: AccessPolicy) {}

  /** The reply of the caller's account, 404 otherwise (also for someone else's personal reply). */
  async find(em: EntityManager, actor: Actor, id: string): Promise<SavedReply> {
    const reply = await em.findOne(SavedReply, { id, account: actor.accountId });
    if (!reply || (reply.scope === 'personal' && reply.scopeId !== actor.userId)) throw DomainError.notFound('saved reply', id);
    return reply;
  }

  async requireReader(em: EntityManager, actor: Actor, reply: SavedReply): Promise<void> {
    if (reply.scope === 'inbox') await this.access.requireMember(actor, reply.scopeId, em);
    if (reply.scope === 'team') {
      const team = await findTeam(em, actor, reply.scopeId);
      if (!actor.isAdmin && !(await teamIdsOf(em, actor.userId)).includes(team.id)) {
        throw new DomainError('FORBIDDEN', `you are not a member of team ${team.id}`);
      }
    }
  }

  async requireEditor(em: EntityManager, actor: Actor, target: ReplyTarget, action: string): Promise<void> {
    if (target.scope === 'personal' && target.scopeId !== actor.userId) throw new DomainError('FORBIDDEN', `${action} cannot be done for another user's personal replies`);
    if (target.scope === 'inbox') await this.access.requireManager(actor, target.scopeId, action, em);
    if (target.scope === 'team') {
      await findTeam(em, actor, target.scopeId);
      this.access.requireAdmin(actor, action);
    }
  }

  /** Where the caller may read replies: inbox ids (optionally just `onlyInboxId`) and team ids. */
  async readableScopes(em: EntityManager, actor: Actor, onlyInboxId?: string): Promise<{ inboxIds: string[]; teamIds: string[] }> {
    let inboxIds: string[];
    if (onlyInboxId) {
      await this.access.requireMember(actor, onlyInboxId, em);
      inboxIds = [onlyInboxId];
    } else {
      inboxIds = await this.access.visibleInboxIds(actor, em);
    }
    const teamIds = actor.isAdmin
      ? (await em.find(Team, { account: actor.accountId }, { fields: ['id'] })).map((t) => t.id)
      : await teamIdsOf(em, actor.userId);
    return { inboxIds, teamIds };
  }

  /** A predicate telling whether the caller may change a reply (for `canEdit` in views). */
  async editChecker(em: EntityManager, actor: Actor): Promise<(reply: SavedReply) => boolean> {
    const managed = actor.isAdmin
      ? new Set<string>()
      : new Set((await em.find(InboxMembership, { user: actor.userId, role: 'manager' }, { fields: ['inbox'] })).map((m) => m.inbox.id));
    return (reply) => {
      if (reply.scope === 'personal') return reply.scopeId === actor.userId;
      if (actor.isAdmin) return true;
      return reply.scope === 'inbox' && managed.has(reply.scopeId);
    };
  }
}

/** Flushes; a shortcut already used in the scope becomes a 409 naming `shortcut`. */
export async function flushReply(em: EntityManager, shortcut: string): Promise<void> {
  try {
    await em.flush();
  } catch (err) {
    if (err instanceof UniqueConstraintViolationException) {
      throw new DomainError('CONFLICT', `shortcut: "${shortcut}" is already used by another saved reply in this scope`, [
        { field: 'shortcut', problem: 'already used in this scope' },
      ]);
    }
    throw err;
  }
}
