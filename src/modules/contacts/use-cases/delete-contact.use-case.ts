import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { ConversationWorkflows } from '../../../temporal/conversation-workflows';
import { AccessPolicy } from '../../auth/access-policy';
import type { Actor } from '../../auth/actor';
import { ContactAccess } from '../contact-access';
import { ContactIdentity, DeletedContact } from '../contact.entity';
import { maskedHint } from '../masked-hint';

export interface DeleteContactInput {
  actor: Actor;
  contactId: string;
}

/**
 * Administrators delete a contact with its whole history: conversations, their messages (and
 * attachments, tags, per-user states), identities, attribute values, favourites and opt-outs go by
 * cascade from the contact row. The audit entry (masked hint, channel of the first identity, time,
 * deleting admin) is written in the same transaction, so either all of it happens or nothing.
 * Afterwards the deleted conversations' workflows are terminated (best effort: a workflow left running
 * finds its conversation gone and ends on its own).
 */
@Injectable()
export class DeleteContactUseCase {
  constructor(
    private readonly em: EntityManager,
    private readonly contacts: ContactAccess,
    private readonly access: AccessPolicy,
    private readonly workflows: ConversationWorkflows,
  ) {}

  async execute({ actor, contactId: id }: DeleteContactInput): Promise<void> {
    const conversationIds = await this.em.fork().transactional(async (tx) => {
      await tx.execute('select id from contacts where id = ? and account_id = ? for update', [id, actor.accountId]);
      const contact = await this.contacts.find(actor, id, tx);
      this.access.requireAdmin(actor, 'deleting a contact');
      const first = await tx.findOne(ContactIdentity, { contact: id }, { orderBy: { createdAt: 'asc', id: 'asc' } });
      const conversations = await tx.execute<{ id: string }[]>('select id from conversations where contact_id = ?', [id]);
      await tx.execute('delete from contacts where id = ?', [id]);
      tx.create(DeletedContact, {
        account: actor.accountId,
        maskedHint: maskedHint(contact, first?.address ?? null),
        channelType: first?.channelType ?? null,
        deletedByUserId: actor.userId,
        deletedByName: actor.name,
      });
      await tx.flush();
      return conversations.map((c) => c.id);
    });
    await this.workflows.terminate(conversationIds, 'the contact was deleted');
  }
}
