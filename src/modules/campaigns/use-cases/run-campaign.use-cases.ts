import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { DomainError } from '../../../common/domain-error';
import type { Actor } from '../../auth/actor';
import { CampaignAccess } from '../campaign-access';
import { countAudience, countAudienceOptedOut } from '../campaign-audience';
import { CampaignWorkflows } from '../../../temporal/campaign-workflows';
import type { Campaign, CampaignStatus } from '../campaign.entity';

export interface CampaignWithCount {
  campaign: Campaign;
  audienceCount: number;
}

async function withCount(em: EntityManager, campaign: Campaign): Promise<CampaignWithCount> {
  return { campaign, audienceCount: await countAudience(em, campaign.account.id, campaign.audience) };
}

function requireStatus(campaign: Campaign, allowed: CampaignStatus[], action: string): void {
  if (!allowed.includes(campaign.status)) {
    throw new DomainError('CONFLICT', `status: cannot ${action} a ${campaign.status} campaign (only ${allowed.join(', ')})`, [{ field: 'status', problem: `is ${campaign.status}` }]);
  }
}

@Injectable()
export class GetCampaignUseCase {
  constructor(
    private readonly em: EntityManager,
    private readonly campaigns: CampaignAccess,
  ) {}

  async execute(actor: Actor, id: string): Promise<CampaignWithCount> {
    const em = this.em.fork();
    return withCount(em, await this.campaigns.manage(actor, id, 'viewing a campaign', em));
  }

  /** The audience size before sending, and how many of them are opted out of the inbox's channel now. */
  async preview(actor: Actor, id: string): Promise<{ count: number; optedOut: number }> {
    const em = this.em.fork();
    const campaign = await this.campaigns.manage(actor, id, 'previewing a campaign audience', em);
    const channel = (await em.execute<{ channel_type: string }[]>(`select channel_type from inboxes where id = ?`, [campaign.inbox.id]))[0].channel_type;
    const count = await countAudience(em, campaign.account.id, campaign.audience);
    // The same audience SQL as the count and the run (ids, tags, attributes), restricted to the opted-out.
    const optedOut = await countAudienceOptedOut(em, campaign.account.id, campaign.audience, channel);
    return { count, optedOut };
  }
}

/** Start, pause, resume, cancel: the workflow does the work; the record shows the state at once. */
@Injectable()
export class ControlCampaignUseCase {
  constructor(
    private readonly em: EntityManager,
    private readonly campaigns: CampaignAccess,
    private readonly workflows: CampaignWorkflows,
  ) {}

  async start(actor: Actor, id: string): Promise<CampaignWithCount> {
    const em = this.em.fork();
    const campaign = await this.campaigns.manage(actor, id, 'starting a campaign', em);
    requireStatus(campaign, ['draft'], 'start');
    // Scheduled first (the run moves it on to running), conditionally, so two starts cannot both go on;
    // a workflow start that fails (Temporal unreachable) puts the draft back, and a retry is idempotent.
    const claimed = await em.execute<{ id: string }[]>(`update campaigns set status = 'scheduled', updated_at = now() where id = ? and status = 'draft' returning id`, [campaign.id]);
    if (!claimed.length) throw new DomainError('CONFLICT', `status: the campaign was started meanwhile`, [{ field: 'status', problem: 'is no longer draft' }]);
    try {
      await this.workflows.start({
        campaignId: campaign.id,
        scheduledAt: campaign.scheduledAt?.getTime() ?? null,
        rateLimitPerSecond: campaign.rateLimitPerSecond,
      });
    } catch (err) {
      await em.execute(`update campaigns set status = 'draft', updated_at = now() where id = ? and status = 'scheduled' and started_at is null`, [campaign.id]);
      throw err;
    }
    await em.refresh(campaign);
    return withCount(em, campaign);
  }

  async pause(actor: Actor, id: string): Promise<CampaignWithCount> {
    return this.change(actor, id, 'pause', ['scheduled', 'running'], `'paused'`);
  }

  async resume(actor: Actor, id: string): Promise<CampaignWithCount> {
    return this.change(actor, id, 'resume', ['paused'], `case when started_at is null then 'scheduled' else 'running' end`);
  }

  /** The run stops after the batch in flight and records the campaign as cancelled (drafts: at once). */
  async cancel(actor: Actor, id: string): Promise<CampaignWithCount> {
    const em = this.em.fork();
    const campaign = await this.campaigns.manage(actor, id, 'cancelling a campaign', em);
    requireStatus(campaign, ['draft', 'scheduled', 'running', 'paused'], 'cancel');
    if (campaign.status === 'draft') {
      await em.execute(`update campaigns set status = 'cancelled', status_reason = 'cancelled before it started', finished_at = now(), updated_at = now() where id = ?`, [id]);
    } else {
      await this.workflows.signal(id, 'cancel');
    }
    await em.refresh(campaign);
    return withCount(em, campaign);
  }

  private async change(actor: Actor, id: string, action: 'pause' | 'resume', allowed: CampaignStatus[], next: string): Promise<CampaignWithCount> {
    const em = this.em.fork();
    const campaign = await this.campaigns.manage(actor, id, `${action === 'pause' ? 'pausing' : 'resuming'} a campaign`, em);
    requireStatus(campaign, allowed, action);
    await this.workflows.signal(id, action);
    await em.execute(`update campaigns set status = ${next}, updated_at = now() where id = ? and status in (${allowed.map(() => '?').join(', ')})`, [id, ...allowed]);
    await em.refresh(campaign);
    return withCount(em, campaign);
  }
}

/** Progress from Postgres (the record) plus the workflow's own view through its query. */
@Injectable()
export class CampaignProgressUseCase {
  constructor(
    private readonly em: EntityManager,
    private readonly campaigns: CampaignAccess,
    private readonly workflows: CampaignWorkflows,
  ) {}

  async execute(actor: Actor, id: string) {
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
