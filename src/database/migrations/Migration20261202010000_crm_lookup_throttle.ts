import { Migration } from '@mikro-orm/migrations';

/**
 * CRM lookups at a bounded concurrency per connector (a CSV import of 10,000 contacts must not fire
 * 10,000 requests at the CRM at once): crm_connectors.max_concurrent_lookups (default 4), and the
 * queued lookups stay in crm_lookup_queue while they run. The dispatcher (every worker runs one)
 * claims, under one advisory lock, at most max_concurrent_lookups - running rows per connector
 * (lease_until: a lease, claims: how often), starts a crm-lookup workflow per claimed row, and the
 * lookup activity deletes its row when it is done and wakes the dispatchers (NOTIFY cx_crm_lookups).
 * A row whose lease ran out (a dispatcher died between claim and start, a workflow that failed for
 * good) is claimed again; one claimed CRM_LOOKUP_MAX_CLAIMS times is dropped.
 */
export class Migration20261202010000_crm_lookup_throttle extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table "crm_connectors" add column "max_concurrent_lookups" int not null default 4;`);
    this.addSql(`alter table "crm_lookup_queue" add column "lease_until" timestamptz null, add column "claims" int not null default 0;`);
    this.addSql(`create index "crm_lookup_queue_connector_id_lease_until_index" on "crm_lookup_queue" ("connector_id", "lease_until");`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop index if exists "crm_lookup_queue_connector_id_lease_until_index";`);
    this.addSql(`alter table "crm_lookup_queue" drop column "lease_until", drop column "claims";`);
    this.addSql(`alter table "crm_connectors" drop column "max_concurrent_lookups";`);
  }
}
