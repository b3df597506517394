import { randomUUID } from 'node:crypto';
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
      // The sender's identity (and its contact's VIP flag) and, with an externalId, whether this delivery
      // is a repeat: one statement, no entities.
      const [known] = await em.execute<{ contact_id: string | null; vip: boolean | null; duplicate_id: string | null }[]>(
        `select ci.contact_id, ct.vip, ${idempotencyKey ? '(select m.id from messages m where m.idempotency_key = ?)' : 'null'} as duplicate_id
           from (select 1) one
           left join contact_identities ci on ci.account_id = ? and ci.channel_type = ? and ci.address = ?
           left join contacts ct on ct.id = ci.contact_id`,
        [...(idempotencyKey ? [idempotencyKey] : []), accountId, channelType, input.contact.sourceId],
      );
      if (idempotencyKey && known?.duplicate_id !== null && known?.duplicate_id !== undefined) {
        const existing = await em.findOneOrFail(Message, { idempotencyKey }, { populate: ['conversation'] });
        const conversation = existing.conversation.getEntity();
        const contact = await em.findOneOrFail(Contact, { id: conversation.contact.id });
        return { conversation: refOf(conversation), messageId: existing.id, contactId: contact.id, vip: contact.vip, duplicate: true, created: false };
      }

      const email = input.contact.email ?? (channelType === 'email' ? input.contact.sourceId : null);
      const phone = input.contact.phone ?? (channelType === 'sms' ? input.contact.sourceId : null);
      const matchable = (inbox.matching === 'email' && !!email?.trim()) || (inbox.matching === 'phone' && !!phone);
      if (!known?.contact_id && !matchable && !input.threadInto) {
        // A new sender that no other contact can match: contact, identity, conversation, message and
        // events in one statement (see insertFirstMessage).
        const first = await insertFirstMessage(em, {
          accountId,
          inboxId: inbox.id,
          channelType,
          contact: { name: input.contact.name ?? null, email, phone, address: input.contact.sourceId },
          content: input.content,
          idempotencyKey,
          attachments: input.attachments ?? [],
          automated: input.automated ?? false,
          storeOnly: input.storeOnly ?? false,
        });
        if (first) {
          await input.onStored?.(em, { contactId: first.contactId, conversationId: first.conversation.id, messageId: first.messageId });
          return { ...first, vip: false, duplicate: false, created: true };
        }
        // The identity was taken meanwhile (the same sender in another inbox): the general path below finds it.
      }

      const { contact, created: newContact } = known?.contact_id
        ? { contact: { id: known.contact_id, vip: known.vip === true }, created: false }
        : await findOrCreateContactFor(em, accountId, channelType, input.contact, { matchingAttribute: inbox.matching ?? null });

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
      return { conversation: refOf(conversation), messageId: message.id, contactId: contact.id, vip: contact.vip, duplicate: false, created };
    });
  }
}

/** What the caller and the workflow notification need of the conversation. */
interface StoredConversation {
  id: string;
  channelType: Inbox['channelType'];
  status: Conversation['status'];
  assigneeId: string | null;
}

function refOf(c: Conversation): StoredConversation {
  return { id: c.id, channelType: c.channelType, status: c.status, assigneeId: c.assigneeId };
}

/**
 * A new sender's first message, as the general path would store it (the same rows, columns and
 * events), in one statement: the identity is inserted first and everything else only when it was
 * (ON CONFLICT DO NOTHING: the same sender writing to another inbox at this moment got it; then
 * nothing is written and the caller takes the general path, which finds the winner's contact).
 * Foreign keys are checked at the end of the statement, so the identity may name the contact
 * inserted beside it.
 */
async function insertFirstMessage(
  em: EntityManager,
  p: {
    accountId: string;
    inboxId: string;
    channelType: Inbox['channelType'];
    contact: { name: string | null; email: string | null; phone: string | null; address: string };
    content: string;
    idempotencyKey: string | null;
    attachments: MessageAttachment[];
    automated: boolean;
    storeOnly: boolean;
  },
): Promise<{ conversation: StoredConversation; messageId: string; contactId: string } | null> {
  const contactId = randomUUID();
  const conversationId = randomUUID();
  const now = new Date();
  const status: Conversation['status'] = p.storeOnly ? 'resolved' : 'new';
  const [row] = await em.execute<{ message_id: string }[]>(
    `with ident as (
       insert into contact_identities (id, account_id, contact_id, channel_type, address, created_at)
       values (gen_random_uuid(), ?::uuid, ?::uuid, ?::text, ?::text, clock_timestamp())
       on conflict (account_id, channel_type, address) do nothing
       returning contact_id
     ), contact as (
       insert into contacts (id, account_id, name, email, phone, vip, spam, platform_attributes, attributes, tags, created_at, updated_at)
       select contact_id, ?::uuid, ?::text, ?::text, ?::text, false, false, '{}'::jsonb, '{}'::jsonb, '{}'::text[], ?::timestamptz, ?::timestamptz from ident
       returning id
     ), conv as (
       insert into conversations (id, account_id, inbox_id, contact_id, channel_type, status, assignee_id, priority, last_activity_at, resolved_at, queued_at, queue_target, handler, created_at)
       select ?::uuid, ?::uuid, ?::uuid, contact_id, ?::text, ?::text, null::uuid, 0, ?::timestamptz, ?::timestamptz, null::timestamptz, null::text, 'human', ?::timestamptz from ident
       returning id
     ), msg as (
       insert into messages (conversation_id, direction, sender_type, content, delivery_status, sender_user_id, error, provider_message_id, attachments, subject, automated, email_message_id, email_meta, idempotency_key, created_at)
       select id, 'inbound', 'contact', ?::text, 'received', null::uuid, null::text, null::text, ?::jsonb, null::text, ?::boolean, null::text, null::jsonb, ?::text, ?::timestamptz from conv
       returning id
     ), ev as (
       insert into conversation_events (conversation_id, type, data, actor_user_id, cause_rule_id, cause_firing_id, depth)
       select conv.id, e.type, coalesce(e.data, jsonb_build_object('messageId', msg.id::text)), null, null, null, 0
         from conv, msg, (values (1, 'conversation_created', ?::jsonb), (2, 'message_received', null)) as e(n, type, data)
        where e.n = 1 or ?::boolean
        order by e.n
     )
     select (select id from msg)::text as message_id from ident`,
    [
      p.accountId,
      contactId,
      p.channelType,
      p.contact.address,
      p.accountId,
      p.contact.name,
      p.contact.email,
      p.contact.phone,
      now,
      now,
      conversationId,
      p.accountId,
      p.inboxId,
      p.channelType,
      status,
      now,
      p.storeOnly ? now : null,
      now,
      p.content,
      JSON.stringify(p.attachments),
      p.automated,
      p.idempotencyKey,
      now,
      JSON.stringify({ channel: p.channelType }),
      !p.storeOnly,
    ],
  );
  if (!row) return null;
  return { conversation: { id: conversationId, channelType: p.channelType, status, assigneeId: null }, messageId: String(row.message_id), contactId };
}
