import { LockMode } from '@mikro-orm/core';
import { EntityManager } from '@mikro-orm/postgresql';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { DomainError } from '../../../../common/domain-error';
import { SecretBox } from '../../../../common/secret-box';
import { APP_CONFIG, type ServiceConfig } from '../../../../config/config';
import { mailboxWorkflowId } from '../../../../../workflows/contracts/mailbox.contract';
import { AccessPolicy } from '../../../auth/access-policy';
import type { Actor } from '../../../auth/actor';
import type { Inbox } from '../../../inboxes/inbox.entity';
import { checkImap, checkSmtp } from '../connection-check';
import type { EmailChannelView, EmailConnectionTestView, SetEmailChannelDto } from '../dto/email-channel.dto';
import { EmailChannel } from '../email-channel.entity';
import { MailboxWorkflows } from '../../../../temporal/mailbox-workflows';

function requireEmailInbox(inbox: Inbox): void {
  if (inbox.channelType !== 'email') {
    throw new DomainError('UNPROCESSABLE', `inboxId: inbox ${inbox.id} is an ${inbox.channelType} inbox; IMAP/SMTP settings belong to email inboxes`, [
      { field: 'inboxId', problem: `is an ${inbox.channelType} inbox, not an email inbox` },
    ]);
  }
}

