import { LockMode } from '@mikro-orm/core';
import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { DomainError } from '../../common/domain-error';
import { AccessPolicy, type EffectiveRole } from '../auth/access-policy';
import type { Actor } from '../auth/actor';
import { InboxMembership } from '../inboxes/inbox-membership.entity';
import { Inbox } from '../inboxes/inbox.entity';
import { User } from '../users/user.entity';
import { Conversation } from './conversation.entity';

/** Who acts: a user, or the system (routing, automation) when no actor is given. */
export type ActingRole = EffectiveRole | 'system';

export interface LoadedConversation {
  conversation: Conversation;
  inbox: Inbox;
  role: ActingRole;
}

/**
 * Loads a conversation for an action, with the AccessPolicy's answers: another account's
 * conversation is 404, a conversation in an inbox the caller is not a member of is 403.
 * `lock: true` takes the row lock (select ... for update); call it inside a transaction.
 */
@Injectable()
export class ConversationAccess {
  constructor(private readonly access: AccessPolicy) {}

  async load(em: EntityManager, id: string, actor: Actor | undefined, opts: { lock?: boolean } = {}): Promise<LoadedConversation> {
    const conversation = await em.findOne(
      Conversation,
      actor ? { id, account: actor.accountId } : { id },
      opts.lock ? { lockMode: LockMode.PESSIMISTIC_WRITE } : {},
    );
    if (!conversation) throw DomainError.notFound('conversation', id);
    if (!actor) {
      const inbox = await em.findOneOrFail(Inbox, { id: conversation.inbox.id });
      return { conversation, inbox, role: 'system' };
    }
    const { inbox, role } = await this.access.requireMember(actor, conversation.inbox.id, em);
    return { conversation, inbox, role };
  }

  /**
   * Locks the conversation row for a change of its own columns or of rows hanging off it (tags,
   * priority) and checks the actor as load() does: one statement, no entities. `for no key update`:
   * nothing here changes a key, so others' inserts referencing the conversation (messages, events)
   * are not held up. Call it inside a transaction.
   */
  async lockForWrite(em: EntityManager, id: string, actor: Actor | undefined): Promise<void> {
    const [row] = await em.execute<{ inbox_id: string }[]>(
      `select inbox_id from conversations where id = ?${actor ? ' and account_id = ?' : ''} for no key update`,
      actor ? [id, actor.accountId] : [id],
    );
    if (!row) throw DomainError.notFound('conversation', id);
    if (actor) await this.access.requireMember(actor, row.inbox_id, em);
  }

  /** True when the user may hold conversations of the inbox: an active member of it or an administrator of its account. */
  async canHold(em: EntityManager, inbox: Inbox, userId: string): Promise<boolean> {
    const user = await em.findOne(User, { id: userId, account: inbox.account.id, disabledAt: null });
    if (!user) return false;
    if (user.isAdmin) return true;
    return (await em.count(InboxMembership, { inbox: inbox.id, user: userId })) > 0;
  }
}

export const isManagerOrAdmin = (role: ActingRole): boolean => role === 'manager' || role === 'admin' || role === 'system';
