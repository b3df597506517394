import { Migration } from '@mikro-orm/migrations';

/**
 * Who last set a campaign's template: the run renders hidden contact attributes only for a template an
 * administrator wrote. Existing campaigns: their creator wrote the template.
 */
export class Migration20261201100000_campaign_template_author extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table "campaigns" add column "template_author_user_id" uuid null;`);
    this.addSql(`update "campaigns" set "template_author_user_id" = "created_by_user_id";`);
    this.addSql(`alter table "campaigns" alter column "template_author_user_id" set not null;`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "campaigns" drop column "template_author_user_id";`);
  }
}
