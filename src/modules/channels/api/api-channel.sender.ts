import { Injectable } from '@nestjs/common';
import type { ChannelSender, DeliveryResult, OutboundMessage } from '../channel-sender';

/**
 * The API channel has no provider: integrations read outbound messages through our REST API,
 * so recording the message is the delivery.
 */
@Injectable()
export class ApiChannelSender implements ChannelSender {
  readonly channelType = 'api' as const;
  readonly deliveredWhenStored = 'sent' as const;

  async send(_message: OutboundMessage): Promise<DeliveryResult> {
    return { status: 'sent' };
  }
}
