import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { DomainError } from '../../common/domain-error';
import { ChannelSenders } from '../channels/channel-senders';
import type { ChannelType } from '../inboxes/inbox.entity';
import type { SenderType } from './message.entity';

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

  /**
   * `known`: the conversation's inbox and channel when the caller read them already (else one query).
   * Stored with one statement (a retry finds the row by its key), sent, then its delivery status in another.
   */
  async send(input: SystemMessageInput, known?: { inboxId: string; channelType: ChannelType }): Promise<SystemMessageResult> {
    const em = this.em.fork();
    let target = known;
    if (!target) {
      const [c] = await em.execute<{ inbox_id: string; channel_type: ChannelType }[]>(
        `select c.inbox_id, i.channel_type from conversations c join inboxes i on i.id = c.inbox_id where c.id = ?`,
        [input.conversationId],
      );
      if (!c) throw DomainError.notFound('conversation', input.conversationId);
      target = { inboxId: c.inbox_id, channelType: c.channel_type };
    }
    type Row = { id: string; content: string; delivery_status: string };
    const sender = this.senders.for(target.channelType);
    // A channel whose delivery is the stored row (the API channel) gets its final status in the insert.
    const [inserted] = await em.execute<Row[]>(
      `insert into messages (conversation_id, direction, sender_type, content, delivery_status, idempotency_key, created_at)
       values (?, 'outbound', ?, ?, ?, ?, clock_timestamp())
       on conflict (idempotency_key) do nothing
       returning id, content, delivery_status`,
      [input.conversationId, input.senderType ?? 'system', input.content, sender.deliveredWhenStored ?? 'queued', input.idempotencyKey],
    );
    if (inserted && sender.deliveredWhenStored) return { messageId: String(inserted.id), sent: true };
    const message = inserted ?? (await em.execute<Row[]>(`select id, content, delivery_status from messages where idempotency_key = ?`, [input.idempotencyKey]))[0];
    if (!message) throw DomainError.notFound('message', input.idempotencyKey);
    const messageId = String(message.id);
    if (message.delivery_status !== 'queued') return { messageId, sent: false };
    const result = await sender.send({
      messageId,
      conversationId: input.conversationId,
      inboxId: target.inboxId,
      content: message.content,
    });
    if (result.status !== 'queued' || result.error || result.providerMessageId) {
      await em.execute(`update messages set delivery_status = ?, error = coalesce(?, error), provider_message_id = coalesce(?, provider_message_id) where id = ?`, [
        result.status,
        result.error || null,
        result.providerMessageId || null,
        messageId,
      ]);
    }
    return { messageId, sent: true };
  }
}
