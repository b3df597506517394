import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable, Logger } from '@nestjs/common';
import { DomainError } from '../../../common/domain-error';
import { ConversationWorkflows } from '../../../temporal/conversation-workflows';
import { AccessPolicy } from '../../auth/access-policy';
import type { Actor } from '../../auth/actor';
import { ChannelSenders } from '../../channels/channel-senders';
import { ContactAccess } from '../../contacts/contact-access';
import { Contact, ContactIdentity } from '../../contacts/contact.entity';
import { findOrCreateContact, normalisePhone } from '../../contacts/find-or-create-contact';
import type { Inbox } from '../../inboxes/inbox.entity';
import { Conversation } from '../conversation.entity';
import { recordConversationEvents } from '../conversation-events';
import { recordDecision } from '../decision-log';
import type { Message } from '../message.entity';
import { ReplyToConversationUseCase } from './reply-to-conversation.use-case';

export interface StartConversationInput {
  actor: Actor;
  inboxId: string;
  /** Exactly one of contactId, phone (SMS inboxes) and email (email inboxes). */
  contactId?: string;
  phone?: string;
  email?: string;
  content: string;
  /** Email inboxes: the first mail's subject. */
  subject?: string;
}

export interface StartConversationResult {
  conversationId: string;
  contactId: string;
  message: Message;
}

/** The first message's reply idempotency key: a delivery left queued is retried with it through POST .../messages. */
export const START_REPLY_KEY = 'start';

/** International format: +, country code, number (what Twilio sends and takes). */
const E164 = /^\+[1-9][0-9]{6,14}$/;

type Target = { field: 'contactId' | 'phone' | 'email'; value: string };

/**
 * An agent starts a conversation with a contact through the inbox's channel: an existing contact
 * (contactId, one the agent may see), or a phone number (SMS inbox) or email address (email inbox)
 * that is found or created as a contact (findOrCreateContact, the inbound path's own rules).
 *
 * In one transaction, serialised with the inbound path for that address: the inbox (members only),
 * the target and its channel address (a phone on an email inbox, an email on an SMS inbox: 400 naming
 * the field; a contact without an address on the channel: 422), the contact's SMS opt-out (409: an
 * opted-out contact is not texted), an active conversation of the contact in an SMS or
 * API inbox (409 naming it: those channels have one thread per contact, so the agent answers there;
 * email threads by headers, so it always starts a new one), then the conversation: status open,
 * assigned to the starting agent in assignment mode (nobody in open mode), with the decisions
 * explaining both. Then its workflow starts (Temporal unreachable: the conversation is removed again,
 * 503, nothing was sent), and the first message goes out through ReplyToConversationUseCase exactly as
 * a reply does (idempotency key "start": a delivery left queued by a provider outage is retried with
 * POST /conversations/:id/messages and that key). The welcome message is not sent when the customer
 * answers (SendWelcomeMessageUseCase sees the agent wrote first).
 */
@Injectable()
export class StartConversationUseCase {
  private readonly logger = new Logger(StartConversationUseCase.name);

  constructor(
    private readonly em: EntityManager,
    private readonly access: AccessPolicy,
    private readonly contacts: ContactAccess,
    private readonly senders: ChannelSenders,
    private readonly workflows: ConversationWorkflows,
    private readonly reply: ReplyToConversationUseCase,
  ) {}

