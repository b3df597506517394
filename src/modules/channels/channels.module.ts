import { Module } from '@nestjs/common';
import { ApiChannelSender } from './api/api-channel.sender';
import { ChannelSenders } from './channel-senders';

@Module({ providers: [ApiChannelSender, ChannelSenders], exports: [ChannelSenders] })
export class ChannelsModule {}
