import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { DomainError } from '../../common/domain-error';
import { ChannelSenders } from '../channels/channel-senders';
import { Conversation } from './conversation.entity';
import { Message, type SenderType } from './message.entity';

export interface SystemMessageInput {
  conversationId: string;
  content: string;
  /** Unique per message meant (e.g. `ooo:<conversationId>:<periodKey>`): a retry finds the first one. */
  idempotencyKey: string;
  senderType?: Extract<SenderType, 'system' | 'ai'>;
}

export interface SystemMessageResult {
  messageId: string;
  /** False when a message with this key was already delivered (nothing sent this time). */
  sent: boolean;
}

/**
 * Messages the product writes itself (out-of-office, CSAT survey, the AI agent's answers): stored
 * under a unique idempotency key before the channel is called, then handed to the inbox's channel
 * sender. A retried activity re-sends only a message still queued; a delivered one is not sent twice.
 */
@Injectable()
export class SystemMessages {
  constructor(
    private readonly em: EntityManager,
    private readonly senders: ChannelSenders,
  ) {}

  async send(input: SystemMessageInput): Promise<SystemMessageResult> {
    const em = this.em.fork();
    const conversation = await em.findOne(Conversation, { id: input.conversationId }, { populate: ['inbox'] });
    if (!conversation) throw DomainError.notFound('conversation', input.conversationId);
    await em.execute(
      `insert into messages (conversation_id, direction, sender_type, content, delivery_status, idempotency_key, created_at)
       values (?, 'outbound', ?, ?, 'queued', ?, clock_timestamp())
       on conflict (idempotency_key) do nothing`,
      [conversation.id, input.senderType ?? 'system', input.content, input.idempotencyKey],
    );
    const message = await em.findOneOrFail(Message, { idempotencyKey: input.idempotencyKey });
    if (message.deliveryStatus !== 'queued') return { messageId: message.id, sent: false };
    const inbox = conversation.inbox.getEntity();
    const result = await this.senders.for(inbox.channelType).send({
      messageId: message.id,
      conversationId: conversation.id,
      inboxId: inbox.id,
      content: message.content,
    });
    message.deliveryStatus = result.status;
    if (result.error) message.error = result.error;
    if (result.providerMessageId) message.providerMessageId = result.providerMessageId;
    await em.flush();
    return { messageId: message.id, sent: true };
  }
}
