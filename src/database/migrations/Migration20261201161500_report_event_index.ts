import { Migration } from '@mikro-orm/migrations';

/**
 * The conversation report finds the conversations with activity in its range through the event
 * log's time: an index on conversation_events.created_at (without it a month's report scans the
 * whole log). Its write cost is measured by bench:reports (single-row inserts with and without it).
 */
export class Migration20261201161500_report_event_index extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create index "conversation_events_created_at_index" on "conversation_events" ("created_at");`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop index if exists "conversation_events_created_at_index";`);
  }
}
