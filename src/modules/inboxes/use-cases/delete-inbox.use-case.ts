import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import type { Actor } from '../../auth/actor';
import { AccessPolicy } from '../../auth/access-policy';
import { ConversationWorkflows } from '../../../temporal/conversation-workflows';
import { MailboxWorkflows } from '../../../temporal/mailbox-workflows';
import { SavedReply } from '../../saved-replies/saved-reply.entity';
import { Inbox } from '../inbox.entity';

export interface DeleteInboxInput {
  actor: Actor;
  inboxId: string;
}

/**
 * Administrators delete an inbox with its conversations and messages (by cascade) and its shared
 * saved replies, in one transaction; then the deleted conversations' workflows and the inbox's
 * mailbox workflow (email inboxes) are terminated.
 */
@Injectable()
export class DeleteInboxUseCase {
  constructor(
    private readonly em: EntityManager,
    private readonly access: AccessPolicy,
    private readonly workflows: ConversationWorkflows,
    private readonly mailboxes: MailboxWorkflows,
  ) {}

  async execute(input: DeleteInboxInput): Promise<void> {
    const { actor, inboxId } = input;
    const em = this.em.fork();
    await this.access.roleIn(actor, inboxId, em);
    this.access.requireAdmin(actor, 'deleting inboxes');
    const conversationIds = await em.transactional(async (tx) => {
      const rows = await tx.execute<{ id: string }[]>('select id from conversations where inbox_id = ?', [inboxId]);
      await tx.nativeDelete(SavedReply, { scope: 'inbox', scopeId: inboxId, account: actor.accountId });
      await tx.nativeDelete(Inbox, { id: inboxId, account: actor.accountId });
      return rows.map((r) => r.id);
    });
    await this.workflows.terminate(conversationIds, 'the inbox was deleted');
    await this.mailboxes.stop(inboxId, 'the inbox was deleted');
  }
}
