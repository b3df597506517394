import { Module } from '@nestjs/common';
import { DrainQueueUseCase } from './drain-queue.use-case';
import { RouteConversationUseCase } from './route-conversation.use-case';

/** Routing: rules > AI agent > human agents through the inbox's waiting queue. */
@Module({
  providers: [RouteConversationUseCase, DrainQueueUseCase],
  exports: [RouteConversationUseCase, DrainQueueUseCase],
})
export class RoutingModule {}
