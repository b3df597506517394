import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { DomainError } from '../../../common/domain-error';
import type { Actor } from '../../auth/actor';
import { CHANNEL_TYPES, type ChannelType } from '../../inboxes/inbox.entity';
import { ContactAccess } from '../contact-access';

/**
 * Manual unsubscribe / resubscribe of a contact on one channel type. An unsubscribe by hand is recorded
 * with source "manual:<userId>"; an existing opt-out (e.g. by STOP keyword) is kept as it is.
 */
@Injectable()
export class SetOptOutUseCase {
  constructor(
    private readonly em: EntityManager,
    private readonly contacts: ContactAccess,
  ) {}

  async execute(actor: Actor, id: string, channelType: string, optedOut: boolean): Promise<void> {
    if (!(CHANNEL_TYPES as readonly string[]).includes(channelType)) {
      throw DomainError.invalid('channelType', `must be one of: ${CHANNEL_TYPES.join(', ')}`);
    }
    const em = this.em.fork();
    await this.contacts.requireVisible(actor, id, em);
    if (optedOut) {
      await em.execute(
        `insert into contact_opt_outs (id, contact_id, channel_type, source, created_at) values (gen_random_uuid(), ?, ?, ?, now())
         on conflict (contact_id, channel_type) do nothing`,
        [id, channelType as ChannelType, `manual:${actor.userId}`],
      );
    } else {
      await em.execute('delete from contact_opt_outs where contact_id = ? and channel_type = ?', [id, channelType]);
    }
  }
}
