import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import type { Actor } from '../../auth/actor';
import { ContactAccess } from '../contact-access';
import { contactView } from '../contact-view';
import type { ContactView } from '../dto/contact.dto';

@Injectable()
export class GetContactUseCase {
  constructor(
    private readonly em: EntityManager,
    private readonly contacts: ContactAccess,
  ) {}

  async execute(actor: Actor, id: string): Promise<ContactView> {
    const em = this.em.fork();
    const contact = await this.contacts.requireVisible(actor, id, em);
    return contactView(actor, contact, em);
  }
}
