import { EntityManager } from '@mikro-orm/postgresql';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { DomainError } from '../../../common/domain-error';
import type { Actor } from '../../auth/actor';
import type { DeliveryResult } from '../../channels/channel-sender';
import { ChannelSenders } from '../../channels/channel-senders';
import type { Inbox } from '../../inboxes/inbox.entity';
import { ConversationWorkflows } from '../../../temporal/conversation-workflows';
import { ConversationAccess } from '../conversation-access';
import { type ConversationEventInput, type EventCause, recordConversationEvents } from '../conversation-events';
import { Message, type MessageAttachment } from '../message.entity';
import { checkMmsMedia } from '../../channels/sms/mms-media';
import { APP_CONFIG, type ServiceConfig } from '../../../config/config';

export interface ReplyToConversationInput {
  conversationId: string;
  content: string;
  /** The client's id for this reply: a retry with the same key returns the first message and sends nothing new. */
  idempotencyKey?: string;
  /** The agent replying; absent for the system (automation), which is not bound by the assignment mode. */
  actor?: Actor;
  /** Email: the subject of this message (an agent starting a conversation); replies otherwise answer "Re: <last subject>". */
  subject?: string;
  /**
   * Set when an automation rule's action sends this message (the event log names the rule). Its workflow is not
   * signalled: the automation pass that ran the action answers the change in the same workflow task.
   */
  cause?: EventCause;
  /** SMS only: media sent with the text as an MMS (checked first: see channels/sms/mms-media.ts). */
  mediaUrls?: string[];
}

export interface ReplyToConversationResult {
  message: Message;
  duplicate: boolean;
}

/**
 * An agent's outbound message: stored, then delivered through the inbox's channel.
 *
 * Who may reply: in open mode any member of the inbox. In assignment mode only the user holding the
 * conversation — managers and administrators included: they can always take it (assign it to
 * themselves) first, but the one voice towards the customer is the assignee's (403 otherwise).
 * A reply moves a `new` conversation to `open`, counts as activity and marks it read for the replier.
 * A retry (same idempotencyKey) of a message still queued asks the channel first whether the provider
 * took the first attempt (`findAccepted`: Twilio's message log), so it is not sent twice.
 * The write holds the conversation's row lock, so it serialises with assignment changes.
 */
@Injectable()
export class ReplyToConversationUseCase {
  private readonly logger = new Logger(ReplyToConversationUseCase.name);

  constructor(
    private readonly em: EntityManager,
    private readonly conversations: ConversationAccess,
    private readonly senders: ChannelSenders,
    private readonly workflows: ConversationWorkflows,
    @Inject(APP_CONFIG) private readonly config: ServiceConfig,
  ) {}

