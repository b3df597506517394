import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable, Logger } from '@nestjs/common';
import { DomainError } from '../../../common/domain-error';
import { ConversationWorkflows } from '../../../temporal/conversation-workflows';
import type { Actor } from '../../auth/actor';
import { Contact } from '../../contacts/contact.entity';
import { findOrCreateContactFor } from '../../contacts/find-or-create-contact';
import { CsatReplies } from '../../csat/csat-replies';
import { Inbox } from '../../inboxes/inbox.entity';
import { Conversation } from '../conversation.entity';
import { recordConversationEvents } from '../conversation-events';
import { recordDecision } from '../decision-log';
import { Message, type MessageAttachment } from '../message.entity';

export interface InboundContact {
  /** The contact's address on this channel: API source id, email address or phone number. */
  sourceId: string;
  name?: string;
  email?: string;
  phone?: string;
}

export interface ReceiveInboundMessageInput {
  /**
   * Who posts the message through the API channel: they must be a member of the inbox (another
   * account's inbox: 404; not a member: 403). Absent for the channel adapters (email, SMS), which
   * found the inbox themselves.
   */
  actor?: Actor;
  inboxId: string;
  contact: InboundContact;
  content: string;
  /** The sender's own id for this message; a repeat delivery with the same id is stored once. */
  externalId?: string;
  /** When given, the inbox must be of this channel type (channel adapters pass their own). */
  expectChannel?: Inbox['channelType'];
  /** Media that came with the message (MMS media URLs and content types). */
  attachments?: MessageAttachment[];
  /**
   * Store only (channel keywords such as STOP, START, HELP): the message joins the contact's conversation
   * history, but the conversation workflow is not signalled (no routing, welcome or out-of-office), the
   * conversation keeps its status (nobody is asked to answer a keyword), and a contact's first message
   * opens its conversation as resolved.
   */
  storeOnly?: boolean;
  /**
   * An automatic message (auto-reply, bounce, list mail): stored on the message (`messages.automated`),
   * so the welcome and out-of-office use cases skip it and two auto-responders cannot loop.
   */
  automated?: boolean;
  /**
   * Thread into this conversation (email In-Reply-To/References matched an earlier message) when it is
   * of this inbox and not spam; otherwise the usual choice below applies.
   */
  threadInto?: string | null;
  /**
   * Without a thread: open a new conversation instead of continuing the contact's latest one (email:
   * a new mail that replies to nothing is a new conversation).
   */
  startNewConversation?: boolean;
  /** Runs inside the storing transaction for a newly stored message (not for a repeated externalId). */
  onStored?: (em: EntityManager, stored: { contactId: string; conversationId: string; messageId: string }) => Promise<void>;
}

export interface ReceiveInboundMessageResult {
  conversationId: string;
  messageId: string;
  contactId: string;
  /** True when this delivery repeated an externalId already stored. */
  duplicate: boolean;
  conversationCreated: boolean;
}

/**
 * The one inbound path for every channel: find or create the contact and its conversation, store the
 * message, then start or signal conversation:<id>. The write is one transaction serialised per
 * (inbox, sender), so concurrent messages from one person land in one conversation. A message on an
 * open, pending or resolved conversation moves it back to new (waiting for an agent's answer) and
 * records that as a `status` decision naming the message, which routing reads: a conversation moved
 * back to new while its assignee is logged out is unassigned at once.
 */
@Injectable()
export class ReceiveInboundMessageUseCase {
  private readonly logger = new Logger(ReceiveInboundMessageUseCase.name);

  constructor(
    private readonly em: EntityManager,
    private readonly workflows: ConversationWorkflows,
    private readonly csatReplies: CsatReplies,
  ) {}

  async execute(input: ReceiveInboundMessageInput): Promise<ReceiveInboundMessageResult> {
    const stored = await this.store(input);
    if (!input.storeOnly) await this.notify(input, stored);
    return {
      conversationId: stored.conversation.id,
      messageId: stored.messageId,
      contactId: stored.contactId,
      duplicate: stored.duplicate,
      conversationCreated: stored.created,
    };
  }

  private async notify(input: ReceiveInboundMessageInput, stored: Awaited<ReturnType<ReceiveInboundMessageUseCase['store']>>): Promise<void> {
    try {
      await this.workflows.notifyInboundMessage(
        {
          conversationId: stored.conversation.id,
          inboxId: input.inboxId,
          channel: stored.conversation.channelType,
          status: stored.conversation.status,
          assigneeId: stored.conversation.assigneeId,
          vip: stored.vip,
        },
        stored.messageId,
      );
    } catch (err) {
      this.logger.error(`conversation ${stored.conversation.id}: workflow not notified: ${(err as Error).message}`);
      throw new DomainError(
        'DEPENDENCY_UNAVAILABLE',
        `message stored as ${stored.messageId} in conversation ${stored.conversation.id}, but the conversation workflow ` +
          `could not be notified (Temporal unreachable); retry with the same externalId to notify it without storing twice`,
      );
    }
  }

