import { LockMode } from '@mikro-orm/core';
import { EntityManager } from '@mikro-orm/postgresql';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { APP_CONFIG, type ServiceConfig } from '../../../../config/config';
import { DomainError } from '../../../../common/domain-error';
import { SecretBox } from '../../../../common/secret-box';
import { MailboxWorkflows } from '../../../../temporal/mailbox-workflows';
import { AccessPolicy } from '../../../auth/access-policy';
import type { Actor } from '../../../auth/actor';
import type { EmailChannelView } from '../dto/email-channel.dto';
import { EmailChannel } from '../email-channel.entity';
import { emailChannelView, endpointChanges, listFields, requireEmailInbox } from '../email-channel-settings';
import { ensureForwardingAddress, forwardingAddress } from '../forwarding/forwarding-addresses';

/** The whole IMAP/SMTP settings of an email inbox; the passwords and the folder may be left out to keep the stored ones. */
export interface SetEmailChannelInput {
  actor: Actor;
  inboxId: string;
  /** The address customers write to; replies go out From it. */
  address: string;
  /** Display name on outgoing mail; absent keeps the stored one, null or "" clears it. */
  displayName?: string | null;
  imapHost: string;
  imapPort: number;
  /** true: TLS from the first byte; false: plain, no STARTTLS. */
  imapSecure: boolean;
  imapUser: string;
  /** Required the first time and whenever imapHost, imapPort, imapSecure or imapUser change; sealed with SECRETS_KEY. */
  imapPassword?: string;
  /** Default: the stored one, else INBOX. */
  imapFolder?: string;
  smtpHost: string;
  smtpPort: number;
  smtpSecure: boolean;
  /** null: the server takes mail without a login; absent keeps the stored one. */
  smtpUser?: string | null;
  /** Required the first time a login is set and whenever smtpHost, smtpPort, smtpSecure, smtpUser or address change; sealed with SECRETS_KEY. */
  smtpPassword?: string;
  /** true starts the mailbox workflow, false stops it. */
  enabled: boolean;
}

/**
 * Sets the IMAP/SMTP settings of an email inbox (managers, administrators). Passwords are sealed with
 * SECRETS_KEY before anything is written (no key: refused, nothing stored). Enabling starts the
 * mailbox workflow inside the transaction (Temporal unreachable: 503 and nothing stored); disabling
 * terminates it after the commit. A different server, login or folder resets the checkpoint (the new
 * folder is read from its start; mails already in the inbox are recognised by Message-ID).
 * A stored password is kept only for the endpoint it was given for: a change of host, port, TLS mode
 * or login (for SMTP also of the address) needs that protocol's password again (400, nothing stored),
 * so whoever may edit the settings cannot point them at a server of their own and have the test or the
 * mailbox session log in there with a password someone else typed.
 */
@Injectable()
export class SetEmailChannelUseCase {
  private readonly logger = new Logger(SetEmailChannelUseCase.name);

  constructor(
    private readonly em: EntityManager,
    private readonly access: AccessPolicy,
    private readonly secrets: SecretBox,
    private readonly mailboxes: MailboxWorkflows,
    @Inject(APP_CONFIG) private readonly config: ServiceConfig,
  ) {}

  async execute(input: SetEmailChannelInput): Promise<EmailChannelView> {
    const { actor, inboxId } = input;
    const saved = await this.em.fork().transactional(async (em) => {
      const { inbox } = await this.access.requireManager(actor, inboxId, 'changing the email channel settings', em);
      requireEmailInbox(inbox);
      const existing = await em.findOne(EmailChannel, { inbox: inboxId }, { lockMode: LockMode.PESSIMISTIC_WRITE });
      if (!existing && !input.imapPassword) throw DomainError.invalid('imapPassword', 'is required the first time the email settings are stored');
      const smtpUser = input.smtpUser !== undefined ? input.smtpUser : (existing?.smtpUser ?? null);
      if (smtpUser && !input.smtpPassword && !existing?.smtpPasswordSealed) {
        throw DomainError.invalid('smtpPassword', 'is required when an SMTP login (smtpUser) is set for the first time');
      }
      if (existing) this.requirePasswordsForNewEndpoint(existing, input, smtpUser);
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
    const localPart = await ensureForwardingAddress(this.em.fork(), inboxId);
    return emailChannelView(saved, forwardingAddress(localPart, this.config.email.inboundDomain));
  }

  /** 400 naming each password left out although its endpoint changed (both at once when both did). */
  private requirePasswordsForNewEndpoint(existing: EmailChannel, input: SetEmailChannelInput, smtpUser: string | null): void {
    const changed = endpointChanges(existing, { ...input, smtpUser });
    const problems: { field: string; problem: string }[] = [];
    if (!input.imapPassword && changed.imap.length) problems.push({ field: 'imapPassword', problem: `required again because ${listFields(changed.imap)} changed` });
    if (smtpUser && !input.smtpPassword && existing.smtpPasswordSealed && changed.smtp.length) {
      problems.push({ field: 'smtpPassword', problem: `required again because ${listFields(changed.smtp)} changed` });
    }
    if (problems.length) throw new DomainError('VALIDATION_FAILED', problems.map((p) => `${p.field}: ${p.problem}`).join('; '), problems);
  }
}
