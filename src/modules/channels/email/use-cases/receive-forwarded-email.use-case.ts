import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { StoreInboundEmailUseCase, type StoreInboundEmailResult } from './store-inbound-email.use-case';

/** Storing failed for these recipients (the others were stored). */
export class ForwardedEmailNotStored extends Error {
  constructor(
    readonly failed: { inboxId: string; address: string; error: Error }[],
  ) {
    super(failed.map((f) => `${f.address}: ${f.error.message}`).join('; '));
    this.name = 'ForwardedEmailNotStored';
  }
}

export interface ReceiveForwardedEmailInput {
  raw: Buffer;
  /** The accepted recipients (current forwarding addresses), each with its inbox. */
  recipients: { inboxId: string; address: string }[];
}

/**
 * A mail the SMTP ingress took, into each addressed inbox through the email channel's one inbound
 * path (StoreInboundEmailUseCase: the same parsing, Message-ID dedupe, threading and attachment
 * rules as IMAP mail), then the inbox's "last arrived" mark. Inboxes are handled one after the other;
 * when storing fails for any of them, ForwardedEmailNotStored names those after all were tried (the
 * ingress answers 451, the sender retries the whole mail, and dedupe keeps what was stored once).
 */
@Injectable()
export class ReceiveForwardedEmailUseCase {
  constructor(
    private readonly em: EntityManager,
    private readonly store: StoreInboundEmailUseCase,
  ) {}

  async execute({ raw, recipients }: ReceiveForwardedEmailInput): Promise<(StoreInboundEmailResult & { inboxId: string })[]> {
    const results: (StoreInboundEmailResult & { inboxId: string })[] = [];
    const failed: ForwardedEmailNotStored['failed'] = [];
    const seen = new Set<string>();
    for (const r of recipients) {
      // Two addresses of one inbox: one copy.
      if (seen.has(r.inboxId)) continue;
      seen.add(r.inboxId);
      try {
        const stored = await this.store.execute({ inboxId: r.inboxId, raw, forwarded: { recipient: r.address } });
        await this.em
          .fork()
          .execute(`update email_forwarding_addresses set last_received_at = now(), received_count = received_count + 1 where local_part = ? and inbox_id = ?`, [
            r.address.split('@')[0],
            r.inboxId,
          ]);
        results.push({ ...stored, inboxId: r.inboxId });
      } catch (err) {
        failed.push({ ...r, error: err as Error });
      }
    }
    if (failed.length) throw new ForwardedEmailNotStored(failed);
    return results;
  }
}
