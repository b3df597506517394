import type { EntityManager } from '@mikro-orm/postgresql';
import { Account } from '../accounts/account.entity';
import type { ChannelType } from '../inboxes/inbox.entity';
import { Contact, ContactIdentity } from './contact.entity';

export interface InboundContactData {
  /** The contact's address on this channel: API source id, email address or phone number. */
  sourceId: string;
  name?: string;
  email?: string;
  phone?: string;
}

/** Digits and a leading +, so "+49 151 234-56" and "+4915123456" are the same number. */
export function normalisePhone(phone: string): string {
  const trimmed = phone.trim();
  return (trimmed.startsWith('+') ? '+' : '') + trimmed.replace(/\D/g, '');
}

/** SQL (alias c) of a contact's phone as normalisePhone() gives it. */
export const PHONE_SQL = `(case when btrim(c.phone) like '+%' then '+' else '' end) || regexp_replace(c.phone, '[^0-9]', '', 'g')`;

/**
 * The contact an inbound message belongs to, for the one inbound path of every channel. Call it inside
 * the inbound transaction (the caller serialises per inbox and sender).
 *
 * 1. An identity (account, channel type, address) already exists: its contact.
 * 2. Otherwise, when the account's matching attribute (settings.matchingAttribute) is 'email' or
 *    'phone' and the inbound data carries that value, an existing contact of the account with the same
 *    email (case-insensitive) or phone (digits compared) gets this channel address as a NEW identity,
 *    so one person's conversations across channels share one contact. Its empty name/email/phone are
 *    filled from the inbound data.
 * 3. Otherwise a new contact with this identity.
 *
 * The identity is unique per (account, channel type, address); the same sender writing to two inboxes
 * at once can race, so it is inserted with ON CONFLICT DO NOTHING and the winner's contact is taken.
 */
export async function findOrCreateContact(
  em: EntityManager,
  accountId: string,
  channelType: ChannelType,
  input: InboundContactData,
): Promise<Contact> {
  return (await findOrCreateContactFor(em, accountId, channelType, input)).contact;
}

/**
 * findOrCreateContact, also telling whether the contact was made by this call (then it has no
 * conversation yet). `matchingAttribute`: the account's setting when the caller read it already.
 */
export async function findOrCreateContactFor(
  em: EntityManager,
  accountId: string,
  channelType: ChannelType,
  input: InboundContactData,
  known: { matchingAttribute?: 'email' | 'phone' | null } = {},
): Promise<{ contact: Contact; created: boolean }> {
  const existing = await findByIdentity(em, accountId, channelType, input.sourceId);
  if (existing) return { contact: existing, created: false };

  const email = input.email ?? (channelType === 'email' ? input.sourceId : null);
  const phone = input.phone ?? (channelType === 'sms' ? input.sourceId : null);

  const matching =
    known.matchingAttribute !== undefined ? known.matchingAttribute : ((await em.findOneOrFail(Account, { id: accountId }, { fields: ['settings'] })).settings?.matchingAttribute ?? null);
  const matchValue = matching === 'email' ? email?.trim().toLowerCase() : matching === 'phone' && phone ? normalisePhone(phone) : null;

  if (matching && matchValue) {
    // Two first messages of one person on two channels at once must not make two contacts.
    await em.execute('select pg_advisory_xact_lock(hashtextextended(?, 0))', [`contact-match:${accountId}:${matching}:${matchValue}`]);
    const rows = await em.execute<{ id: string }[]>(
      matching === 'email'
        ? `select c.id from contacts c where c.account_id = ? and lower(c.email) = ? order by c.created_at, c.id limit 1`
        : `select c.id from contacts c where c.account_id = ? and c.phone is not null and ${PHONE_SQL} = ? order by c.created_at, c.id limit 1`,
      [accountId, matchValue],
    );
    if (rows.length > 0) {
      const contact = await em.findOneOrFail(Contact, { id: rows[0].id });
      const winner = await insertIdentity(em, accountId, contact.id, channelType, input.sourceId);
      if (winner !== contact.id) return { contact: await em.findOneOrFail(Contact, { id: winner }), created: false };
      if (!contact.name && input.name) contact.name = input.name;
      if (!contact.email && email) contact.email = email;
      if (!contact.phone && phone) contact.phone = phone;
      await em.flush();
      return { contact, created: false };
    }
  }

  const contact = em.create(Contact, { account: accountId, name: input.name ?? null, email, phone });
  await em.flush();
  const winner = await insertIdentity(em, accountId, contact.id, channelType, input.sourceId);
  if (winner === contact.id) return { contact, created: true };
  em.remove(contact);
  await em.flush();
  return { contact: await em.findOneOrFail(Contact, { id: winner }), created: false };
}

async function findByIdentity(em: EntityManager, accountId: string, channelType: ChannelType, address: string): Promise<Contact | null> {
  const identity = await em.findOne(ContactIdentity, { account: accountId, channelType, address }, { populate: ['contact'] });
  return identity ? identity.contact.getEntity() : null;
}

/** Inserts the identity unless it exists; returns the id of the contact that holds it. */
async function insertIdentity(em: EntityManager, accountId: string, contactId: string, channelType: ChannelType, address: string): Promise<string> {
  const inserted = await em.execute<{ contact_id: string }[]>(
    `insert into contact_identities (id, account_id, contact_id, channel_type, address, created_at)
     values (gen_random_uuid(), ?, ?, ?, ?, clock_timestamp())
     on conflict (account_id, channel_type, address) do nothing
     returning contact_id`,
    [accountId, contactId, channelType, address],
  );
  if (inserted.length > 0) return contactId;
  const winner = await em.execute<{ contact_id: string }[]>(
    `select contact_id from contact_identities where account_id = ? and channel_type = ? and address = ?`,
    [accountId, channelType, address],
  );
  if (winner.length === 0) throw new Error(`contact identity ${channelType}:${address} vanished during insert`);
  return winner[0].contact_id;
}