  async execute(input: StartConversationInput): Promise<StartConversationResult> {
    if (!input.content.trim()) throw DomainError.invalid('content', 'must not be empty');
    const target = this.target(input);
    const created = await this.em.fork().transactional(async (em) => {
      const { inbox } = await this.access.requireMember(input.actor, input.inboxId, em);
      this.checkChannel(inbox, target, input.subject);
      this.senders.for(inbox.channelType); // 422 before anything is stored when the channel cannot send
      const contact = await this.contact(em, inbox, target, input.actor);
      await this.refuseOptedOut(em, inbox, contact, target);
      if (inbox.channelType !== 'email') await this.refuseActiveConversation(em, inbox, contact, target);

      const assignee = inbox.settings.assignmentMode === 'assignment' ? input.actor.userId : null;
      const now = new Date();
      const conversation = em.create(Conversation, {
        account: inbox.account.id,
        inbox: inbox.id,
        contact: contact.id,
        channelType: inbox.channelType,
        status: 'open',
        assigneeId: assignee,
        lastActivityAt: now,
        createdAt: now,
      });
      await em.flush();
      await recordDecision(em, {
        conversationId: conversation.id,
        kind: 'status',
        summary: `started by ${input.actor.name} through the ${inbox.channelType} channel (open)`,
        details: { startedBy: input.actor.userId, channel: inbox.channelType, [target.field]: target.value },
        actorUserId: input.actor.userId,
      });
      if (assignee) {
        await recordDecision(em, {
          conversationId: conversation.id,
          kind: 'assigned',
          summary: `assigned to ${input.actor.name}: they started the conversation (assignment mode)`,
          details: { assigneeId: assignee, previousAssigneeId: null },
          actorUserId: input.actor.userId,
        });
      }
      await recordConversationEvents(em, [
        { conversationId: conversation.id, type: 'conversation_created', data: { channel: inbox.channelType, startedBy: input.actor.userId }, actorUserId: input.actor.userId },
        ...(assignee ? [{ conversationId: conversation.id, type: 'assigned' as const, data: { assigneeId: assignee, previousAssigneeId: null }, actorUserId: input.actor.userId }] : []),
      ]);
      return { conversation, contact };
    });

    const { conversation, contact } = created;
    try {
      await this.workflows.start(
        {
          conversationId: conversation.id,
          inboxId: conversation.inbox.id,
          channel: conversation.channelType,
          status: conversation.status,
          assigneeId: conversation.assigneeId,
          vip: contact.vip,
        },
        `started by ${input.actor.name}`,
      );
    } catch (err) {
      this.logger.error(`conversation ${conversation.id}: workflow not started: ${(err as Error).message}`);
      await this.em.fork().nativeDelete(Conversation, { id: conversation.id });
      throw new DomainError('DEPENDENCY_UNAVAILABLE', 'the conversation could not be started (Temporal unreachable); nothing was sent or kept, try again');
    }

    try {
      const { message } = await this.reply.execute({ actor: input.actor, conversationId: conversation.id, content: input.content, subject: input.subject, idempotencyKey: START_REPLY_KEY });
      return { conversationId: conversation.id, contactId: contact.id, message };
    } catch (err) {
      if (err instanceof DomainError && err.code === 'DEPENDENCY_UNAVAILABLE') {
        throw new DomainError(
          'DEPENDENCY_UNAVAILABLE',
          `conversation ${conversation.id} was started and its first message stored, but the ${conversation.channelType} channel could not take it; ` +
            `retry with POST /api/v1/conversations/${conversation.id}/messages and idempotencyKey "${START_REPLY_KEY}" to send it without storing it twice`,
        );
      }
      throw err;
    }
  }

  private target(input: StartConversationInput): Target {
    const given = (['contactId', 'phone', 'email'] as const).filter((f) => input[f] !== undefined && input[f] !== null);
    if (given.length !== 1) {
      const problem = given.length ? `give only one of contactId, phone and email (got ${given.join(', ')})` : 'give one of contactId, phone and email';
      throw DomainError.invalid(given[1] ?? 'contactId', problem);
    }
    const field = given[0];
    const raw = String(input[field]).trim();
    if (field === 'phone') {
      const phone = normalisePhone(raw);
      if (!E164.test(phone)) throw DomainError.invalid('phone', 'must be an international number: + and country code, e.g. +4915123456789');
      return { field, value: phone };
    }
    if (field === 'email') return { field, value: raw.toLowerCase() };
    return { field, value: raw };
  }

  private checkChannel(inbox: Inbox, target: Target, subject: string | undefined): void {
    const channel = inbox.channelType;
    const instead = channel === 'sms' ? 'phone or contactId' : channel === 'email' ? 'email or contactId' : 'contactId';
    if (target.field === 'phone' && channel !== 'sms') {
      throw DomainError.invalid('phone', `inbox ${inbox.id} is an ${channel} inbox: a phone number starts conversations in SMS inboxes (give ${instead})`);
    }
    if (target.field === 'email' && channel !== 'email') {
      throw DomainError.invalid('email', `inbox ${inbox.id} is an ${channel} inbox: an email address starts conversations in email inboxes (give ${instead})`);
    }
    if (subject !== undefined && channel !== 'email') throw DomainError.invalid('subject', `only email conversations have a subject; inbox ${inbox.id} is an ${channel} inbox`);
  }

