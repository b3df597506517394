import type { MigrationObject } from '@mikro-orm/core';
import { Migration20261122224043_initial } from './Migration20261122224043_initial';
import { Migration20261122231505_inbox_domain } from './Migration20261122231505_inbox_domain';
import { Migration20261123010000_conversation_indexes } from './Migration20261123010000_conversation_indexes';
import { Migration20261123020000_contacts } from './Migration20261123020000_contacts';
import { Migration20261123030000_lifecycle } from './Migration20261123030000_lifecycle';
import { Migration20261123050000_sms_channel } from './Migration20261123050000_sms_channel';
import { Migration20261123060000_email_channel } from './Migration20261123060000_email_channel';
import { Migration20261123070000_campaigns } from './Migration20261123070000_campaigns';
import { Migration20261123080000_contact_tags } from './Migration20261123080000_contact_tags';
import { Migration20261201095727_rate_limit_counters } from './Migration20261201095727_rate_limit_counters';
import { Migration20261201095909_private_notes } from './Migration20261201095909_private_notes';
import { Migration20261201100000_campaign_template_author } from './Migration20261201100000_campaign_template_author';
import { Migration20261201102858_automation_rules } from './Migration20261201102858_automation_rules';
import { Migration20261201130116_live_events } from './Migration20261201130116_live_events';
import { Migration20261201142540_live_event_batches } from './Migration20261201142540_live_event_batches';
import { Migration20261201160000_email_forwarding } from './Migration20261201160000_email_forwarding';
import { Migration20261201161500_report_event_index } from './Migration20261201161500_report_event_index';
import { Migration20261201170000_webhooks } from './Migration20261201170000_webhooks';
import { Migration20261201190000_campaign_media } from './Migration20261201190000_campaign_media';
import { Migration20261201191000_campaign_started_webhook } from './Migration20261201191000_campaign_started_webhook';
import { Migration20261201195000_work_slots } from './Migration20261201195000_work_slots';

/** Every migration in order. Listed explicitly so ts (tests) and js (build) runs find the same set. */
export const MIGRATIONS: MigrationObject[] = [
  { name: 'Migration20261122224043_initial', class: Migration20261122224043_initial },
  { name: 'Migration20261122231505_inbox_domain', class: Migration20261122231505_inbox_domain },
  { name: 'Migration20261123010000_conversation_indexes', class: Migration20261123010000_conversation_indexes },
  { name: 'Migration20261123020000_contacts', class: Migration20261123020000_contacts },
  { name: 'Migration20261123030000_lifecycle', class: Migration20261123030000_lifecycle },
  { name: 'Migration20261123050000_sms_channel', class: Migration20261123050000_sms_channel },
  { name: 'Migration20261123060000_email_channel', class: Migration20261123060000_email_channel },
  { name: 'Migration20261123070000_campaigns', class: Migration20261123070000_campaigns },
  { name: 'Migration20261123080000_contact_tags', class: Migration20261123080000_contact_tags },
  { name: 'Migration20261201095727_rate_limit_counters', class: Migration20261201095727_rate_limit_counters },
  { name: 'Migration20261201095909_private_notes', class: Migration20261201095909_private_notes },
  { name: 'Migration20261201100000_campaign_template_author', class: Migration20261201100000_campaign_template_author },
  { name: 'Migration20261201102858_automation_rules', class: Migration20261201102858_automation_rules },
  { name: 'Migration20261201130116_live_events', class: Migration20261201130116_live_events },
  { name: 'Migration20261201142540_live_event_batches', class: Migration20261201142540_live_event_batches },
  { name: 'Migration20261201160000_email_forwarding', class: Migration20261201160000_email_forwarding },
  { name: 'Migration20261201161500_report_event_index', class: Migration20261201161500_report_event_index },
  { name: 'Migration20261201170000_webhooks', class: Migration20261201170000_webhooks },
  { name: 'Migration20261201190000_campaign_media', class: Migration20261201190000_campaign_media },
  { name: 'Migration20261201191000_campaign_started_webhook', class: Migration20261201191000_campaign_started_webhook },
  { name: 'Migration20261201195000_work_slots', class: Migration20261201195000_work_slots },
];
