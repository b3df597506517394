import { Module } from '@nestjs/common';
import { ConversationsModule } from '../../conversations/conversations.module';
import { ChannelsModule } from '../channels.module';
import { SmsChannelController } from './sms-channel.controller';
import { TwilioWebhookVerifier } from './twilio-webhook-verifier';
import { TwilioWebhooksController } from './twilio-webhooks.controller';
import { GetSmsChannelUseCase } from './use-cases/get-sms-channel.use-case';
import { ReceiveTwilioSmsUseCase } from './use-cases/receive-twilio-sms.use-case';
import { SetSmsChannelUseCase } from './use-cases/set-sms-channel.use-case';
import { UpdateSmsDeliveryStatusUseCase } from './use-cases/update-sms-delivery-status.use-case';

/**
 * The SMS/MMS channel's API side: Twilio settings per SMS inbox and Twilio's webhooks. The outbound
 * sender (TwilioSmsSender) lives in ChannelsModule with the other senders.
 */
@Module({
  imports: [ChannelsModule, ConversationsModule],
  controllers: [SmsChannelController, TwilioWebhooksController],
  providers: [TwilioWebhookVerifier, GetSmsChannelUseCase, SetSmsChannelUseCase, ReceiveTwilioSmsUseCase, UpdateSmsDeliveryStatusUseCase],
})
export class SmsModule {}
