import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable, Logger } from '@nestjs/common';
import { Client, WorkflowNotFoundError } from '@temporalio/client';
import { conversationWorkflowId } from '../../../../workflows/contracts/conversation.contract';
import { AccessPolicy } from '../../auth/access-policy';
import type { Actor } from '../../auth/actor';
import { ContactAccess } from '../contact-access';
import { ContactIdentity, DeletedContact } from '../contact.entity';
import { maskedHint } from '../masked-hint';

const TERMINATE_DEADLINE_MS = 5000;

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
  private readonly logger = new Logger(DeleteContactUseCase.name);

  constructor(
    private readonly em: EntityManager,
    private readonly contacts: ContactAccess,
    private readonly access: AccessPolicy,
    private readonly temporal: Client,
  ) {}

  async execute(actor: Actor, id: string): Promise<void> {
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
    await this.terminateWorkflows(conversationIds);
  }

  private async terminateWorkflows(conversationIds: string[]): Promise<void> {
    const results = await Promise.allSettled(
      conversationIds.map((conversationId) =>
        this.temporal.connection.withDeadline(Date.now() + TERMINATE_DEADLINE_MS, () =>
          this.temporal.workflow.getHandle(conversationWorkflowId(conversationId)).terminate('the contact was deleted'),
        ),
      ),
    );
    results.forEach((r, i) => {
      if (r.status === 'rejected' && !(r.reason instanceof WorkflowNotFoundError)) {
        this.logger.warn(`conversation ${conversationIds[i]}: workflow not terminated: ${(r.reason as Error).message}`);
      }
    });
  }
}
