import { Migration } from '@mikro-orm/migrations';

/** Contacts API: identities remember when they were added; matching by email is indexed. */
export class Migration20261123020000_contacts extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table "contact_identities" add column "created_at" timestamptz not null default now();`);
    this.addSql(`create index "contacts_account_id_lower_email_index" on "contacts" ("account_id", lower("email"));`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop index if exists "contacts_account_id_lower_email_index";`);
    this.addSql(`alter table "contact_identities" drop column "created_at";`);
  }
}
