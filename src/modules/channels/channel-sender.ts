import type { ChannelType } from '../inboxes/inbox.entity';
import type { DeliveryStatus } from '../conversations/message.entity';

export interface OutboundMessage {
  messageId: string;
  conversationId: string;
  inboxId: string;
  content: string;
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
   * Optional, for many messages from one inbox to the given contacts (campaign batches): the per-inbox
   * work (settings, client, the contacts' addresses) done once; each call then behaves like `send`.
   */
  batch?(inboxId: string, contactIds: readonly string[]): Promise<(message: OutboundMessage & { contactId: string }) => Promise<DeliveryResult>>;
}

export const CHANNEL_SENDERS = Symbol('CHANNEL_SENDERS');
