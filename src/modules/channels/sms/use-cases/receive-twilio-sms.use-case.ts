import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { DomainError } from '../../../../common/domain-error';
import { Account } from '../../../accounts/account.entity';
import { clearOptOut, recordOptOut } from '../../../contacts/contact-opt-outs';
import type { MessageAttachment } from '../../../conversations/message.entity';
import { SystemMessages } from '../../../conversations/system-messages';
import { ReceiveInboundMessageUseCase } from '../../../conversations/use-cases/receive-inbound-message.use-case';
import { Inbox } from '../../../inboxes/inbox.entity';
import { parseSmsKeyword, type SmsKeyword } from '../sms-keywords';
import { field, requiredField, TwilioWebhookVerifier, type TwilioWebhookRequest, type WebhookParams } from '../twilio-webhook-verifier';
import { E164 } from '../dto/sms-channel.dto';

/** Twilio sends at most 10 media per MMS. */
const MAX_MEDIA = 10;

export interface InboundSms {
  messageSid: string;
  from: string;
  to: string;
  body: string;
  media: MessageAttachment[];
}

/** The fields of Twilio's incoming-message webhook; a missing or malformed one is 400 naming it. */
export function parseInboundSms(params: WebhookParams): InboundSms {
  const messageSid = requiredField(params, 'MessageSid');
  const from = requiredField(params, 'From');
  const to = requiredField(params, 'To');
  const rawNumMedia = field(params, 'NumMedia');
  let numMedia = 0;
  if (rawNumMedia !== undefined) {
    if (!/^\d+$/.test(rawNumMedia) || Number(rawNumMedia) > MAX_MEDIA) throw DomainError.invalid('NumMedia', `must be a whole number from 0 to ${MAX_MEDIA}`);
    numMedia = Number(rawNumMedia);
  }
  const body = field(params, 'Body');
  if (body === undefined && numMedia === 0) throw DomainError.invalid('Body', 'is required when the message has no media (NumMedia 0)');
  const media: MessageAttachment[] = [];
  for (let i = 0; i < numMedia; i += 1) {
    const url = requiredField(params, `MediaUrl${i}`);
    if (!/^https?:\/\/\S+$/.test(url)) throw DomainError.invalid(`MediaUrl${i}`, 'must be an http(s) URL');
    media.push({ url, contentType: field(params, `MediaContentType${i}`) ?? null });
  }
  return { messageSid, from: from.trim(), to: to.trim(), body: body ?? '', media };
}

export interface ReceiveTwilioSmsResult {
  messageId: string;
  conversationId: string;
  contactId: string;
  duplicate: boolean;
  keyword: SmsKeyword | null;
  /** The automatic answer to a keyword (confirmation or help text), when one went out or was already sent. */
  replyMessageId: string | null;
}

/**
 * Twilio's incoming-message webhook → the one inbound path (ReceiveInboundMessageUseCase), once per
 * MessageSid. The contact is the From number. MMS media URLs and content types are kept on the message.
 *
 * Keywords (sms-keywords.ts) are stored in the conversation history but do not signal the conversation
 * workflow (no routing, welcome or out-of-office). STOP & co. opt the contact out of the sms channel and
 * START & co. opt them in again, in the same transaction that stores the message (a Twilio retry does not
 * repeat it); then the account's confirmation text (optOut.enabled), resubscribe text (optOut.enabled and
 * optOut.resubscribeText set) or help text (HELP, INFO) is sent once, keyed by the inbound message.
 */
@Injectable()
export class ReceiveTwilioSmsUseCase {
  constructor(
    private readonly em: EntityManager,
    private readonly verifier: TwilioWebhookVerifier,
    private readonly receive: ReceiveInboundMessageUseCase,
    private readonly systemMessages: SystemMessages,
  ) {}

  async execute(req: TwilioWebhookRequest): Promise<ReceiveTwilioSmsResult> {
    await this.verifier.verify(req);
    const sms = parseInboundSms(req.params);
    const keyword = parseSmsKeyword(sms.body);
    const received = await this.receive.execute({
      inboxId: req.inboxId,
      contact: { sourceId: sms.from, phone: E164.test(sms.from) ? sms.from : undefined },
      content: sms.body,
      externalId: sms.messageSid,
      expectChannel: 'sms',
      attachments: sms.media,
      storeOnly: keyword !== null,
      onStored:
        keyword === 'opt_out'
          ? (em, stored) => recordOptOut(em, stored.contactId, 'sms', 'keyword')
          : keyword === 'opt_in'
            ? (em, stored) => clearOptOut(em, stored.contactId, 'sms')
            : undefined,
    });
    const text = keyword ? await this.keywordReply(req.inboxId, keyword) : null;
    const reply = text
      ? await this.systemMessages.send({ conversationId: received.conversationId, content: text, idempotencyKey: `sms-keyword-reply:${received.messageId}` })
      : null;
    return {
      messageId: received.messageId,
      conversationId: received.conversationId,
      contactId: received.contactId,
      duplicate: received.duplicate,
      keyword,
      replyMessageId: reply?.messageId ?? null,
    };
  }

  private async keywordReply(inboxId: string, keyword: SmsKeyword): Promise<string | null> {
    const em = this.em.fork();
    const inbox = await em.findOneOrFail(Inbox, { id: inboxId });
    const account = await em.findOneOrFail(Account, { id: inbox.account.id });
    const optOut = account.settings.optOut;
    const text = keyword === 'help' ? optOut.helpText : !optOut.enabled ? null : keyword === 'opt_out' ? optOut.confirmationText : optOut.resubscribeText;
    return text?.trim() ? text : null;
  }
}
