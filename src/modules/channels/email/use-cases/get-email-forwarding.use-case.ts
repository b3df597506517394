import { EntityManager } from '@mikro-orm/postgresql';
import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, type ServiceConfig } from '../../../../config/config';
import { AccessPolicy } from '../../../auth/access-policy';
import type { Actor } from '../../../auth/actor';
import { requireEmailInbox } from '../email-channel-settings';
import type { EmailForwardingView } from '../forwarding/email-forwarding.dto';
import { forwardingView } from '../forwarding/forwarding-view';
import { SmtpIngressState } from '../forwarding/smtp-ingress-state';

export interface GetEmailForwardingInput {
  actor: Actor;
  inboxId: string;
}

/** An email inbox's forwarding address (minted on first sight), when mail last came through the ingress, and the refused mails: for its managers. */
@Injectable()
export class GetEmailForwardingUseCase {
  constructor(
    private readonly em: EntityManager,
    private readonly access: AccessPolicy,
    private readonly ingress: SmtpIngressState,
    @Inject(APP_CONFIG) private readonly config: ServiceConfig,
  ) {}

  async execute({ actor, inboxId }: GetEmailForwardingInput): Promise<EmailForwardingView> {
    const em = this.em.fork();
    const { inbox } = await this.access.requireManager(actor, inboxId, 'reading the email forwarding address', em);
    requireEmailInbox(inbox);
    return forwardingView(em, this.config, this.ingress, inboxId);
  }
}
