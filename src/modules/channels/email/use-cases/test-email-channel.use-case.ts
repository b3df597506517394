import { EntityManager } from '@mikro-orm/postgresql';
import { Inject, Injectable } from '@nestjs/common';
import { SecretBox } from '../../../../common/secret-box';
import { APP_CONFIG, type ServiceConfig } from '../../../../config/config';
import { AccessPolicy } from '../../../auth/access-policy';
import type { Actor } from '../../../auth/actor';
import { checkImap, checkSmtp } from '../connection-check';
import type { EmailConnectionTestView } from '../dto/email-channel.dto';
import { loadEmailChannel } from '../email-channel-settings';

export interface TestEmailChannelInput {
  actor: Actor;
  inboxId: string;
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

  async execute({ actor, inboxId }: TestEmailChannelInput): Promise<EmailConnectionTestView> {
    const c = await loadEmailChannel(this.em.fork(), this.access, actor, inboxId, 'testing the email channel connection');
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
