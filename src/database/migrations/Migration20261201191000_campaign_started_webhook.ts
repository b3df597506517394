import { Migration } from '@mikro-orm/migrations';

/**
 * campaign.started fires when the run begins (started_at is first set), whatever the status then: a
 * campaign paused while it waited for its schedule begins as paused (mark-campaign-running keeps the
 * pause), and the old condition (status running) missed it for good, since the resume finds started_at
 * already set. campaign.completed is unchanged.
 */
export class Migration20261201191000_campaign_started_webhook extends Migration {
  override async up(): Promise<void> {
    this.addSql(`drop trigger if exists webhooks_campaign_update on campaigns;`);
    this.addSql(`create constraint trigger webhooks_campaign_update after update on campaigns deferrable initially deferred
      for each row when ((old.started_at is null and new.started_at is not null)
        or (new.status = 'completed' and old.status is distinct from 'completed'))
      execute function webhooks_campaign();`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop trigger if exists webhooks_campaign_update on campaigns;`);
    this.addSql(`create constraint trigger webhooks_campaign_update after update on campaigns deferrable initially deferred
      for each row when ((new.status = 'running' and old.started_at is null and new.started_at is not null)
        or (new.status = 'completed' and old.status is distinct from 'completed'))
      execute function webhooks_campaign();`);
  }
}
