import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { DomainError } from '../../../common/domain-error';
import { ChannelSenders } from '../../channels/channel-senders';
import { Conversation } from '../conversation.entity';
import { Message } from '../message.entity';
import { VariablesService } from '../../variables/variables.service';

export interface SendWelcomeMessageResult {
  sent: boolean;
  /** Why nothing was sent, for the workflow history. */
  reason?: 'welcome message off' | 'already sent';
  messageId?: string;
}

/**
 * Stores and delivers the inbox's welcome message, at most once per conversation: the message row's
 * idempotency key `welcome:<conversationId>` is unique, so a retried activity or a second workflow
 * run finds the first one instead of sending again.
 */
@Injectable()
export class SendWelcomeMessageUseCase {
  constructor(
    private readonly em: EntityManager,
    private readonly senders: ChannelSenders,
    private readonly variables: VariablesService,
  ) {}

  async execute(input: { conversationId: string }): Promise<SendWelcomeMessageResult> {
    const em = this.em.fork();
    const conversation = await em.findOne(Conversation, { id: input.conversationId }, { populate: ['inbox'] });
    if (!conversation) throw DomainError.notFound('conversation', input.conversationId);
    const inbox = conversation.inbox.getEntity();
    const idempotencyKey = `welcome:${conversation.id}`;

    let message = await em.findOne(Message, { idempotencyKey });
    if (!message) {
      if (!inbox.welcomeMessage) return { sent: false, reason: 'welcome message off' };
      // Rendered for the conversation's contact; stored as sent, so a retry re-sends the same text.
      const content = await this.variables.renderFor(em, { accountId: conversation.account.id, contactId: conversation.contact.id }, inbox.welcomeMessage);
      const rows = await em.execute<{ id: string }[]>(
        `insert into messages (conversation_id, direction, sender_type, content, delivery_status, idempotency_key, created_at)
         values (?, 'outbound', 'system', ?, 'queued', ?, now())
         on conflict (idempotency_key) do nothing
         returning id`,
        [conversation.id, content, idempotencyKey],
      );
      if (rows.length === 0) return { sent: false, reason: 'already sent' };
      message = await em.findOneOrFail(Message, { id: String(rows[0].id) });
    } else if (message.deliveryStatus !== 'queued') {
      return { sent: false, reason: 'already sent', messageId: message.id };
    }

    // Stored but not yet handed to the channel (first try, or a retry after a failed send).
    const result = await this.senders.for(inbox.channelType).send({
      messageId: message.id,
      conversationId: conversation.id,
      inboxId: inbox.id,
      content: message.content,
    });
    message.deliveryStatus = result.status;
    await em.flush();
    return { sent: true, messageId: message.id };
  }
}
