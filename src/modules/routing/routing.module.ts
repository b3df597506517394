import { Module } from '@nestjs/common';
import { ConversationsModule } from '../conversations/conversations.module';
import { DrainQueueUseCase } from './use-cases/drain-queue.use-case';
import { RouteConversationUseCase } from './use-cases/route-conversation.use-case';

/** Routing: rules > AI agent > human agents through the inbox's waiting queue. */
@Module({
  imports: [ConversationsModule],
  providers: [RouteConversationUseCase, DrainQueueUseCase],
  exports: [RouteConversationUseCase, DrainQueueUseCase],
})
export class RoutingModule {}
