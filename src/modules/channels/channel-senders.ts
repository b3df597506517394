import { Injectable } from '@nestjs/common';
import { DomainError } from '../../common/domain-error';
import type { ChannelType } from '../inboxes/inbox.entity';
import { ApiChannelSender } from './api/api-channel.sender';
import type { ChannelSender } from './channel-sender';
import { EmailSender } from './email/email.sender';
import { TwilioSmsSender } from './sms/twilio-sms.sender';

/** Picks the sender for an inbox's channel type. */
@Injectable()
export class ChannelSenders {
  private readonly byType: Map<ChannelType, ChannelSender>;

  constructor(api: ApiChannelSender, sms: TwilioSmsSender, email: EmailSender) {
    this.byType = new Map<ChannelType, ChannelSender>([
      [api.channelType, api],
      [sms.channelType, sms],
      [email.channelType, email],
    ]);
  }

  for(channelType: ChannelType): ChannelSender {
    const sender = this.byType.get(channelType);
    if (!sender) throw new DomainError('UNPROCESSABLE', `channel ${channelType} cannot send messages yet`);
    return sender;
  }
}
