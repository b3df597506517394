import { Module } from '@nestjs/common';
import { ConversationsModule } from '../../conversations/conversations.module';
import { ChannelsModule } from '../channels.module';
import { AttachmentsController, EmailChannelController, EmailForwardingController } from './email-channel.controller';
import { SmtpIngressState } from './forwarding/smtp-ingress-state';
import { FindForwardingRecipientUseCase } from './use-cases/find-forwarding-recipient.use-case';
import { GetAttachmentUseCase } from './use-cases/get-attachment.use-case';
import { GetEmailForwardingUseCase } from './use-cases/get-email-forwarding.use-case';
import { ReceiveForwardedEmailUseCase } from './use-cases/receive-forwarded-email.use-case';
import { RecordIngressRefusalUseCase } from './use-cases/record-ingress-refusal.use-case';
import { RegenerateEmailForwardingUseCase } from './use-cases/regenerate-email-forwarding.use-case';
import { GetEmailChannelUseCase } from './use-cases/get-email-channel.use-case';
import { RunMailboxSessionUseCase } from './use-cases/run-mailbox-session.use-case';
import { SetEmailChannelUseCase } from './use-cases/set-email-channel.use-case';
import { StoreInboundEmailUseCase } from './use-cases/store-inbound-email.use-case';
import { TestEmailChannelUseCase } from './use-cases/test-email-channel.use-case';

/**
 * The email channel: IMAP/SMTP settings per email inbox, the mailbox workflows' session (used by the
 * worker's activities), inbound mail into the one inbound path, attachment downloads, forwarding
 * addresses and what the SMTP ingress (EmailIngressModule, API process only) took and refused. The outbound
 * sender (EmailSender) lives in ChannelsModule with the other senders.
 */
@Module({
  imports: [ChannelsModule, ConversationsModule],
  controllers: [EmailChannelController, EmailForwardingController, AttachmentsController],
  providers: [
    GetEmailChannelUseCase,
    SetEmailChannelUseCase,
    TestEmailChannelUseCase,
    GetAttachmentUseCase,
    StoreInboundEmailUseCase,
    RunMailboxSessionUseCase,
    SmtpIngressState,
    GetEmailForwardingUseCase,
    RegenerateEmailForwardingUseCase,
    FindForwardingRecipientUseCase,
    RecordIngressRefusalUseCase,
    ReceiveForwardedEmailUseCase,
  ],
  exports: [StoreInboundEmailUseCase, RunMailboxSessionUseCase, SmtpIngressState, FindForwardingRecipientUseCase, RecordIngressRefusalUseCase, ReceiveForwardedEmailUseCase],
})
export class EmailModule {}
