import { Module } from '@nestjs/common';
import { ChannelsModule } from '../channels/channels.module';
import { ConversationsController } from './conversations.controller';
import { GetConversationUseCase } from './use-cases/get-conversation.use-case';
import { ListConversationsUseCase } from './use-cases/list-conversations.use-case';
import { ReceiveInboundMessageUseCase } from './use-cases/receive-inbound-message.use-case';
import { SendWelcomeMessageUseCase } from './use-cases/send-welcome-message.use-case';

@Module({
  imports: [ChannelsModule],
  controllers: [ConversationsController],
  providers: [ReceiveInboundMessageUseCase, SendWelcomeMessageUseCase, GetConversationUseCase, ListConversationsUseCase],
  exports: [ReceiveInboundMessageUseCase, SendWelcomeMessageUseCase],
})
export class ConversationsModule {}
