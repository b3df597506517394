import { EntityManager } from '@mikro-orm/postgresql';
import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, type ServiceConfig } from '../../../../config/config';
import { AccessPolicy } from '../../../auth/access-policy';
import type { Actor } from '../../../auth/actor';
import { requireEmailInbox } from '../email-channel-settings';
import type { EmailForwardingView } from '../forwarding/email-forwarding.dto';
import { replaceForwardingAddress } from '../forwarding/forwarding-addresses';
import { forwardingView } from '../forwarding/forwarding-view';
import { SmtpIngressState } from '../forwarding/smtp-ingress-state';

export interface RegenerateEmailForwardingInput {
  actor: Actor;
  inboxId: string;
}

/**
 * A new forwarding address for an email inbox (e.g. the old one leaked and spam arrives): mail to the
 * old one is refused from now on (550, listed with the inbox's refusals), forward rules must be changed.
 */
@Injectable()
export class RegenerateEmailForwardingUseCase {
  constructor(
    private readonly em: EntityManager,
    private readonly access: AccessPolicy,
    private readonly ingress: SmtpIngressState,
    @Inject(APP_CONFIG) private readonly config: ServiceConfig,
  ) {}

  async execute({ actor, inboxId }: RegenerateEmailForwardingInput): Promise<EmailForwardingView> {
    const em = this.em.fork();
    const { inbox } = await this.access.requireManager(actor, inboxId, 'replacing the email forwarding address', em);
    requireEmailInbox(inbox);
    await replaceForwardingAddress(em, inboxId);
    return forwardingView(em, this.config, this.ingress, inboxId);
  }
}
