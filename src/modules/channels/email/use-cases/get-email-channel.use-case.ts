import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { AccessPolicy } from '../../../auth/access-policy';
import type { Actor } from '../../../auth/actor';
import type { EmailChannelView } from '../dto/email-channel.dto';
import { emailChannelView, loadEmailChannel } from '../email-channel-settings';

export interface GetEmailChannelInput {
  actor: Actor;
  inboxId: string;
}

/** The IMAP/SMTP settings of an email inbox, as its managers (and administrators) see them: never the passwords. */
@Injectable()
export class GetEmailChannelUseCase {
  constructor(
    private readonly em: EntityManager,
    private readonly access: AccessPolicy,
  ) {}

  async execute({ actor, inboxId }: GetEmailChannelInput): Promise<EmailChannelView> {
    return emailChannelView(await loadEmailChannel(this.em.fork(), this.access, actor, inboxId, 'reading the email channel settings'));
  }
}
