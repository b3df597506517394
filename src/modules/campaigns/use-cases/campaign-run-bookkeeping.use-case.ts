import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { DomainError } from '../../../common/domain-error';
import { audiencePage, countAudience } from '../campaign-audience';
import { Campaign } from '../campaign.entity';

/** The campaign-run workflow's records: running, audience pages, the final status. */
@Injectable()
export class CampaignRunBookkeepingUseCase {
  constructor(private readonly em: EntityManager) {}

  private async load(em: EntityManager, campaignId: string): Promise<Campaign> {
    const campaign = await em.findOne(Campaign, { id: campaignId });
    if (!campaign) throw DomainError.notFound('campaign', campaignId);
    return campaign;
  }

  /** Sending begins: scheduled → running (a pause requested meanwhile stays), the audience counted. */
  async markRunning(input: { campaignId: string }): Promise<void> {
    const em = this.em.fork();
    const campaign = await this.load(em, input.campaignId);
    const total = await countAudience(em, campaign.account.id, campaign.audience);
    await em.execute(
      `update campaigns set status = case when status = 'scheduled' then 'running' else status end, started_at = coalesce(started_at, now()),
         audience_total = coalesce(audience_total, ?), updated_at = now() where id = ?`,
      [total, input.campaignId],
    );
  }

  async loadPage(input: { campaignId: string; after: string | null; limit: number }): Promise<string[]> {
    const em = this.em.fork();
    const campaign = await this.load(em, input.campaignId);
    return audiencePage(em, campaign.account.id, campaign.audience, input.after, input.limit);
  }

  /** Deferred recipients due now (up to `limit`, by contact id), how many are deferred in all, and the next due time. */
  async loadDeferred(input: { campaignId: string; limit: number }): Promise<{ due: string[]; deferred: number; nextAt: number | null }> {
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

  async finish(input: { campaignId: string; status: 'completed' | 'cancelled' | 'failed'; reason: string | null }): Promise<void> {
    await this.em
      .fork()
      .execute(
        `update campaigns set status = ?, status_reason = ?, finished_at = now(), updated_at = now() where id = ? and status not in ('completed', 'cancelled', 'failed')`,
        [input.status, input.reason, input.campaignId],
      );
  }
}
