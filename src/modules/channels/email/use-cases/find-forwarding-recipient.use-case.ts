import { EntityManager } from '@mikro-orm/postgresql';
import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, type ServiceConfig } from '../../../../config/config';

export interface FindForwardingRecipientInput {
  /** The RCPT TO address as the sending server gave it. */
  address: string;
}

export type ForwardingRecipient =
  /** A current forwarding address: mail for it lands in this inbox. */
  | { kind: 'current'; inboxId: string; address: string }
  /** A replaced address of this inbox: refused, and listed with the inbox's refusals. */
  | { kind: 'retired'; inboxId: string; address: string; retiredAt: Date }
  /** Not one of ours at INBOUND_EMAIL_DOMAIN (never existed, or its inbox was deleted). */
  | { kind: 'unknown'; address: string }
  /** Another domain: the ingress relays nothing. */
  | { kind: 'other-domain'; address: string };

/** Which inbox (and so which account) a forwarding address belongs to: only the address decides. */
@Injectable()
export class FindForwardingRecipientUseCase {
  constructor(
    private readonly em: EntityManager,
    @Inject(APP_CONFIG) private readonly config: ServiceConfig,
  ) {}

  async execute({ address }: FindForwardingRecipientInput): Promise<ForwardingRecipient> {
    const normalised = address.trim().toLowerCase();
    const at = normalised.lastIndexOf('@');
    const localPart = at > 0 ? normalised.slice(0, at) : '';
    const domain = at > 0 ? normalised.slice(at + 1).replace(/\.$/, '') : '';
    if (domain !== this.config.email.inboundDomain) return { kind: 'other-domain', address: normalised };
    if (!/^[a-z2-7]{1,64}$/.test(localPart)) return { kind: 'unknown', address: normalised };
    const rows = await this.em.fork().execute<{ inbox_id: string; retired_at: Date | null }[]>(
      `select f.inbox_id, f.retired_at from email_forwarding_addresses f join inboxes i on i.id = f.inbox_id
        where f.local_part = ? and i.channel_type = 'email'`,
      [localPart],
    );
    const row = rows[0];
    if (!row) return { kind: 'unknown', address: normalised };
    if (row.retired_at) return { kind: 'retired', inboxId: row.inbox_id, address: normalised, retiredAt: new Date(row.retired_at) };
    return { kind: 'current', inboxId: row.inbox_id, address: normalised };
  }
}
