import { EntityManager } from '@mikro-orm/postgresql';
import { Inject, Injectable } from '@nestjs/common';
import { DomainError } from '../../../../common/domain-error';
import { APP_CONFIG, type ServiceConfig } from '../../../../config/config';
import { AccessPolicy } from '../../../auth/access-policy';
import type { Actor } from '../../../auth/actor';
import type { SmsChannelView } from '../dto/sms-channel.dto';
import { SmsChannel } from '../sms-channel.entity';
import { requireSmsInbox, smsChannelView } from '../sms-channel-settings';

export interface GetSmsChannelInput {
  actor: Actor;
  inboxId: string;
}

/** The Twilio settings of an SMS inbox, as its managers (and administrators) see them: never the auth token. */
@Injectable()
export class GetSmsChannelUseCase {
  constructor(
    private readonly em: EntityManager,
    private readonly access: AccessPolicy,
    @Inject(APP_CONFIG) private readonly config: ServiceConfig,
  ) {}

  async execute({ actor, inboxId }: GetSmsChannelInput): Promise<SmsChannelView> {
    const em = this.em.fork();
    const { inbox } = await this.access.requireManager(actor, inboxId, 'reading the SMS channel settings', em);
    requireSmsInbox(inbox);
    const channel = await em.findOne(SmsChannel, { inbox: inboxId });
    if (!channel) throw new DomainError('NOT_FOUND', `inbox ${inboxId} has no Twilio settings yet; PUT them to /api/v1/inboxes/${inboxId}/sms-channel`);
    return smsChannelView(channel, this.config.publicUrl);
  }
}
