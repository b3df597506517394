import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { DomainError } from '../../common/domain-error';
import { AccessPolicy } from '../auth/access-policy';
import type { Actor } from '../auth/actor';
import { Contact } from './contact.entity';

/**
 * Who sees which contact:
 *  - a contact of another account does not exist for the caller (404);
 *  - administrators see every contact of their account;
 *  - other users see a contact when it has a conversation in an inbox they are a member of
 *    (AccessPolicy.visibleInboxIds); otherwise 403.
 */
@Injectable()
export class ContactAccess {
  constructor(private readonly access: AccessPolicy) {}

  /** The contact (404 for other accounts), without the visibility check. */
  async find(actor: Actor, id: string, em: EntityManager): Promise<Contact> {
    const contact = await em.findOne(Contact, { id, account: actor.accountId });
    if (!contact) throw DomainError.notFound('contact', id);
    return contact;
  }

  /** The contact, when the caller may see it. */
  async requireVisible(actor: Actor, id: string, em: EntityManager): Promise<Contact> {
    const contact = await this.find(actor, id, em);
    if (!(await this.canSee(actor, contact.id, em))) {
      throw new DomainError('FORBIDDEN', `you are not a member of any inbox with a conversation of contact ${id}`);
    }
    return contact;
  }

  async canSee(actor: Actor, contactId: string, em: EntityManager): Promise<boolean> {
    if (actor.isAdmin) return true;
    const inboxIds = await this.access.visibleInboxIds(actor, em);
    if (inboxIds.length === 0) return false;
    const rows = await em.execute<{ ok: number }[]>(
      `select 1 as ok from conversations where contact_id = ? and inbox_id in (?) limit 1`,
      [contactId, inboxIds],
    );
    return rows.length > 0;
  }
}
