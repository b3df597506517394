import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { DomainError } from '../../../common/domain-error';
import { AccessPolicy } from '../../auth/access-policy';
import type { Actor } from '../../auth/actor';
import { Contact } from '../../contacts/contact.entity';
import { decodeCursor, encodeCursor } from '../cursor';
import type { MessageAttachment } from '../message.entity';

export interface ContactMessage {
  id: string;
  conversationId: string;
  inboxId: string;
  channelType: string;
  direction: string;
  senderType: string;
  senderUserId: string | null;
  content: string;
  deliveryStatus: string;
  error: string | null;
  providerMessageId: string | null;
  attachments: MessageAttachment[];
  createdAt: string;
}

export interface ListContactMessagesInput {
  actor: Actor;
  contactId: string;
  /** nextCursor of the previous page. */
  cursor?: string;
  limit?: number;
}

/**
 * A contact's whole message history across channels: every message of every conversation of the
 * contact in the inboxes the caller may see, oldest first (message ids are commit order), by cursor.
 * A contact whose conversations are all in inboxes the caller is not a member of answers 403.
 */
@Injectable()
export class ListContactMessagesUseCase {
  constructor(
    private readonly em: EntityManager,
    private readonly access: AccessPolicy,
  ) {}

  async execute(input: ListContactMessagesInput): Promise<{ items: ContactMessage[]; nextCursor: string | null }> {
    const { actor } = input;
    const em = this.em.fork();
    const contact = await em.findOne(Contact, { id: input.contactId, account: actor.accountId });
    if (!contact) throw DomainError.notFound('contact', input.contactId);
    const visible = await this.access.visibleInboxIds(actor, em);
    const inboxes = await em.execute<{ inbox_id: string }[]>(`select distinct inbox_id from conversations where contact_id = ?`, [contact.id]);
    const allowed = inboxes.map((r) => r.inbox_id).filter((id) => visible.includes(id));
    if (inboxes.length > 0 && allowed.length === 0) {
      throw new DomainError('FORBIDDEN', `you are not a member of any inbox with conversations of contact ${contact.id}`);
    }
    if (allowed.length === 0) return { items: [], nextCursor: null };

    const limit = input.limit ?? 50;
    const after = input.cursor ? String(decodeCursor(input.cursor, 'contact-messages', ['bigint'])[0]) : '0';
    const rows = await em.execute<
      {
        id: string;
        conversation_id: string;
        inbox_id: string;
        channel_type: string;
        direction: string;
        sender_type: string;
        sender_user_id: string | null;
        content: string;
        delivery_status: string;
        error: string | null;
        provider_message_id: string | null;
        attachments: MessageAttachment[];
        created_at: Date;
      }[]
    >(
      `select m.id, m.conversation_id, c.inbox_id, c.channel_type, m.direction, m.sender_type, m.sender_user_id, m.content,
              m.delivery_status, m.error, m.provider_message_id, m.attachments, m.created_at
       from conversations c
       join messages m on m.conversation_id = c.id
       where c.contact_id = ? and c.inbox_id in (?) and m.id > ?::bigint
       order by m.id asc
       limit ?`,
      [contact.id, allowed, after, limit + 1],
    );
    const more = rows.length > limit;
    const page = more ? rows.slice(0, limit) : rows;
    return {
      items: page.map((r) => ({
        id: String(r.id),
        conversationId: r.conversation_id,
        inboxId: r.inbox_id,
        channelType: r.channel_type,
        direction: r.direction,
        senderType: r.sender_type,
        senderUserId: r.sender_user_id,
        content: r.content,
        deliveryStatus: r.delivery_status,
        error: r.error,
        providerMessageId: r.provider_message_id,
        attachments: r.attachments ?? [],
        createdAt: new Date(r.created_at).toISOString(),
      })),
      nextCursor: more ? encodeCursor('contact-messages', [String(page[page.length - 1].id)]) : null,
    };
  }
}
