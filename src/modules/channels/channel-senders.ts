import { Injectable } from '@nestjs/common';
import { DomainError } from '../../common/domain-error';
import type { ChannelType } from '../inboxes/inbox.entity';
import { ApiChannelSender } from './api/api-channel.sender';
import type { ChannelSender } from './channel-sender';

/** Picks the sender for an inbox's channel type. */
@Injectable()
export class ChannelSenders {
  private readonly byType: Map<ChannelType, ChannelSender>;

  constructor(api: ApiChannelSender) {
    this.byType = new Map<ChannelType, ChannelSender>([[api.channelType, api]]);
  }

  for(channelType: ChannelType): ChannelSender {
    const sender = this.byType.get(channelType);
    if (!sender) throw new DomainError('UNPROCESSABLE', `channel ${channelType} cannot send messages yet`);
    return sender;
  }
}
