import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { DomainError } from '../../../../common/domain-error';
import type { DeliveryStatus } from '../../../conversations/message.entity';
import { field, requiredField, TwilioWebhookVerifier, type TwilioWebhookRequest } from '../twilio-webhook-verifier';
import { twilioErrorText } from '../twilio-sms.sender';

/** Twilio's message statuses and ours: queued/accepted/scheduled/sending/sent → sent; delivered/read → delivered; the rest → failed. */
export const TWILIO_STATUS: Record<string, Exclude<DeliveryStatus, 'received' | 'queued'>> = {
  accepted: 'sent',
  scheduled: 'sent',
  queued: 'sent',
  sending: 'sent',
  sent: 'sent',
  delivered: 'delivered',
  read: 'delivered',
  undelivered: 'failed',
  failed: 'failed',
  canceled: 'failed',
};

/** Statuses only move forward: queued → sent → delivered | failed (a late "sent" never undoes "delivered"). */
const RANK: Record<DeliveryStatus, number> = { received: 0, queued: 0, sent: 1, delivered: 2, failed: 2 };
const RANK_SQL = `(case m.delivery_status when 'queued' then 0 when 'sent' then 1 else 2 end)`;

/** Reasons for the error codes Twilio's status callbacks carry most often (the code alone otherwise). */
const ERROR_REASONS: Record<string, string> = {
  '30001': 'Queue overflow',
  '30002': 'Account suspended',
  '30003': 'Unreachable destination handset',
  '30004': 'Message blocked',
  '30005': 'Unknown destination handset',
  '30006': 'Landline or unreachable carrier',
  '30007': 'Message filtered by the carrier',
  '30008': 'Unknown error',
  '21610': 'The recipient unsubscribed (replied STOP)',
};

export interface DeliveryStatusInput extends TwilioWebhookRequest {
  /** Our message id, from the statusCallback URL's query (?messageId=...). */
  messageId?: string;
}

export interface DeliveryStatusResult {
  messageId: string;
  deliveryStatus: DeliveryStatus;
  /** False when the callback was older than what the message already had. */
  changed: boolean;
}

/**
 * Twilio's status callback for an outbound message: MessageSid, MessageStatus and, on failure, ErrorCode
 * (ErrorMessage when present) update the message's delivery status and error. The message is found by
 * our id in the callback URL (so a callback that overtakes the commit of the provider SID still lands) or
 * else by the SID, always within the inbox of the URL.
 */
@Injectable()
export class UpdateSmsDeliveryStatusUseCase {
  constructor(
    private readonly em: EntityManager,
    private readonly verifier: TwilioWebhookVerifier,
  ) {}

  async execute(input: DeliveryStatusInput): Promise<DeliveryStatusResult> {
    await this.verifier.verify(input);
    if (input.messageId !== undefined && !/^\d{1,18}$/.test(input.messageId)) throw DomainError.invalid('messageId', 'must be a message id (digits)');
    const sid = requiredField(input.params, 'MessageSid');
    const twilioStatus = requiredField(input.params, 'MessageStatus').toLowerCase();
    const status = TWILIO_STATUS[twilioStatus];
    if (!status) throw DomainError.invalid('MessageStatus', `must be one of: ${Object.keys(TWILIO_STATUS).join(', ')}`);
    const code = field(input.params, 'ErrorCode')?.trim();
    const error =
      status === 'failed' || code
        ? twilioErrorText({ code: code || null, message: field(input.params, 'ErrorMessage') || (code ? ERROR_REASONS[code] : undefined) || `message ${twilioStatus}` })
        : null;

    const em = this.em.fork();
    const byId = input.messageId ?? null;
    const updated = await em.execute<{ id: string }[]>(
      `update messages m set delivery_status = ?, error = coalesce(?, m.error), provider_message_id = coalesce(m.provider_message_id, ?)
       from conversations c
       where c.id = m.conversation_id and c.inbox_id = ? and m.direction = 'outbound'
         and (m.id = ?::bigint or (?::bigint is null and m.provider_message_id = ?))
         and (m.provider_message_id is null or m.provider_message_id = ?)
         and ${RANK_SQL} < ?
       returning m.id`,
      [status, error, sid, input.inboxId, byId, byId, sid, sid, RANK[status]],
    );
    if (updated.length > 0) return { messageId: String(updated[0].id), deliveryStatus: status, changed: true };

    const current = await em.execute<{ id: string; delivery_status: DeliveryStatus }[]>(
      `select m.id, m.delivery_status from messages m join conversations c on c.id = m.conversation_id
       where c.inbox_id = ? and m.direction = 'outbound'
         and (m.id = ?::bigint or (?::bigint is null and m.provider_message_id = ?))
         and (m.provider_message_id is null or m.provider_message_id = ?)`,
      [input.inboxId, byId, byId, sid, sid],
    );
    if (current.length === 0) {
      throw new DomainError('NOT_FOUND', `MessageSid: ${sid} matches no outbound message of inbox ${input.inboxId}`, [
        { field: 'MessageSid', problem: 'matches no outbound message of this inbox' },
      ]);
    }
    return { messageId: String(current[0].id), deliveryStatus: current[0].delivery_status, changed: false };
  }
}
