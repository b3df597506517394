import { Migration } from '@mikro-orm/migrations';

/** MMS media on campaigns: the checked URLs (url, contentType, size) sent with every recipient's message. */
export class Migration20261201190000_campaign_media extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table "campaigns" add column "media" jsonb not null default '[]';`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "campaigns" drop column "media";`);
  }
}
