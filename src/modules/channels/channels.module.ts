import { Module } from '@nestjs/common';
import { SecretBox } from '../../common/secret-box';
import { APP_CONFIG, type ServiceConfig } from '../../config/config';
import { ApiChannelSender } from './api/api-channel.sender';
import { ChannelSenders } from './channel-senders';
import { EmailSender } from './email/email.sender';
import { TwilioClientFactory } from './sms/twilio-client.factory';
import { TwilioSmsSender } from './sms/twilio-sms.sender';

const secretBox = { provide: SecretBox, useFactory: (config: ServiceConfig) => new SecretBox(config.secretsKey), inject: [APP_CONFIG] };

@Module({
  providers: [ApiChannelSender, TwilioSmsSender, EmailSender, TwilioClientFactory, secretBox, ChannelSenders],
  exports: [ChannelSenders, SecretBox, TwilioClientFactory],
})
export class ChannelsModule {}
