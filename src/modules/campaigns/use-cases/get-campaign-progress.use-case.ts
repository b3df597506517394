import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { CampaignWorkflows } from '../../../temporal/campaign-workflows';
import type { Actor } from '../../auth/actor';
import { CampaignAccess } from '../campaign-access';
import { countAudience } from '../campaign-audience';

export interface GetCampaignProgressInput {
  actor: Actor;
  campaignId: string;
}

/** Progress from Postgres (the record) plus the workflow's own view through its query. */
@Injectable()
export class GetCampaignProgressUseCase {
  constructor(
    private readonly em: EntityManager,
    private readonly campaigns: CampaignAccess,
    private readonly workflows: CampaignWorkflows,
  ) {}

  async execute({ actor, campaignId: id }: GetCampaignProgressInput) {
    const em = this.em.fork();
    const campaign = await this.campaigns.manage(actor, id, 'viewing campaign progress', em);
    const rows = await em.execute<{ status: string; n: string }[]>(`select status, count(*) as n from campaign_recipients where campaign_id = ? group by status`, [id]);
    const by = (s: string) => Number(rows.find((r) => r.status === s)?.n ?? 0);
    // Delivery receipts (Twilio status callbacks) land on the messages.
    const [receipts] = await em.execute<{ delivered: string; undelivered: string }[]>(
      `select count(*) filter (where m.delivery_status = 'delivered') as delivered, count(*) filter (where m.delivery_status = 'failed') as undelivered
         from campaign_recipients r join messages m on m.id = r.message_id where r.campaign_id = ? and r.status = 'sent'`,
      [id],
    );
    const total = campaign.audienceTotal ?? (await countAudience(em, campaign.account.id, campaign.audience));
    const processed = rows.reduce((sum, r) => sum + (r.status === 'sending' || r.status === 'deferred' ? 0 : Number(r.n)), 0);
    const [next] = await em.execute<{ at: Date | null }[]>(`select min(next_send_at) as at from campaign_recipients where campaign_id = ? and status = 'deferred'`, [id]);
    // Recipients not reached (yet): after a cancel, the ones that will never be sent.
    const remaining = Math.max(0, total - processed);
    const finished = ['completed', 'cancelled', 'failed'].includes(campaign.status);
    const workflow = campaign.status === 'draft' ? null : await this.workflows.progress(id);
    const end = campaign.finishedAt?.getTime() ?? Date.now();
    const seconds = campaign.startedAt ? (end - campaign.startedAt.getTime()) / 1000 : 0;
    const rate = workflow?.rate ?? (seconds > 0 ? Math.round((processed / seconds) * 100) / 100 : 0);
    return {
      status: campaign.status,
      total,
      sent: by('sent'),
      delivered: Number(receipts.delivered),
      undelivered: Number(receipts.undelivered),
      failed: by('failed'),
      skipped: by('skipped'),
      optedOut: by('opted_out'),
      sending: by('sending'),
      deferred: by('deferred'),
      nextDeferredSendAt: next?.at ? new Date(next.at).toISOString() : null,
      remaining,
      rate,
      etaSeconds: finished || remaining === 0 ? 0 : rate > 0 ? Math.ceil(remaining / rate) : null,
      workflow: workflow as Record<string, unknown> | null,
    };
  }
}
