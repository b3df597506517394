import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { StoreInboundEmailUseCase, type StoreInboundEmailResult } from './store-inbound-email.use-case';

export interface ReceiveForwardedEmailInput {
  raw: Buffer;
  /** The accepted recipients (current forwarding addresses), each with its inbox. */
  recipients: { inboxId: string; address: string }[];
}

/**
 * A mail the SMTP ingress took, into each addressed inbox through the email channel's one inbound
 * path (StoreInboundEmailUseCase: the same parsing, Message-ID dedupe, threading and attachment
 * rules as IMAP mail), then the inbox's "last arrived" mark. Inboxes are handled one after the other;
 * a failure throws (the ingress answers 451, the sender retries, and dedupe keeps what was stored once).
 */
@Injectable()
export class ReceiveForwardedEmailUseCase {
  constructor(
    private readonly em: EntityManager,
    private readonly store: StoreInboundEmailUseCase,
  ) {}

  async execute({ raw, recipients }: ReceiveForwardedEmailInput): Promise<(StoreInboundEmailResult & { inboxId: string })[]> {
    const results: (StoreInboundEmailResult & { inboxId: string })[] = [];
    const seen = new Set<string>();
    for (const r of recipients) {
      // Two addresses of one inbox (the same address twice): one copy.
      if (seen.has(r.inboxId)) continue;
      seen.add(r.inboxId);
      const stored = await this.store.execute({ inboxId: r.inboxId, raw, forwarded: { recipient: r.address } });
      await this.em
        .fork()
        .execute(`update email_forwarding_addresses set last_received_at = now(), received_count = received_count + 1 where local_part = ? and inbox_id = ?`, [
          r.address.split('@')[0],
          r.inboxId,
        ]);
      results.push({ ...stored, inboxId: r.inboxId });
    }
    return results;
  }
}
