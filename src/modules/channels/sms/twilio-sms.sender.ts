import { EntityManager } from '@mikro-orm/postgresql';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { pgArrayLiteral } from '../../../common/pg-array';
import { SecretBox } from '../../../common/secret-box';
import { APP_CONFIG, type ServiceConfig } from '../../../config/config';
import { ContactIdentity } from '../../contacts/contact.entity';
import { Conversation } from '../../conversations/conversation.entity';
import type { ChannelSender, DeliveryResult, InDoubtMessage, OutboundMessage } from '../channel-sender';
import { SmsChannel } from './sms-channel.entity';
import { TwilioClientFactory } from './twilio-client.factory';
import { smsStatusCallbackUrl } from './sms-urls';

/** What the Twilio client throws for an HTTP error answer (twilio.RestException). */
interface TwilioRestError {
  status: number;
  code?: number;
  message?: string;
}

function isRestError(err: unknown): err is TwilioRestError {
  return typeof err === 'object' && err !== null && typeof (err as TwilioRestError).status === 'number';
}

/**
 * Transient: no HTTP answer (timeout, connection refused/reset), 429 and 5xx. The sender throws them,
 * so the caller keeps the message queued and a retry (the client's idempotencyKey, or Temporal's
 * activity retry) sends it. Everything else Twilio refuses (4xx: 21211 invalid number, 21610
 * unsubscribed recipient, 21408 region not enabled, ...) is permanent: the message is failed with
 * Twilio's reason, which the agent sees on the message.
 */
export function isTransientTwilioError(err: unknown): boolean {
  if (!isRestError(err)) return true;
  return err.status === 429 || err.status >= 500;
}

export function twilioErrorText(err: { code?: number | string | null; message?: string | null }): string {
  const code = err.code === undefined || err.code === null || err.code === '' ? '' : ` ${err.code}`;
  return `Twilio error${code}: ${err.message?.trim() || 'no reason given'}`;
}

/** Messages read from Twilio's log per lookup: the interrupted one is among the sender's latest to that number. */
const LOOKUP_LIMIT = 50;
/** Lookups in flight at once. */
const LOOKUP_CONCURRENCY = 10;
/** Twilio's clock against ours. */
const CLOCK_SKEW_MS = 60_000;

/** Outbound SMS through the official Twilio client (Messages API), with a status callback per message. */
@Injectable()
export class TwilioSmsSender implements ChannelSender {
  readonly channelType = 'sms' as const;
  private readonly logger = new Logger(TwilioSmsSender.name);

  constructor(
    private readonly em: EntityManager,
    private readonly secrets: SecretBox,
    private readonly clients: TwilioClientFactory,
    @Inject(APP_CONFIG) private readonly config: ServiceConfig,
  ) {}

  async send(message: OutboundMessage): Promise<DeliveryResult> {
    const em = this.em.fork();
    const channel = await em.findOne(SmsChannel, { inbox: message.inboxId });
    if (!channel) {
      return { status: 'failed', error: `inbox ${message.inboxId} has no Twilio settings yet; a manager sets them under the inbox's SMS channel` };
    }
    if (!channel.fromNumber && !channel.messagingServiceSid) {
      return { status: 'failed', error: `inbox ${message.inboxId}: the SMS channel has neither a from number nor a messaging service` };
    }
    const to = await this.recipient(em, message.conversationId);
    if (!to) return { status: 'failed', error: 'the contact has no phone number for SMS' };

    const client = this.clients.create(channel.accountSid, this.secrets.decrypt(channel.authTokenSealed, 'authToken'));
    return this.deliver(client, channel, to, message);
  }

  /** Like `send` for many messages of one inbox: the channel, the client and the contacts' addresses are read once. */
  async batch(inboxId: string, contactIds: readonly string[]): Promise<(message: OutboundMessage & { contactId: string }) => Promise<DeliveryResult>> {
    const em = this.em.fork();
    const channel = await em.findOne(SmsChannel, { inbox: inboxId });
    if (!channel || (!channel.fromNumber && !channel.messagingServiceSid)) return (message) => this.send(message);
    const addresses = await this.addresses(em, contactIds);
    const client = this.clients.create(channel.accountSid, this.secrets.decrypt(channel.authTokenSealed, 'authToken'));
    return async (message) => {
      const to = addresses.get(message.contactId);
      if (!to) return { status: 'failed', error: 'the contact has no phone number for SMS' };
      return this.deliver(client, channel, to, message);
    };
  }

