import type { EntityManager } from '@mikro-orm/postgresql';
import { DomainError } from '../../../common/domain-error';
import { mailboxWorkflowId } from '../../../../workflows/contracts/mailbox.contract';
import type { AccessPolicy } from '../../auth/access-policy';
import type { Actor } from '../../auth/actor';
import type { Inbox } from '../../inboxes/inbox.entity';
import type { EmailChannelView } from './dto/email-channel.dto';
import { EmailChannel } from './email-channel.entity';

/**
 * Shared by the email channel settings use cases (get, set, test): IMAP/SMTP settings belong to email
 * inboxes, only their managers (and administrators) reach them, and how they are shown (never the passwords).
 */

/** 422 naming inboxId unless the inbox is an email inbox. */
export function requireEmailInbox(inbox: Inbox): void {
  if (inbox.channelType !== 'email') {
    throw new DomainError('UNPROCESSABLE', `inboxId: inbox ${inbox.id} is an ${inbox.channelType} inbox; IMAP/SMTP settings belong to email inboxes`, [
      { field: 'inboxId', problem: `is an ${inbox.channelType} inbox, not an email inbox` },
    ]);
  }
}

/** The stored settings of an email inbox the caller manages; 404 when none were stored yet. */
export async function loadEmailChannel(em: EntityManager, access: AccessPolicy, actor: Actor, inboxId: string, action: string): Promise<EmailChannel> {
  const { inbox } = await access.requireManager(actor, inboxId, action, em);
  requireEmailInbox(inbox);
  const channel = await em.findOne(EmailChannel, { inbox: inboxId });
  if (!channel) throw new DomainError('NOT_FOUND', `inbox ${inboxId} has no email settings yet; PUT them to /api/v1/inboxes/${inboxId}/email-channel`);
  return channel;
}

/** The settings as the API shows them: whether passwords are set, never the passwords; the mailbox checkpoint. */
export function emailChannelView(c: EmailChannel): EmailChannelView {
  return {
    inboxId: c.inbox.id,
    address: c.address,
    displayName: c.displayName,
    imapHost: c.imapHost,
    imapPort: c.imapPort,
    imapSecure: c.imapSecure,
    imapUser: c.imapUser,
    imapPasswordSet: Boolean(c.imapPasswordSealed),
    imapFolder: c.imapFolder,
    smtpHost: c.smtpHost,
    smtpPort: c.smtpPort,
    smtpSecure: c.smtpSecure,
    smtpUser: c.smtpUser,
    smtpPasswordSet: Boolean(c.smtpPasswordSealed),
    enabled: c.enabled,
    mailbox: {
      workflowId: mailboxWorkflowId(c.inbox.id),
      uidValidity: c.uidValidity === null ? null : String(c.uidValidity),
      lastUid: String(c.lastUid),
      lastConnectedAt: c.lastConnectedAt?.toISOString() ?? null,
      lastError: c.lastError,
      lastErrorAt: c.lastErrorAt?.toISOString() ?? null,
    },
    updatedAt: c.updatedAt.toISOString(),
  };
}
