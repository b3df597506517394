import type { EntityManager } from '@mikro-orm/postgresql';
import type { Actor } from '../auth/actor';
import { Contact, ContactAttributeDefinition, ContactFavourite, ContactIdentity, ContactOptOut } from './contact.entity';
import type { ContactSummaryView, ContactView } from './dto/contact.dto';

const iso = (d: Date | string): string => (d instanceof Date ? d : new Date(d)).toISOString();

/** A raw contacts row (snake_case columns) as a summary. */
export function summaryFromRow(row: ContactRow): ContactSummaryView {
  return {
    id: row.id,
    name: row.name,
    email: row.email,
    phone: row.phone,
    vip: row.vip,
    spam: row.spam,
    favourite: Boolean(row.favourite),
    tags: row.tags ?? [],
    createdAt: iso(row.created_at),
    updatedAt: iso(row.updated_at),
  };
}

export interface ContactRow {
  id: string;
  name: string | null;
  email: string | null;
  phone: string | null;
  vip: boolean;
  spam: boolean;
  favourite?: boolean;
  tags?: string[];
  created_at: Date | string;
  updated_at: Date | string;
}

/** Definitions the caller may see, by position: administrators all, agents the visible ones. */
export function definitionsFor(actor: Actor, em: EntityManager): Promise<ContactAttributeDefinition[]> {
  return em.find(
    ContactAttributeDefinition,
    { account: actor.accountId, ...(actor.isAdmin ? {} : { visible: true }) },
    { orderBy: { position: 'asc', createdAt: 'asc', id: 'asc' } },
  );
}

/** The full contact as the caller may see it. */
export async function contactView(actor: Actor, contact: Contact, em: EntityManager): Promise<ContactView> {
  // One after the other: inside a transaction they share one connection.
  const identities = await em.find(ContactIdentity, { contact: contact.id }, { orderBy: { createdAt: 'asc', id: 'asc' } });
  const definitions = await definitionsFor(actor, em);
  const optOuts = await em.find(ContactOptOut, { contact: contact.id }, { orderBy: { channelType: 'asc' } });
  const favourite = await em.count(ContactFavourite, { contact: contact.id, user: actor.userId });
  return {
    id: contact.id,
    name: contact.name,
    email: contact.email,
    phone: contact.phone,
    vip: contact.vip,
    spam: contact.spam,
    favourite: favourite > 0,
    tags: contact.tags ?? [],
    createdAt: iso(contact.createdAt),
    updatedAt: iso(contact.updatedAt),
    identities: identities.map((i) => ({ id: i.id, channelType: i.channelType, address: i.address, createdAt: iso(i.createdAt) })),
    platformAttributes: contact.platformAttributes ?? {},
    attributes: definitions.map((d) => ({
      key: d.key,
      label: d.label,
      type: d.type,
      options: d.options,
      visible: d.visible,
      value: contact.attributes?.[d.key] ?? null,
    })),
    optOuts: optOuts.map((o) => ({ channelType: o.channelType, source: o.source, createdAt: iso(o.createdAt) })),
  };
}

/** A LIKE pattern that finds `text` anywhere, with %, _ and \ taken literally. */
export function containsPattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}
