import type { ChannelType } from '../inboxes/inbox.entity';
import type { DeliveryStatus } from '../conversations/message.entity';

export interface OutboundMessage {
  messageId: string;
  conversationId: string;
  inboxId: string;
  content: string;
  /** SMS: media URLs sent with the text (MMS), checked when the message was stored. */
  mediaUrls?: string[];
}

export interface DeliveryResult {
  status: DeliveryStatus;
  providerMessageId?: string;
  error?: string;
}

/** One interface for every channel's outbound side; adapters live under channels/<type>/. */
export interface ChannelSender {
  readonly channelType: ChannelType;
  send(message: OutboundMessage): Promise<DeliveryResult>;
  /**
   * Optional: storing the message is its delivery (no provider to call; `send` answers this status
   * and nothing else). Callers that store a message may store it with this status at once instead of
   * storing it queued, calling `send` and writing the status again.
   */
  readonly deliveredWhenStored?: DeliveryStatus;
  /**
   * Optional, for many messages from one inbox to the given contacts (campaign batches): the per-inbox
   * work (settings, client, the contacts' addresses) done once; each call then behaves like `send`.
   */
  batch?(inboxId: string, contactIds: readonly string[]): Promise<(message: OutboundMessage & { contactId: string }) => Promise<DeliveryResult>>;
  /**
   * Optional: which of these messages the provider accepted although its answer never reached us (the
   * worker died or the call timed out). Asked before such a message is sent again, so a retry does not
   * send it twice. Message id → the provider's id, for those found. A channel without it sends again
   * (email does: with the same Message-ID, so the receiving side drops the copy).
   */
  findAccepted?(inboxId: string, messages: readonly InDoubtMessage[]): Promise<Map<string, string>>;
}

/** A message whose send was interrupted after it may have reached the provider (no answer was stored). */
export interface InDoubtMessage {
  messageId: string;
  contactId: string;
  content: string;
  /** When the message was stored, just before the provider call: the provider cannot have it from earlier. */
  since: Date;
}

export const CHANNEL_SENDERS = Symbol('CHANNEL_SENDERS');
