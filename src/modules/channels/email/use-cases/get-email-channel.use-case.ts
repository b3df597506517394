import { EntityManager } from '@mikro-orm/postgresql';
import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, type ServiceConfig } from '../../../../config/config';
import { AccessPolicy } from '../../../auth/access-policy';
import type { Actor } from '../../../auth/actor';
import type { EmailChannelView } from '../dto/email-channel.dto';
import { emailChannelView, loadEmailChannel } from '../email-channel-settings';
import { ensureForwardingAddress, forwardingAddress } from '../forwarding/forwarding-addresses';

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
    @Inject(APP_CONFIG) private readonly config: ServiceConfig,
  ) {}

  async execute({ actor, inboxId }: GetEmailChannelInput): Promise<EmailChannelView> {
    const em = this.em.fork();
    const channel = await loadEmailChannel(em, this.access, actor, inboxId, 'reading the email channel settings');
    return emailChannelView(channel, forwardingAddress(await ensureForwardingAddress(em, inboxId), this.config.email.inboundDomain));
  }
}
