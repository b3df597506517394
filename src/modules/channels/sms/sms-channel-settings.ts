import { DomainError } from '../../../common/domain-error';
import type { Inbox } from '../../inboxes/inbox.entity';
import type { SmsChannelView } from './dto/sms-channel.dto';
import type { SmsChannel } from './sms-channel.entity';
import { smsInboundUrl, smsStatusCallbackUrl } from './sms-urls';

/**
 * Shared by the SMS channel settings use cases (get, set): Twilio settings belong to SMS inboxes, how
 * they are shown (never the auth token; the webhook URLs to configure in Twilio), and when a stored
 * auth token may be kept.
 */

/** 422 naming inboxId unless the inbox is an SMS inbox. */
export function requireSmsInbox(inbox: Inbox): void {
  if (inbox.channelType !== 'sms') {
    throw new DomainError('UNPROCESSABLE', `inboxId: inbox ${inbox.id} is an ${inbox.channelType} inbox; Twilio settings belong to sms inboxes`, [
      { field: 'inboxId', problem: `is an ${inbox.channelType} inbox, not an sms inbox` },
    ]);
  }
}

/** The settings as the API shows them, with the webhook URLs under PUBLIC_URL. */
export function smsChannelView(channel: SmsChannel, publicUrl: string): SmsChannelView {
  const inboxId = channel.inbox.id;
  return {
    inboxId,
    accountSid: channel.accountSid,
    authTokenSet: Boolean(channel.authTokenSealed),
    fromNumber: channel.fromNumber,
    messagingServiceSid: channel.messagingServiceSid,
    inboundWebhookUrl: smsInboundUrl(publicUrl, inboxId),
    statusCallbackUrl: smsStatusCallbackUrl(publicUrl, inboxId),
    updatedAt: channel.updatedAt.toISOString(),
  };
}

/**
 * 400 `authToken: required again because accountSid changed` when the account SID changes and no new
 * token comes with it: a stored token belongs to the Twilio account it was given for, and whoever may
 * edit the settings must not pair it with another account (nothing is stored then).
 */
export function requireTokenForNewAccount(stored: SmsChannel, accountSid: string, authToken: string | undefined): void {
  if (!authToken && stored.accountSid !== accountSid) throw DomainError.invalid('authToken', 'required again because accountSid changed');
}
