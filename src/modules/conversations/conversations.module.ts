import { Module } from '@nestjs/common';
import { ChannelsModule } from '../channels/channels.module';
import { ContactAccess } from '../contacts/contact-access';
import { CsatRepliesModule } from '../csat/csat-replies.module';
import { ContactMessagesController } from './contact-messages.controller';
import { ConversationAccess } from './conversation-access';
import { ConversationReadModel } from './conversation-read-model';
import { ConversationsController } from './conversations.controller';
import { AddConversationNoteUseCase } from './use-cases/add-conversation-note.use-case';
import { AddConversationTagsUseCase } from './use-cases/add-conversation-tags.use-case';
import { AssignConversationUseCase } from './use-cases/assign-conversation.use-case';
import { GetConversationUseCase } from './use-cases/get-conversation.use-case';
import { GetConversationTimelineUseCase } from './use-cases/get-conversation-timeline.use-case';
import { ListContactMessagesUseCase } from './use-cases/list-contact-messages.use-case';
import { ListConversationsUseCase } from './use-cases/list-conversations.use-case';
import { MarkConversationSpamUseCase } from './use-cases/mark-conversation-spam.use-case';
import { MoveConversationUseCase } from './use-cases/move-conversation.use-case';
import { ReceiveInboundMessageUseCase } from './use-cases/receive-inbound-message.use-case';
import { RemoveConversationTagUseCase } from './use-cases/remove-conversation-tag.use-case';
import { ReopenConversationUseCase } from './use-cases/reopen-conversation.use-case';
import { ReplyToConversationUseCase } from './use-cases/reply-to-conversation.use-case';
import { ResolveConversationUseCase } from './use-cases/resolve-conversation.use-case';
import { SendWelcomeMessageUseCase } from './use-cases/send-welcome-message.use-case';
import { SystemMessages } from './system-messages';
import { DescribeConversationUseCase } from './use-cases/describe-conversation.use-case';
import { ReplyOutOfOfficeUseCase } from './use-cases/reply-out-of-office.use-case';
import { SetConversationPinnedUseCase } from './use-cases/set-conversation-pinned.use-case';
import { SetConversationPendingUseCase } from './use-cases/set-conversation-pending.use-case';
import { SetConversationReadUseCase } from './use-cases/set-conversation-read.use-case';
import { SetConversationTagsUseCase } from './use-cases/set-conversation-tags.use-case';
import { StartConversationUseCase } from './use-cases/start-conversation.use-case';
import { UpdateConversationUseCase } from './use-cases/update-conversation.use-case';

import { RecordWorkflowDecisionUseCase } from './use-cases/record-workflow-decision.use-case';
/** Use cases other modules and the worker's activities call as "system" (no actor). */
const SHARED = [
  ReceiveInboundMessageUseCase,
  SendWelcomeMessageUseCase,
  AssignConversationUseCase,
  ReplyToConversationUseCase,
  ResolveConversationUseCase,
  SetConversationPendingUseCase,
  MarkConversationSpamUseCase,
  ReopenConversationUseCase,
  MoveConversationUseCase,
  UpdateConversationUseCase,
  SetConversationTagsUseCase,
  AddConversationTagsUseCase,
  RemoveConversationTagUseCase,
  SystemMessages,
  DescribeConversationUseCase,
  ReplyOutOfOfficeUseCase,
  RecordWorkflowDecisionUseCase,
  AddConversationNoteUseCase,
];

@Module({
  imports: [ChannelsModule, CsatRepliesModule],
  controllers: [ConversationsController, ContactMessagesController],
  providers: [
    ...SHARED,
    ConversationAccess,
    ConversationReadModel,
    StartConversationUseCase,
    // Contact visibility for starting a conversation with a contact (provided here, not imported, so the modules stay acyclic).
    ContactAccess,
    GetConversationUseCase,
    GetConversationTimelineUseCase,
    ListConversationsUseCase,
    SetConversationReadUseCase,
    SetConversationPinnedUseCase,
    ListContactMessagesUseCase,
  ],
  exports: [...SHARED, ConversationReadModel],
})
export class ConversationsModule {}