  /**
   * Looks each message up in Twilio's message log (Messages list, filtered by To and From, newest
   * first): the one from this sender to this number with the same body, created since the message was
   * stored, whose SID no other message of ours holds. Not filtered by DateSent: Twilio fills it only
   * once the message left its queue. A failed lookup throws (transient), so the caller retries rather
   * than risk a second send.
   */
  async findAccepted(inboxId: string, messages: readonly InDoubtMessage[]): Promise<Map<string, string>> {
    const found = new Map<string, string>();
    if (!messages.length) return found;
    const em = this.em.fork();
    const channel = await em.findOne(SmsChannel, { inbox: inboxId });
    if (!channel || (!channel.fromNumber && !channel.messagingServiceSid)) return found;
    const addresses = await this.addresses(em, messages.map((m) => m.contactId));
    const client = this.clients.create(channel.accountSid, this.secrets.decrypt(channel.authTokenSealed, 'authToken'));
    // Every message of the sender to that number with the same body since the message was stored.
    const candidates = new Map<string, string[]>();
    let next = 0;
    const lookup = async () => {
      while (next < messages.length) {
        const m = messages[next++];
        const to = addresses.get(m.contactId);
        if (!to) continue;
        const listed = await client.messages.list({ to, ...(channel.messagingServiceSid ? {} : { from: channel.fromNumber! }), limit: LOOKUP_LIMIT });
        const since = m.since.getTime() - CLOCK_SKEW_MS;
        const matching = listed.filter(
          (t) =>
            t.body === m.content &&
            (t.dateCreated?.getTime() ?? 0) >= since &&
            (channel.messagingServiceSid ? t.messagingServiceSid === channel.messagingServiceSid : true),
        );
        candidates.set(m.messageId, matching.reverse().map((t) => t.sid)); // oldest first
      }
    };
    await Promise.all(Array.from({ length: Math.min(LOOKUP_CONCURRENCY, messages.length) }, lookup));
    // A SID already stored on another message is that one's (the same text to the same number twice);
    // two in-doubt messages alike get one SID each.
    const allSids = [...new Set([...candidates.values()].flat())];
    const taken = new Set(
      allSids.length
        ? (await em.execute<{ sid: string }[]>(`select provider_message_id as sid from messages where provider_message_id = any(?::text[])`, [pgArrayLiteral(allSids)])).map((r) => r.sid)
        : [],
    );
    for (const m of messages) {
      const sid = candidates.get(m.messageId)?.find((c) => !taken.has(c));
      if (!sid) continue;
      taken.add(sid);
      found.set(m.messageId, sid);
    }
    if (found.size) this.logger.log(`inbox ${inboxId}: ${found.size} of ${messages.length} interrupted sends had reached Twilio; not sent again`);
    return found;
  }

  /** Contact id → SMS address: the number they wrote from, else the phone on the contact. */
  private async addresses(em: EntityManager, contactIds: readonly string[]): Promise<Map<string, string | null>> {
    if (!contactIds.length) return new Map();
    const rows = await em.execute<{ id: string; address: string | null }[]>(
      `select c.id, coalesce((select ci.address from contact_identities ci where ci.contact_id = c.id and ci.channel_type = 'sms' order by ci.created_at asc limit 1), c.phone) as address
         from contacts c where c.id = any(?::uuid[])`,
      [`{${contactIds.join(',')}}`],
    );
    return new Map(rows.map((r) => [r.id, r.address]));
  }

  private async deliver(client: ReturnType<TwilioClientFactory['create']>, channel: SmsChannel, to: string, message: OutboundMessage): Promise<DeliveryResult> {
    try {
      const sent = await client.messages.create({
        to,
        body: message.content,
        ...(message.mediaUrls?.length ? { mediaUrl: message.mediaUrls } : {}),
        ...(channel.messagingServiceSid ? { messagingServiceSid: channel.messagingServiceSid } : { from: channel.fromNumber! }),
        statusCallback: smsStatusCallbackUrl(this.config.publicUrl, message.inboxId, message.messageId),
      });
      return { status: 'sent', providerMessageId: sent.sid };
    } catch (err) {
      if (isTransientTwilioError(err)) {
        this.logger.warn(`message ${message.messageId}: Twilio unavailable (${(err as Error).message}); it stays queued for a retry`);
        throw err;
      }
      const reason = twilioErrorText(err as TwilioRestError);
      this.logger.warn(`message ${message.messageId}: Twilio refused it: ${reason}`);
      return { status: 'failed', error: reason };
    }
  }

  /** The contact's SMS address: the number they wrote from, else the phone on the contact. */
  private async recipient(em: EntityManager, conversationId: string): Promise<string | null> {
    const conversation = await em.findOneOrFail(Conversation, { id: conversationId }, { populate: ['contact'] });
    const identity = await em.findOne(
      ContactIdentity,
      { contact: conversation.contact.id, channelType: 'sms' },
      { orderBy: { createdAt: 'asc' } },
    );
    return identity?.address ?? conversation.contact.getEntity().phone ?? null;
  }
}
