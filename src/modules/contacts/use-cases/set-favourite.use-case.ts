import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import type { Actor } from '../../auth/actor';
import { ContactAccess } from '../contact-access';

export interface SetFavouriteInput {
  actor: Actor;
  contactId: string;
  /** true: mark as one of the caller's favourites; false: unmark. */
  favourite: boolean;
}

/** Marks or unmarks a contact as one of the caller's favourites (idempotent). */
@Injectable()
export class SetFavouriteUseCase {
  constructor(
    private readonly em: EntityManager,
    private readonly contacts: ContactAccess,
  ) {}

  async execute({ actor, contactId, favourite }: SetFavouriteInput): Promise<void> {
    const em = this.em.fork();
    await this.contacts.requireVisible(actor, contactId, em);
    if (favourite) {
      await em.execute(
        `insert into contact_favourites (id, user_id, contact_id) values (gen_random_uuid(), ?, ?) on conflict (user_id, contact_id) do nothing`,
        [actor.userId, contactId],
      );
    } else {
      await em.execute('delete from contact_favourites where user_id = ? and contact_id = ?', [actor.userId, contactId]);
    }
  }
}
