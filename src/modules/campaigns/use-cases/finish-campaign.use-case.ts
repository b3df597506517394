import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';

/** The campaign run ended: its final status and why (a campaign already finished keeps its status). */
@Injectable()
export class FinishCampaignUseCase {
  constructor(private readonly em: EntityManager) {}

  async execute(input: { campaignId: string; status: 'completed' | 'cancelled' | 'failed'; reason: string | null }): Promise<void> {
    await this.em
      .fork()
      .execute(
        `update campaigns set status = ?, status_reason = ?, finished_at = now(), updated_at = now() where id = ? and status not in ('completed', 'cancelled', 'failed')`,
        [input.status, input.reason, input.campaignId],
      );
  }
}
