import { Module } from '@nestjs/common';
import { InboxesController } from './inboxes.controller';
import { CreateInboxUseCase } from './use-cases/create-inbox.use-case';
import { GetInboxUseCase } from './use-cases/get-inbox.use-case';
import { ListInboxesUseCase } from './use-cases/list-inboxes.use-case';
import { UpdateInboxUseCase } from './use-cases/update-inbox.use-case';

@Module({
  controllers: [InboxesController],
  providers: [CreateInboxUseCase, UpdateInboxUseCase, GetInboxUseCase, ListInboxesUseCase],
})
export class InboxesModule {}
