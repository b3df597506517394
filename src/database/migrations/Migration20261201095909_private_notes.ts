import { Migration } from '@mikro-orm/migrations';

/**
 * Private notes: a message row with direction `internal` and sender type `note` (never sent through a
 * channel). Only the two check constraints widen; existing rows are untouched.
 */
export class Migration20261201095909_private_notes extends Migration {

  override async up(): Promise<void> {
    this.addSql(`alter table "messages" drop constraint if exists "messages_direction_check";`);
    this.addSql(`alter table "messages" drop constraint if exists "messages_sender_type_check";`);

    this.addSql(`alter table "messages" add constraint "messages_direction_check" check("direction" in ('inbound', 'outbound', 'internal'));`);
    this.addSql(`alter table "messages" add constraint "messages_sender_type_check" check("sender_type" in ('contact', 'agent', 'system', 'ai', 'note'));`);
  }

  override async down(): Promise<void> {
    // The old constraints cannot hold notes: going back removes them.
    this.addSql(`delete from "messages" where "direction" = 'internal' or "sender_type" = 'note';`);
    this.addSql(`alter table "messages" drop constraint if exists "messages_direction_check";`);
    this.addSql(`alter table "messages" drop constraint if exists "messages_sender_type_check";`);

    this.addSql(`alter table "messages" add constraint "messages_direction_check" check("direction" in ('inbound', 'outbound'));`);
    this.addSql(`alter table "messages" add constraint "messages_sender_type_check" check("sender_type" in ('contact', 'agent', 'system', 'ai'));`);
  }
}
