import type { EntityManager } from '@mikro-orm/postgresql';
import type { ChannelType } from '../inboxes/inbox.entity';

/**
 * The one place that writes contact_opt_outs (ContactOptOut): by hand (SetOptOutUseCase, source
 * "manual:<userId>") or by an SMS keyword (source "keyword"). An existing opt-out is kept as it is.
 */
export async function recordOptOut(em: EntityManager, contactId: string, channelType: ChannelType, source: string): Promise<void> {
  await em.execute(
    `insert into contact_opt_outs (id, contact_id, channel_type, source, created_at) values (gen_random_uuid(), ?, ?, ?, now())
     on conflict (contact_id, channel_type) do nothing`,
    [contactId, channelType, source],
  );
}

export async function clearOptOut(em: EntityManager, contactId: string, channelType: ChannelType): Promise<void> {
  await em.execute('delete from contact_opt_outs where contact_id = ? and channel_type = ?', [contactId, channelType]);
}
