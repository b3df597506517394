import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { DomainError } from '../../../common/domain-error';
import type { Actor } from '../../auth/actor';
import { CHANNEL_TYPES, type ChannelType } from '../../inboxes/inbox.entity';
import { ContactAccess } from '../contact-access';
import { clearOptOut, recordOptOut } from '../contact-opt-outs';

export interface SetOptOutInput {
  actor: Actor;
  contactId: string;
  /** As given in the path; checked against the channel types here (400 naming channelType). */
  channelType: string;
  /** true: unsubscribe; false: subscribe again. */
  optedOut: boolean;
}

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

  async execute({ actor, contactId, channelType, optedOut }: SetOptOutInput): Promise<void> {
    if (!(CHANNEL_TYPES as readonly string[]).includes(channelType)) {
      throw DomainError.invalid('channelType', `must be one of: ${CHANNEL_TYPES.join(', ')}`);
    }
    const em = this.em.fork();
    await this.contacts.requireVisible(actor, contactId, em);
    if (optedOut) await recordOptOut(em, contactId, channelType as ChannelType, `manual:${actor.userId}`);
    else await clearOptOut(em, contactId, channelType as ChannelType);
  }
}