  private async store(input: ReceiveInboundMessageInput) {
    return this.em.fork().transactional(async (em) => {
      // The inbox, its account's matching setting and (for a person posting through the API) their role
      // in it, in one statement that also serialises everything that arrives from one sender in one inbox
      // (the lock is taken once the inbox row is found; what depends on the sender is read after it).
      const [inbox] = await em.execute<{ id: string; account_id: string; channel_type: Inbox['channelType']; matching: 'email' | 'phone' | null; role: string | null }[]>(
        `select i.id, i.account_id, i.channel_type, a.settings ->> 'matchingAttribute' as matching,
                (select m.role from inbox_memberships m where m.inbox_id = i.id and m.user_id = ?) as role,
                pg_advisory_xact_lock(hashtextextended('inbound:' || i.id::text || ':' || ?, 0)) is null as locked
           from inboxes i join accounts a on a.id = i.account_id where i.id = ?`,
        [input.actor?.userId ?? null, input.contact.sourceId, input.inboxId],
      );
      // Another account's inbox does not exist for the caller; a member of the account who is not one of the inbox answers 403.
      if (!inbox || (input.actor && inbox.account_id !== input.actor.accountId)) throw DomainError.notFound('inbox', input.inboxId);
      if (input.actor && !input.actor.isAdmin && !inbox.role) throw new DomainError('FORBIDDEN', `you are not a member of inbox ${input.inboxId}`);
      if (input.expectChannel && inbox.channel_type !== input.expectChannel) {
        throw new DomainError(
          'UNPROCESSABLE',
          `inbox ${inbox.id} is a ${inbox.channel_type} inbox; its messages arrive through the ${inbox.channel_type} channel`,
        );
      }
      const accountId = inbox.account_id;
      const channelType = inbox.channel_type;

      const idempotencyKey = input.externalId ? `inbound:${inbox.id}:${input.externalId}` : null;
      if (idempotencyKey) {
        const existing = await em.findOne(Message, { idempotencyKey }, { populate: ['conversation'] });
        if (existing) {
          const conversation = existing.conversation.getEntity();
          const contact = await em.findOneOrFail(Contact, { id: conversation.contact.id });
          return { conversation, messageId: existing.id, contactId: contact.id, vip: contact.vip, duplicate: true, created: false };
        }
      }

      const { contact, created: newContact } = await findOrCreateContactFor(em, accountId, channelType, input.contact, { matchingAttribute: inbox.matching ?? null });

      let conversation = input.threadInto
        ? await em.findOne(Conversation, { id: input.threadInto, inbox: inbox.id, status: { $ne: 'spam' } })
        : null;
      // A contact made just now has no conversation yet.
      if (!conversation && !input.startNewConversation && !newContact) {
        conversation = await em.findOne(
          Conversation,
          { inbox: inbox.id, contact: contact.id, status: { $ne: 'spam' } },
          { orderBy: { createdAt: 'desc' } },
        );
      }
      let created = false;
      /** The status this message moved the conversation back to `new` from (routing reads it: see RouteConversationUseCase). */
      let movedBackFrom: Conversation['status'] | null = null;
      if (!conversation) {
        conversation = em.create(Conversation, {
          account: accountId,
          inbox: inbox.id,
          contact: contact.id,
          channelType,
          status: input.storeOnly ? 'resolved' : 'new',
          resolvedAt: input.storeOnly ? new Date() : null,
        });
        created = true;
      } else if (!input.storeOnly && conversation.status !== 'new') {
        // The customer wrote again: open, pending and resolved conversations wait for an agent's answer
        // again (new). A reply that rates the survey ("4 thanks!") keeps a resolved one resolved.
        const ratesSurvey = conversation.status === 'resolved' && (await this.csatReplies.tryRecordFromReply(em, conversation, input.content));
        if (!ratesSurvey) {
          movedBackFrom = conversation.status;
          conversation.status = 'new';
        }
      }
      conversation.lastActivityAt = new Date();
      const message = em.create(Message, {
        conversation,
        direction: 'inbound',
        senderType: 'contact',
        content: input.content,
        deliveryStatus: 'received',
        idempotencyKey,
        attachments: input.attachments ?? [],
        automated: input.automated ?? false,
      });
      await em.flush();
      await recordConversationEvents(em, [
        ...(created ? [{ conversationId: conversation.id, type: 'conversation_created' as const, data: { channel: channelType } }] : []),
        ...(movedBackFrom ? [{ conversationId: conversation.id, type: 'status_changed' as const, data: { from: movedBackFrom, to: 'new', messageId: message.id } }] : []),
        ...(input.storeOnly ? [] : [{ conversationId: conversation.id, type: 'message_received' as const, data: { messageId: message.id } }]),
      ]);
      if (movedBackFrom) {
        await recordDecision(em, {
          conversationId: conversation.id,
          kind: 'status',
          summary: `back to new: the customer wrote again (was ${movedBackFrom})`,
          details: { from: movedBackFrom, to: 'new', messageId: message.id },
        });
      }
      await input.onStored?.(em, { contactId: contact.id, conversationId: conversation.id, messageId: message.id });
      return { conversation, messageId: message.id, contactId: contact.id, vip: contact.vip, duplicate: false, created };
    });
  }
}
