import { randomBytes } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';

/**
 * Forwarding addresses of email inboxes (table email_forwarding_addresses): minted the first time an
 * inbox's address is shown, replaced on request. Shared by the channel views and the SMTP ingress.
 */

const BASE32 = 'abcdefghijklmnopqrstuvwxyz234567';

/** 20 characters of lower-case base32: 100 random bits, so addresses cannot be guessed. */
export function newLocalPart(): string {
  const bytes = randomBytes(20);
  let out = '';
  for (const b of bytes) out += BASE32[b & 31];
  return out;
}

export const forwardingAddress = (localPart: string, domain: string): string => `${localPart}@${domain}`;

/** The inbox's current forwarding local part; one is minted (under a lock on the inbox row) when it has none. */
export async function ensureForwardingAddress(em: EntityManager, inboxId: string): Promise<string> {
  const current = await currentLocalPart(em, inboxId);
  if (current) return current;
  return em.transactional(async (tx) => {
    await tx.execute(`select id from inboxes where id = ? for update`, [inboxId]);
    const again = await currentLocalPart(tx, inboxId);
    if (again) return again;
    const localPart = newLocalPart();
    await tx.execute(`insert into email_forwarding_addresses (local_part, inbox_id) values (?, ?)`, [localPart, inboxId]);
    return localPart;
  });
}

/** Retires the current address (mail to it is refused from now on, listed with the inbox) and mints a new one. */
export async function replaceForwardingAddress(em: EntityManager, inboxId: string): Promise<string> {
  return em.transactional(async (tx) => {
    await tx.execute(`select id from inboxes where id = ? for update`, [inboxId]);
    await tx.execute(`update email_forwarding_addresses set retired_at = now() where inbox_id = ? and retired_at is null`, [inboxId]);
    const localPart = newLocalPart();
    await tx.execute(`insert into email_forwarding_addresses (local_part, inbox_id) values (?, ?)`, [localPart, inboxId]);
    return localPart;
  });
}

async function currentLocalPart(em: EntityManager, inboxId: string): Promise<string | null> {
  const rows = await em.execute<{ local_part: string }[]>(
    `select local_part from email_forwarding_addresses where inbox_id = ? and retired_at is null order by created_at desc limit 1`,
    [inboxId],
  );
  return rows[0]?.local_part ?? null;
}
