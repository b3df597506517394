import { Migration } from '@mikro-orm/migrations';

/**
 * Contact tags (campaign audiences by tag, the contact list's tag filter). Existing rows get the empty
 * set through the constant default (no table rewrite); the GIN index serves `&&` and `@>`.
 */
export class Migration20261123080000_contact_tags extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table "contacts" add column "tags" text[] not null default '{}';`);
    this.addSql(`create index "contacts_tags_index" on "contacts" using gin ("tags");`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop index if exists "contacts_tags_index";`);
    this.addSql(`alter table "contacts" drop column "tags";`);
  }
}
