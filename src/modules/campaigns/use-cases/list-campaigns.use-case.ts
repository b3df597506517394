import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { AccessPolicy } from '../../auth/access-policy';
import type { Actor } from '../../auth/actor';
import { cursorKeySql, cursorTimeSql, decodeCursor, encodeCursor } from '../../../common/keyset-cursor';
import { countAudiences } from '../campaign-audience';
import type { CampaignWithCount } from '../campaign-status';
import { Campaign, type CampaignStatus } from '../campaign.entity';

export interface ListCampaignsInput {
  actor: Actor;
  inboxId?: string;
  status?: CampaignStatus;
  cursor?: string;
  limit?: number;
}

/**
 * The campaigns of the caller's account that the caller may manage (CampaignAccess's rule: managers of
 * the sending inbox and administrators), newest first, a page at a time with the keyset cursor the
 * contact lists use. With inboxId, the caller must manage that inbox (403; other accounts' inbox 404).
 * audienceCount: the stored audienceTotal once a run started; the rest of the page counted in one statement.
 */
@Injectable()
export class ListCampaignsUseCase {
  constructor(
    private readonly em: EntityManager,
    private readonly access: AccessPolicy,
  ) {}

  async execute(input: ListCampaignsInput): Promise<{ items: CampaignWithCount[]; nextCursor: string | null }> {
    const { actor } = input;
    const em = this.em.fork();
    const limit = input.limit ?? 50;
    const after = input.cursor ? decodeCursor(input.cursor) : null;
    const clauses = ['k.account_id = ?'];
    const params: unknown[] = [actor.accountId];
    if (input.inboxId) {
      await this.access.requireManager(actor, input.inboxId, 'listing campaigns', em);
      clauses.push('k.inbox_id = ?');
      params.push(input.inboxId);
    } else if (!actor.isAdmin) {
      clauses.push(`k.inbox_id in (select m.inbox_id from inbox_memberships m where m.user_id = ? and m.role = 'manager')`);
      params.push(actor.userId);
    }
    if (input.status) {
      clauses.push('k.status = ?');
      params.push(input.status);
    }
    if (after) {
      clauses.push(`(k.created_at, k.id) < (${cursorTimeSql}, ?::uuid)`);
      params.push(after.createdAt, after.id);
    }
    params.push(limit + 1);
    const rows = await em.execute<{ id: string; sort_key: string }[]>(
      `select k.id, ${cursorKeySql('k.created_at')} as sort_key from campaigns k
       where ${clauses.join(' and ')} order by k.created_at desc, k.id desc limit ?`,
      params,
    );
    const page = rows.slice(0, limit);
    const last = page[page.length - 1];
    const nextCursor = rows.length > limit && last ? encodeCursor(last.sort_key, last.id) : null;
    if (page.length === 0) return { items: [], nextCursor };

    const byId = new Map((await em.find(Campaign, { id: { $in: page.map((r) => r.id) } })).map((c) => [c.id, c]));
    const campaigns = page.map((r) => byId.get(r.id)).filter((c): c is Campaign => c !== undefined);
    const uncounted = campaigns.filter((c) => c.audienceTotal === null);
    const counts = await countAudiences(em, actor.accountId, uncounted.map((c) => c.audience));
    const counted = new Map(uncounted.map((c, i) => [c.id, counts[i]]));
    return {
      items: campaigns.map((campaign) => ({ campaign, audienceCount: campaign.audienceTotal ?? counted.get(campaign.id) ?? 0 })),
      nextCursor,
    };
  }
}
