import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { AccessPolicy } from '../../auth/access-policy';
import type { Actor } from '../../auth/actor';
import { Contact, ContactAttributeDefinition } from '../contact.entity';
import { contactView } from '../contact-view';
import type { ContactView } from '../dto/contact.dto';
import { checkNewContact, inContactTransaction, insertNewContact, invalidContact, type NewContactFields } from '../new-contact';

export interface CreateContactInput extends NewContactFields {
  actor: Actor;
}

/**
 * Administrators add a contact by hand (managers and agents see contacts only through conversations
 * of their inboxes, which a new contact has none of, so they could not even see it). Every invalid
 * field is named in one 400; an email or phone another contact of the account already has is a 409
 * naming the field and that contact's id. The identities and locks are the inbound path's
 * (new-contact.ts).
 */
@Injectable()
export class CreateContactUseCase {
  constructor(
    private readonly em: EntityManager,
    private readonly access: AccessPolicy,
  ) {}

  async execute(input: CreateContactInput): Promise<ContactView> {
    const { actor } = input;
    this.access.requireAdmin(actor, 'creating contacts');
    const definitions = await this.em
      .fork()
      .find(ContactAttributeDefinition, { account: actor.accountId }, { orderBy: { position: 'asc', createdAt: 'asc', id: 'asc' } });
    const checked = checkNewContact(input, definitions);
    if (!checked.contact) throw invalidContact(checked.problems);
    const contact = checked.contact;
    return inContactTransaction(this.em, async (tx) => {
      const id = await insertNewContact(tx, actor.accountId, contact);
      return contactView(actor, await tx.findOneOrFail(Contact, { id }), tx);
    });
  }
}
