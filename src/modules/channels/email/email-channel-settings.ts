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
 * inboxes, only their managers (and administrators) reach them, how they are shown (never the passwords),
 * and when a stored password may be kept (only for the endpoint and login it was given for).
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

/** The settings as the API shows them: whether passwords are set, never the passwords; the mailbox checkpoint; the forwarding address. */
export function emailChannelView(c: EmailChannel, forwardingAddress: string): EmailChannelView {
  return {
    inboxId: c.inbox.id,
    address: c.address,
    forwardingAddress,
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

/** The parts of the settings a stored password is bound to, as a PUT gives them. */
export interface EmailEndpointInput {
  address: string;
  imapHost: string;
  imapPort: number;
  imapSecure: boolean;
  imapUser: string;
  smtpHost: string;
  smtpPort: number;
  smtpSecure: boolean;
  /** The SMTP login after the change (null: none). */
  smtpUser: string | null;
}

const sameHost = (a: string, b: string): boolean => a.trim().replace(/\.$/, '').toLowerCase() === b.trim().replace(/\.$/, '').toLowerCase();

/**
 * Which fields of each protocol differ from the stored settings. A stored password was given for one
 * server, port, TLS mode and login; sent anywhere else (a host the caller runs, a plain-text port) it
 * would be handed to whoever listens there. So a change of any of them drops the stored password of
 * that protocol: IMAP host, port, TLS mode or user drop the IMAP password; SMTP host, port, TLS mode,
 * user or the channel address (the identity the SMTP login sends as) drop the SMTP password.
 */
export function endpointChanges(stored: EmailChannel, next: EmailEndpointInput): { imap: string[]; smtp: string[] } {
  const imap: string[] = [];
  if (!sameHost(stored.imapHost, next.imapHost)) imap.push('imapHost');
  if (stored.imapPort !== next.imapPort) imap.push('imapPort');
  if (stored.imapSecure !== next.imapSecure) imap.push('imapSecure');
  if (stored.imapUser !== next.imapUser) imap.push('imapUser');
  const smtp: string[] = [];
  if (!sameHost(stored.smtpHost, next.smtpHost)) smtp.push('smtpHost');
  if (stored.smtpPort !== next.smtpPort) smtp.push('smtpPort');
  if (stored.smtpSecure !== next.smtpSecure) smtp.push('smtpSecure');
  if ((stored.smtpUser ?? null) !== next.smtpUser) smtp.push('smtpUser');
  if (stored.address.trim().toLowerCase() !== next.address.trim().toLowerCase()) smtp.push('address');
  return { imap, smtp };
}

/** "imapHost", "imapHost and imapPort", "smtpHost, smtpPort and address". */
export function listFields(fields: string[]): string {
  return fields.length <= 1 ? (fields[0] ?? '') : `${fields.slice(0, -1).join(', ')} and ${fields[fields.length - 1]}`;
}