function view(c: EmailChannel): EmailChannelView {
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

async function loadChannel(em: EntityManager, access: AccessPolicy, actor: Actor, inboxId: string, action: string): Promise<EmailChannel> {
  const { inbox } = await access.requireManager(actor, inboxId, action, em);
  requireEmailInbox(inbox);
  const channel = await em.findOne(EmailChannel, { inbox: inboxId });
  if (!channel) throw new DomainError('NOT_FOUND', `inbox ${inboxId} has no email settings yet; PUT them to /api/v1/inboxes/${inboxId}/email-channel`);
  return channel;
}

/** The IMAP/SMTP settings of an email inbox, as its managers (and administrators) see them: never the passwords. */
@Injectable()
export class GetEmailChannelUseCase {
  constructor(
    private readonly em: EntityManager,
    private readonly access: AccessPolicy,
  ) {}

  async execute(actor: Actor, inboxId: string): Promise<EmailChannelView> {
    return view(await loadChannel(this.em.fork(), this.access, actor, inboxId, 'reading the email channel settings'));
  }
}

/**
 * Sets the IMAP/SMTP settings of an email inbox (managers, administrators). Passwords are sealed with
 * SECRETS_KEY before anything is written (no key: refused, nothing stored). Enabling starts the
 * mailbox workflow inside the transaction (Temporal unreachable: 503 and nothing stored); disabling
 * terminates it after the commit. A different server, login or folder resets the checkpoint (the new
 * folder is read from its start; mails already in the inbox are recognised by Message-ID).
 */
@Injectable()
export class SetEmailChannelUseCase {
  private readonly logger = new Logger(SetEmailChannelUseCase.name);

  constructor(
    private readonly em: EntityManager,
    private readonly access: AccessPolicy,
    private readonly secrets: SecretBox,
    private readonly mailboxes: MailboxWorkflows,
  ) {}

  async execute(actor: Actor, inboxId: string, input: SetEmailChannelDto): Promise<EmailChannelView> {
    const saved = await this.em.fork().transactional(async (em) => {
      const { inbox } = await this.access.requireManager(actor, inboxId, 'changing the email channel settings', em);
      requireEmailInbox(inbox);
      const existing = await em.findOne(EmailChannel, { inbox: inboxId }, { lockMode: LockMode.PESSIMISTIC_WRITE });
      if (!existing && !input.imapPassword) throw DomainError.invalid('imapPassword', 'is required the first time the email settings are stored');
      const smtpUser = input.smtpUser !== undefined ? input.smtpUser : (existing?.smtpUser ?? null);
      if (smtpUser && !input.smtpPassword && !existing?.smtpPasswordSealed) {
        throw DomainError.invalid('smtpPassword', 'is required when an SMTP login (smtpUser) is set for the first time');
      }
      const imapSealed = input.imapPassword ? this.secrets.encrypt(input.imapPassword, 'imapPassword') : existing!.imapPasswordSealed;
      const smtpSealed = !smtpUser ? null : input.smtpPassword ? this.secrets.encrypt(input.smtpPassword, 'smtpPassword') : existing!.smtpPasswordSealed;
      const folder = input.imapFolder ?? existing?.imapFolder ?? 'INBOX';

      const channel =
        existing ??
        em.create(EmailChannel, {
          inbox: inboxId,
          address: input.address,
          imapHost: input.imapHost,
          imapPort: input.imapPort,
          imapSecure: input.imapSecure,
          imapUser: input.imapUser,
          imapPasswordSealed: imapSealed,
          smtpHost: input.smtpHost,
          smtpPort: input.smtpPort,
          smtpSecure: input.smtpSecure,
        });
      const otherMailbox = existing && (existing.imapHost !== input.imapHost || existing.imapPort !== input.imapPort || existing.imapUser !== input.imapUser || existing.imapFolder !== folder);
      if (otherMailbox) {
        channel.uidValidity = null;
        channel.lastUid = '0';
      }
      Object.assign(channel, {
        address: input.address.trim(),
        displayName: input.displayName !== undefined ? input.displayName?.trim() || null : (existing?.displayName ?? null),
        imapHost: input.imapHost,
        imapPort: input.imapPort,
        imapSecure: input.imapSecure,
        imapUser: input.imapUser,
        imapPasswordSealed: imapSealed,
        imapFolder: folder,
        smtpHost: input.smtpHost,
        smtpPort: input.smtpPort,
        smtpSecure: input.smtpSecure,
        smtpUser,
        smtpPasswordSealed: smtpSealed,
        enabled: input.enabled,
        updatedAt: new Date(),
      });
      await em.flush();
      if (input.enabled) {
        try {
          await this.mailboxes.start(inboxId);
        } catch (err) {
          this.logger.error(`inbox ${inboxId}: mailbox workflow not started: ${(err as Error).message}`);
          throw new DomainError(
            'DEPENDENCY_UNAVAILABLE',
            `enabled: the mailbox workflow could not be started (Temporal unreachable); nothing was changed, try again`,
            [{ field: 'enabled', problem: 'the mailbox workflow could not be started' }],
          );
        }
      }
      return channel;
    });
    if (!input.enabled) await this.mailboxes.stop(inboxId, 'the email channel was disabled');
    return view(saved);
  }
}

/**
 * Checks the stored IMAP and SMTP settings step by step — DNS lookup, TCP connect, TLS handshake (when
 * on), login (and for IMAP the folder) — and says in plain words which step failed, for each separately.
 */
@Injectable()
export class TestEmailChannelUseCase {
  constructor(
    private readonly em: EntityManager,
    private readonly access: AccessPolicy,
    private readonly secrets: SecretBox,
    @Inject(APP_CONFIG) private readonly config: ServiceConfig,
  ) {}

  async execute(actor: Actor, inboxId: string): Promise<EmailConnectionTestView> {
    const c = await loadChannel(this.em.fork(), this.access, actor, inboxId, 'testing the email channel connection');
    const timeout = this.config.email.connectTimeoutMs;
    const [imap, smtp] = await Promise.all([
      checkImap(
        { host: c.imapHost, port: c.imapPort, secure: c.imapSecure, user: c.imapUser, password: this.secrets.decrypt(c.imapPasswordSealed, 'imapPassword') },
        c.imapFolder,
        timeout,
        this.config.outbound,
      ),
      checkSmtp(
        {
          host: c.smtpHost,
          port: c.smtpPort,
          secure: c.smtpSecure,
          user: c.smtpUser,
          password: c.smtpPasswordSealed ? this.secrets.decrypt(c.smtpPasswordSealed, 'smtpPassword') : null,
        },
        timeout,
        this.config.outbound,
      ),
    ]);
    return { imap, smtp };
  }
}
