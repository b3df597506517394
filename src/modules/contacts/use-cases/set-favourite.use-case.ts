import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import type { Actor } from '../../auth/actor';
import { ContactAccess } from '../contact-access';

/** Marks or unmarks a contact as one of the caller's favourites (idempotent). */
@Injectable()
export class SetFavouriteUseCase {
  constructor(
    private readonly em: EntityManager,
    private readonly contacts: ContactAccess,
  ) {}

  async execute(actor: Actor, id: string, favourite: boolean): Promise<void> {
    const em = this.em.fork();
    await this.contacts.requireVisible(actor, id, em);
    if (favourite) {
      await em.execute(
        `insert into contact_favourites (id, user_id, contact_id) values (gen_random_uuid(), ?, ?) on conflict (user_id, contact_id) do nothing`,
        [actor.userId, id],
      );
    } else {
      await em.execute('delete from contact_favourites where user_id = ? and contact_id = ?', [actor.userId, id]);
    }
  }
}
