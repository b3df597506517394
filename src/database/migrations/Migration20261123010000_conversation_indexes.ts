import { Migration } from '@mikro-orm/migrations';

/**
 * Conversation list indexes: sorted by priority (priority desc, last_activity_at desc, id desc) per
 * inbox, and the caller's pinned conversations (a partial index: pins are few, read states many).
 */
export class Migration20261123010000_conversation_indexes extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `create index if not exists "conversations_inbox_id_priority_last_activity_at_id_index" on "conversations" ("inbox_id", "priority", "last_activity_at", "id");`,
    );
    this.addSql(
      `create index if not exists "conversation_user_states_pinned_index" on "conversation_user_states" ("user", "conversation_id") where "pinned_at" is not null;`,
    );
  }

  override async down(): Promise<void> {
    this.addSql(`drop index if exists "conversation_user_states_pinned_index";`);
    this.addSql(`drop index if exists "conversations_inbox_id_priority_last_activity_at_id_index";`);
  }
}