  async execute(input: ReplyToConversationInput): Promise<ReplyToConversationResult> {
    if (!input.content.trim()) throw DomainError.invalid('content', 'must not be empty');
    const media = input.mediaUrls?.length ? await this.checkMedia(input) : [];
    const stored = await this.em.fork().transactional(async (tx) => {
      const { conversation, inbox, role } = await this.conversations.load(tx, input.conversationId, input.actor, { lock: true });
      const idempotencyKey = input.idempotencyKey
        ? `reply:${conversation.id}:${input.actor?.userId ?? 'system'}:${input.idempotencyKey}`
        : null;
      if (idempotencyKey) {
        const existing = await tx.findOne(Message, { idempotencyKey });
        if (existing) return { message: existing, duplicate: true, inbox, opened: false, evented: false, contactId: conversation.contact.id };
      }
      if (conversation.status === 'spam') {
        throw new DomainError('UNPROCESSABLE', `status: conversation ${conversation.id} was closed as spam; reopen it before replying`, [
          { field: 'status', problem: 'is spam' },
        ]);
      }
      const mode = inbox.settings?.assignmentMode ?? 'assignment';
      if (role !== 'system' && mode === 'assignment' && conversation.assigneeId !== input.actor!.userId) {
        throw new DomainError(
          'FORBIDDEN',
          `you cannot reply: inbox ${inbox.id} is in assignment mode and replying needs conversation ${conversation.id} to be assigned to you first`,
        );
      }
      this.senders.for(inbox.channelType); // 422 now, before storing, when the channel cannot send

      const now = new Date();
      const message = tx.create(Message, {
        conversation,
        direction: 'outbound',
        senderType: input.actor ? 'agent' : input.cause ? 'rule' : 'system',
        senderUserId: input.actor?.userId ?? null,
        content: input.content,
        deliveryStatus: 'queued',
        idempotencyKey,
        subject: input.subject ?? null,
        attachments: media,
        createdAt: now,
      });
      const wasNew = conversation.status === 'new';
      if (wasNew) conversation.status = 'open';
      conversation.lastActivityAt = now;
      await tx.flush();
      if (input.actor) {
        await tx.execute(
          `insert into conversation_user_states (id, conversation_id, "user", read_at) values (gen_random_uuid(), ?, ?, ?)
           on conflict ("user", conversation_id) do update set read_at = excluded.read_at`,
          [conversation.id, input.actor.userId, now],
        );
      }
      // An agent's reply (or a rule's message) is an event rules can run on; the system's own messages are not.
      const by = { actorUserId: input.actor?.userId, cause: input.cause };
      const events: ConversationEventInput[] = [
        ...(wasNew ? [{ conversationId: conversation.id, type: 'status_changed' as const, data: { from: 'new', to: 'open', messageId: message.id }, ...by }] : []),
        ...(input.actor || input.cause ? [{ conversationId: conversation.id, type: 'message_sent' as const, data: { messageId: message.id, senderType: message.senderType }, ...by }] : []),
      ];
      await recordConversationEvents(tx, events);
      return { message, duplicate: false, inbox, opened: wasNew, evented: events.length > 0, contactId: conversation.contact.id };
    });

    const { message, inbox } = stored;
    if (stored.evented && !input.cause) await this.workflows.notifyChanged([input.conversationId], stored.opened ? 'an agent replied: open' : 'an agent replied');
    if (message.deliveryStatus === 'queued') {
      // A retry of a message stored before: the first attempt may have reached the provider without its answer being stored.
      const inDoubt = stored.duplicate ? { contactId: stored.contactId, since: message.createdAt } : null;
      const delivered = await this.deliver(message, inbox.id, inbox.channelType, input.conversationId, inDoubt);
      const now = delivered ?? (await this.em.fork().findOneOrFail(Message, { id: message.id }));
      message.deliveryStatus = 'status' in now ? now.status : now.deliveryStatus;
      message.error = now.error ?? null;
      message.providerMessageId = now.providerMessageId ?? null;
    }
    return { message, duplicate: stored.duplicate };
  }

  /**
   * The media of an MMS reply, checked before anything is stored: only for a conversation the caller
   * may answer (read without a lock: the network checks must not hold the row), and only on SMS.
   */
  private async checkMedia(input: ReplyToConversationInput): Promise<MessageAttachment[]> {
    const { inbox } = await this.conversations.load(this.em.fork(), input.conversationId, input.actor);
    if (inbox.channelType !== 'sms') throw DomainError.invalid('mediaUrls', `only SMS conversations carry media (MMS); this one is ${inbox.channelType}`);
    return checkMmsMedia(input.mediaUrls!, this.config.outbound, this.config.mms);
  }

  /**
   * Hands a queued message to its channel at most once at a time: the message row is locked
   * (for update skip locked) for the duration of the send, so a concurrent retry with the same
   * idempotencyKey skips it instead of sending again; a failed hand-over rolls back and leaves it
   * queued for the next retry. Returns null when there was nothing (more) to send.
   */
  private async deliver(
    message: Message,
    inboxId: string,
    channelType: Inbox['channelType'],
    conversationId: string,
    inDoubt: { contactId: string; since: Date } | null,
  ): Promise<DeliveryResult | null> {
    return this.em.fork().transactional(async (em) => {
      const claimed = await em.execute<{ id: string }[]>(`select id from messages where id = ? and delivery_status = 'queued' for update skip locked`, [
        message.id,
      ]);
      if (claimed.length === 0) return null;
      const sender = this.senders.for(channelType);
      let result: DeliveryResult;
      try {
        const accepted = inDoubt && sender.findAccepted ? (await sender.findAccepted(inboxId, [{ messageId: message.id, content: message.content, ...inDoubt }])).get(message.id) : undefined;
        result = accepted ? { status: 'sent', providerMessageId: accepted } : await sender.send({ messageId: message.id, conversationId, inboxId, content: message.content, mediaUrls: message.attachments.map((a) => a.url) });
      } catch (err) {
        this.logger.error(`message ${message.id}: channel ${channelType} failed: ${(err as Error).message}`);
        throw new DomainError(
          'DEPENDENCY_UNAVAILABLE',
          `reply stored as message ${message.id} but the ${channelType} channel could not take it; ` +
            `retry with the same idempotencyKey to send it without storing it twice`,
        );
      }
      await em.nativeUpdate(
        Message,
        { id: message.id },
        { deliveryStatus: result.status, error: result.error ?? null, providerMessageId: result.providerMessageId ?? null },
      );
      return result;
    });
  }
}
