import { Migration } from '@mikro-orm/migrations';

/**
 * The conversation report finds the conversations with activity in its range through the event
 * log's time: an index on conversation_events (created_at) holding conversation_id and type, so
 * that search is an index-only scan (without it a month's report reads the whole log). Moves are
 * rare and a report scoped to inboxes looks them all up: a partial index holds only them.
 * Their write cost is measured by bench:reports (single-row inserts with and without them).
 */
export class Migration20261201161500_report_event_index extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create index "conversation_events_created_at_index" on "conversation_events" ("created_at") include ("conversation_id", "type");`);
    this.addSql(`create index "conversation_events_moved_index" on "conversation_events" ("conversation_id") where "type" = 'moved';`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop index if exists "conversation_events_moved_index";`);
    this.addSql(`drop index if exists "conversation_events_created_at_index";`);
  }
}
