import { Module } from '@nestjs/common';
import { ConversationsModule } from '../../conversations/conversations.module';
import { ChannelsModule } from '../channels.module';
import { AttachmentsController, EmailChannelController } from './email-channel.controller';
import { GetAttachmentUseCase } from './use-cases/get-attachment.use-case';
import { GetEmailChannelUseCase } from './use-cases/get-email-channel.use-case';
import { RunMailboxSessionUseCase } from './use-cases/run-mailbox-session.use-case';
import { SetEmailChannelUseCase } from './use-cases/set-email-channel.use-case';
import { StoreInboundEmailUseCase } from './use-cases/store-inbound-email.use-case';
import { TestEmailChannelUseCase } from './use-cases/test-email-channel.use-case';

/**
 * The email channel: IMAP/SMTP settings per email inbox, the mailbox workflows' session (used by the
 * worker's activities), inbound mail into the one inbound path, attachment downloads. The outbound
 * sender (EmailSender) lives in ChannelsModule with the other senders.
 */
@Module({
  imports: [ChannelsModule, ConversationsModule],
  controllers: [EmailChannelController, AttachmentsController],
  providers: [
    GetEmailChannelUseCase,
    SetEmailChannelUseCase,
    TestEmailChannelUseCase,
    GetAttachmentUseCase,
    StoreInboundEmailUseCase,
    RunMailboxSessionUseCase,
  ],
  exports: [StoreInboundEmailUseCase, RunMailboxSessionUseCase],
})
export class EmailModule {}
