import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import type { Actor } from '../../auth/actor';
import { ContactAccess } from '../contact-access';
import { contactView } from '../contact-view';
import type { ContactView } from '../dto/contact.dto';

export interface GetContactInput {
  actor: Actor;
  contactId: string;
}

/** A contact with identities, attributes, opt-outs and the caller's favourite flag, for users who see it. */
@Injectable()
export class GetContactUseCase {
  constructor(
    private readonly em: EntityManager,
    private readonly contacts: ContactAccess,
  ) {}

  async execute({ actor, contactId }: GetContactInput): Promise<ContactView> {
    const em = this.em.fork();
    const contact = await this.contacts.requireVisible(actor, contactId, em);
    return contactView(actor, contact, em);
  }
}