  /** The contact to write to, found or created; the inbound path's lock for that address is held from here to the commit. */
  private async contact(em: EntityManager, inbox: Inbox, target: Target, actor: Actor): Promise<Contact> {
    const accountId = inbox.account.id;
    if (target.field === 'contactId') {
      const contact = await this.contacts.requireVisible(actor, target.value, em);
      const address = await this.address(em, inbox, contact);
      if (address === null) {
        const what = inbox.channelType === 'sms' ? 'a phone number for SMS' : 'an email address';
        throw new DomainError('UNPROCESSABLE', `contactId: contact ${contact.id} has no ${what}; start the conversation with ${inbox.channelType === 'sms' ? 'phone' : 'email'} instead`, [
          { field: 'contactId', problem: `has no ${what}` },
        ]);
      }
      if (address) await this.lockAddress(em, inbox, address);
      return contact;
    }
    await this.lockAddress(em, inbox, target.value);
    return target.field === 'phone'
      ? findOrCreateContact(em, accountId, 'sms', { sourceId: target.value, phone: target.value })
      : findOrCreateContact(em, accountId, 'email', { sourceId: target.value, email: target.value });
  }

  /** The contact's address on the inbox's channel (as the senders find it); '' for the API channel, which needs none; null when missing. */
  private async address(em: EntityManager, inbox: Inbox, contact: Contact): Promise<string | null> {
    if (inbox.channelType === 'api') {
      const identity = await em.findOne(ContactIdentity, { contact: contact.id, channelType: 'api' }, { orderBy: { createdAt: 'asc' } });
      return identity?.address ?? '';
    }
    const identity = await em.findOne(ContactIdentity, { contact: contact.id, channelType: inbox.channelType }, { orderBy: { createdAt: 'asc' } });
    const address = identity?.address ?? (inbox.channelType === 'sms' ? contact.phone : contact.email) ?? null;
    return address && address !== 'unknown-sender@invalid' ? address : null;
  }

  /** The inbound path's lock (ReceiveInboundMessageUseCase): a message arriving from this address meanwhile waits for this conversation. */
  private async lockAddress(em: EntityManager, inbox: Inbox, address: string): Promise<void> {
    await em.execute('select pg_advisory_xact_lock(hashtextextended(?, 0))', [`inbound:${inbox.id}:${address}`]);
  }

  /**
   * SMS only: a contact who texted STOP (or was opted out by hand) is not texted (carriers and Twilio
   * refuse it too, 21610). An email opt-out unsubscribes from campaigns; a person's own mail still goes.
   */
  private async refuseOptedOut(em: EntityManager, inbox: Inbox, contact: Contact, target: Target): Promise<void> {
    if (inbox.channelType !== 'sms') return;
    const [optOut] = await em.execute<{ source: string; created_at: Date }[]>(
      `select source, created_at from contact_opt_outs where contact_id = ? and channel_type = ?`,
      [contact.id, inbox.channelType],
    );
    if (!optOut) return;
    const how = optOut.source === 'keyword' ? 'by keyword (STOP)' : 'by hand';
    throw new DomainError(
      'CONFLICT',
      `${target.field}: contact ${contact.id} opted out of ${inbox.channelType} ${how} on ${new Date(optOut.created_at).toISOString()}; ` +
        'they are not texted until they opt in again (reply START, or DELETE /api/v1/contacts/<id>/opt-outs/sms)',
      [{ field: target.field, problem: `the contact opted out of ${inbox.channelType}` }],
    );
  }

  private async refuseActiveConversation(em: EntityManager, inbox: Inbox, contact: Contact, target: Target): Promise<void> {
    const active = await em.findOne(Conversation, { inbox: inbox.id, contact: contact.id, status: { $in: ['new', 'open', 'pending'] } }, { orderBy: { createdAt: 'desc' } });
    if (!active) return;
    throw new DomainError(
      'CONFLICT',
      `${target.field}: contact ${contact.id} already has conversation ${active.id} (${active.status}) in inbox ${inbox.id}; ` +
        `an ${inbox.channelType} inbox keeps one conversation per contact, reply there`,
      [{ field: target.field, problem: `has the active conversation ${active.id}` }],
    );
  }
}
