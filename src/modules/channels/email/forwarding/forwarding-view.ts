import type { EntityManager } from '@mikro-orm/postgresql';
import type { ServiceConfig } from '../../../../config/config';
import type { EmailForwardingView } from './email-forwarding.dto';
import { EMAIL_REFUSALS_KEPT } from './email-forwarding.entity';
import { ensureForwardingAddress, forwardingAddress } from './forwarding-addresses';
import type { SmtpIngressState } from './smtp-ingress-state';

/** The inbox's forwarding address with when mail last arrived and the newest refusals (minting the address when it has none). */
export async function forwardingView(em: EntityManager, config: ServiceConfig, ingress: SmtpIngressState, inboxId: string): Promise<EmailForwardingView> {
  const localPart = await ensureForwardingAddress(em, inboxId);
  const [stats] = await em.execute<{ last: Date | null; count: string | null }[]>(
    `select max(last_received_at) as last, sum(received_count) as count from email_forwarding_addresses where inbox_id = ?`,
    [inboxId],
  );
  const refusals = await em.execute<
    { created_at: Date; reason: string; response: string; recipient: string; mail_from: string | null; size: string | null; remote_address: string | null }[]
  >(`select * from email_ingress_refusals where inbox_id = ? order by id desc limit ?`, [inboxId, EMAIL_REFUSALS_KEPT]);
  return {
    inboxId,
    address: forwardingAddress(localPart, config.email.inboundDomain),
    domain: config.email.inboundDomain,
    ingressPort: ingress.port ?? config.smtpIngress.port,
    maxBytes: config.smtpIngress.maxBytes,
    lastReceivedAt: stats?.last ? new Date(stats.last).toISOString() : null,
    receivedCount: Number(stats?.count ?? 0),
    refusals: refusals.map((r) => ({
      at: new Date(r.created_at).toISOString(),
      reason: r.reason,
      response: r.response,
      recipient: r.recipient,
      mailFrom: r.mail_from,
      size: r.size === null ? null : Number(r.size),
      remoteAddress: r.remote_address,
    })),
  };
}
