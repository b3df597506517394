import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';

export interface DeferredRecipients {
  /** Contact ids whose quiet hours ended (up to the limit, by contact id). */
  due: string[];
  /** Recipients deferred in all. */
  deferred: number;
  /** Epoch ms when the next deferred recipient is due. */
  nextAt: number | null;
}

/** Deferred campaign recipients due now, how many are deferred in all, and the next due time. */
@Injectable()
export class LoadDeferredRecipientsUseCase {
  constructor(private readonly em: EntityManager) {}

  async execute(input: { campaignId: string; limit: number }): Promise<DeferredRecipients> {
    const em = this.em.fork();
    const due = await em.execute<{ contact_id: string }[]>(
      `select contact_id from campaign_recipients where campaign_id = ? and status = 'deferred' and next_send_at <= now() order by contact_id limit ?`,
      [input.campaignId, input.limit],
    );
    const [summary] = await em.execute<{ n: string; next_at: Date | null }[]>(
      `select count(*) as n, min(next_send_at) as next_at from campaign_recipients where campaign_id = ? and status = 'deferred'`,
      [input.campaignId],
    );
    return { due: due.map((d) => d.contact_id), deferred: Number(summary.n), nextAt: summary.next_at ? new Date(summary.next_at).getTime() : null };
  }
}
