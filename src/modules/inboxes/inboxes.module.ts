import { Module } from '@nestjs/common';
import { InboxesController } from './inboxes.controller';
import { CreateInboxUseCase } from './use-cases/create-inbox.use-case';
import { DeleteInboxUseCase } from './use-cases/delete-inbox.use-case';
import { GetInboxUseCase } from './use-cases/get-inbox.use-case';
import { ListInboxMembersUseCase } from './use-cases/list-inbox-members.use-case';
import { ListInboxesUseCase } from './use-cases/list-inboxes.use-case';
import { RemoveInboxMemberUseCase } from './use-cases/remove-inbox-member.use-case';
import { SetInboxMemberUseCase } from './use-cases/set-inbox-member.use-case';
import { UpdateInboxUseCase } from './use-cases/update-inbox.use-case';

@Module({
  controllers: [InboxesController],
  providers: [
    CreateInboxUseCase,
    UpdateInboxUseCase,
    DeleteInboxUseCase,
    GetInboxUseCase,
    ListInboxesUseCase,
    ListInboxMembersUseCase,
    SetInboxMemberUseCase,
    RemoveInboxMemberUseCase,
  ],
})
export class InboxesModule {}
