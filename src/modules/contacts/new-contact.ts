/**
 * A contact created by hand (POST /contacts) or by the CSV import: the same checks for both, and the
 * same identities and duplicate rule as the inbound path (find-or-create-contact.ts), so a contact
 * created here is the one a later email or SMS from that person lands on.
 */
import { randomUUID } from 'node:crypto';
import { DeadlockException } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { isEmail } from 'class-validator';
import { DomainError, type FieldProblem } from '../../common/domain-error';
import { pgArrayLiteral } from '../../common/pg-array';
import { applyAttributeValues } from './attribute-values';
import { normaliseContactTags } from './contact-tags';
import type { ContactAttributeDefinition } from './contact.entity';
import { normalisePhone, PHONE_SQL } from './find-or-create-contact';

export const CONTACT_NAME_MAX_LENGTH = 200;
export const CONTACT_EMAIL_MAX_LENGTH = 320;
export const CONTACT_PHONE_MAX_LENGTH = 40;
/** Digits, spaces and + ( ) - . / ; 3 to 20 digits. */
const PHONE_CHARS = /^\+?[\d\s()./-]+$/;
/** An E.164 number, the form an SMS channel gives the sender in: only then does the phone become an sms identity. */
const E164 = /^\+\d{6,15}$/;

export interface NewContactFields {
  name?: string | null;
  email?: string | null;
  phone?: string | null;
  vip?: boolean;
  /** Normalised like contact tags (contact-tags.ts). */
  tags?: string[];
  /** Custom attribute values by key; null or '' sets none. */
  attributes?: Record<string, unknown>;
}

export interface CheckedNewContact {
  name: string | null;
  email: string | null;
  phone: string | null;
  vip: boolean;
  tags: string[];
  attributes: Record<string, string>;
}

/** A problem with the existing contact that already has the value (409s and import rows name it). */
export interface DuplicateProblem extends FieldProblem {
  contactId: string;
}

const blankToNull = (v: string | null | undefined) => {
  const t = v?.trim();
  return t ? t : null;
};

/**
 * Every problem of the fields at once (each naming its field), or the contact to insert. Administrators
 * create contacts, so hidden attributes may be set.
 */
export function checkNewContact(
  fields: NewContactFields,
  definitions: ContactAttributeDefinition[],
): { contact: CheckedNewContact; problems: [] } | { contact: null; problems: FieldProblem[] } {
  const problems: FieldProblem[] = [];
  // PostgreSQL text cannot hold NUL: name it here rather than fail the insert.
  const nul = (field: string, value: unknown) => typeof value === 'string' && value.includes('\u0000') && problems.push({ field, problem: 'must not contain NUL characters' });
  nul('name', fields.name);
  nul('email', fields.email);
  nul('phone', fields.phone);
  for (const [key, value] of Object.entries(fields.attributes ?? {})) nul(`attributes.${key}`, value);
  (fields.tags ?? []).forEach((tag, i) => nul(`tags[${i}]`, tag));
  if (problems.length > 0) return { contact: null, problems };
  const name = blankToNull(fields.name);
  const email = blankToNull(fields.email);
  const phone = blankToNull(fields.phone);
  if (name && name.length > CONTACT_NAME_MAX_LENGTH) problems.push({ field: 'name', problem: `must be at most ${CONTACT_NAME_MAX_LENGTH} characters` });
  if (email && email.length > CONTACT_EMAIL_MAX_LENGTH) problems.push({ field: 'email', problem: `must be at most ${CONTACT_EMAIL_MAX_LENGTH} characters` });
  else if (email && !isEmail(email)) problems.push({ field: 'email', problem: 'must be an email address' });
  if (phone) {
    const digits = phone.replace(/\D/g, '').length;
    if (phone.length > CONTACT_PHONE_MAX_LENGTH) problems.push({ field: 'phone', problem: `must be at most ${CONTACT_PHONE_MAX_LENGTH} characters` });
    else if (!PHONE_CHARS.test(phone) || digits < 3 || digits > 20) {
      problems.push({ field: 'phone', problem: 'must be a phone number: 3 to 20 digits, optionally with a leading + and spaces ( ) - . /' });
    }
  }
  if (!name && !email && !phone) problems.push({ field: 'name', problem: 'a contact needs a name, an email or a phone' });
  let tags: string[] = [];
  try {
    tags = normaliseContactTags(fields.tags ?? []).sort();
  } catch (err) {
    problems.push(...problemsOf(err));
  }
  let attributes: Record<string, string> = {};
  for (const [key, value] of Object.entries(fields.attributes ?? {})) {
    if (value === null || value === '') continue;
    try {
      attributes = applyAttributeValues(attributes, { [key]: value }, definitions, true);
    } catch (err) {
      problems.push(...problemsOf(err));
    }
  }
  if (problems.length > 0) return { contact: null, problems };
  return { contact: { name, email, phone, vip: fields.vip ?? false, tags, attributes }, problems: [] };
}

function problemsOf(err: unknown): FieldProblem[] {
  if (err instanceof DomainError && err.code === 'VALIDATION_FAILED' && err.details.length > 0) return err.details;
  throw err;
}

/** 400 with every problem, the message naming the first ones. */
export function invalidContact(problems: FieldProblem[]): DomainError {
  return new DomainError('VALIDATION_FAILED', problems.map((p) => `${p.field}: ${p.problem}`).join('; '), problems);
}

/** 409: the email or phone belongs to another contact of the account. */
export function duplicateContact(problems: DuplicateProblem[]): DomainError {
  return new DomainError('CONFLICT', problems.map((p) => `${p.field}: ${p.problem}`).join('; '), problems);
}

/**
 * Inserts the contact with its identities (email address; phone as sms identity when in E.164 form)
 * inside `tx` and returns its id. The email (case-insensitive) and phone (digits compared) must not
 * belong to another contact of the account, by its fields or its identities: 409 naming the field and
 * that contact. Serialised with the inbound path by the same advisory locks
 * (contact-match:<account>:<attribute>:<value>), so a first message from this person arriving
 * meanwhile cannot make a second contact. Plain SQL, few round trips: the import runs this per row.
 */
export async function insertNewContact(tx: EntityManager, accountId: string, input: CheckedNewContact): Promise<string> {
  const emailKey = input.email?.toLowerCase() ?? null;
  const phoneKey = input.phone ? normalisePhone(input.phone) : null;
  // Email before phone (left to right), so two creations cannot wait for each other.
  const locks = [...(emailKey ? [`contact-match:${accountId}:email:${emailKey}`] : []), ...(phoneKey ? [`contact-match:${accountId}:phone:${phoneKey}`] : [])];
  if (locks.length > 0) await tx.execute(`select ${locks.map(() => 'pg_advisory_xact_lock(hashtextextended(?, 0))').join(', ')}`, locks);

  const [owners] = await tx.execute<{ email_owner: string | null; phone_owner: string | null }[]>(
    `select
       (select id from (
          select c.id, c.created_at from contacts c where c.account_id = ? and lower(c.email) = ?
          union all
          select i.contact_id, i.created_at from contact_identities i where i.account_id = ? and i.channel_type = 'email' and i.address = ?
        ) x order by created_at, id limit 1) as email_owner,
       (select id from (
          select c.id, c.created_at from contacts c where c.account_id = ? and c.phone is not null and ${PHONE_SQL} = ?
          union all
          select i.contact_id, i.created_at from contact_identities i where i.account_id = ? and i.channel_type = 'sms' and i.address = ?
        ) x order by created_at, id limit 1) as phone_owner`,
    [accountId, emailKey, accountId, emailKey, accountId, phoneKey, accountId, phoneKey],
  );
  const duplicates: DuplicateProblem[] = [];
  if (emailKey && owners.email_owner) duplicates.push(duplicateOf('email', owners.email_owner));
  if (phoneKey && owners.phone_owner) duplicates.push(duplicateOf('phone', owners.phone_owner));
  if (duplicates.length > 0) throw duplicateContact(duplicates);

  const id = randomUUID();
  await tx.execute(
    `insert into contacts (id, account_id, name, email, phone, vip, tags, attributes) values (?, ?, ?, ?, ?, ?, ?::text[], ?::jsonb)`,
    [id, accountId, input.name, input.email, input.phone, input.vip, pgArrayLiteral(input.tags), JSON.stringify(input.attributes)],
  );
  const identities: { channelType: 'email' | 'sms'; address: string; field: 'email' | 'phone' }[] = [];
  if (emailKey) identities.push({ channelType: 'email', address: emailKey, field: 'email' });
  if (phoneKey && E164.test(phoneKey)) identities.push({ channelType: 'sms', address: phoneKey, field: 'phone' });
  if (identities.length > 0) {
    // Another inbound path (one without the matching lock) may have taken an address since the check.
    const inserted = await tx.execute<{ channel_type: string }[]>(
      `insert into contact_identities (id, account_id, contact_id, channel_type, address, created_at)
       values ${identities.map(() => '(gen_random_uuid(), ?, ?, ?, ?, clock_timestamp())').join(', ')}
       on conflict (account_id, channel_type, address) do nothing
       returning channel_type`,
      identities.flatMap((i) => [accountId, id, i.channelType, i.address]),
    );
    const taken = identities.filter((i) => !inserted.some((r) => r.channel_type === i.channelType));
    if (taken.length > 0) {
      const holders = await tx.execute<{ channel_type: string; contact_id: string }[]>(
        `select channel_type, contact_id from contact_identities where account_id = ? and (channel_type, address) in (${taken.map(() => '(?, ?)').join(', ')})`,
        [accountId, ...taken.flatMap((i) => [i.channelType, i.address])],
      );
      throw duplicateContact(taken.map((i) => duplicateOf(i.field, holders.find((h) => h.channel_type === i.channelType)?.contact_id ?? 'unknown')));
    }
  }
  return id;
}

function duplicateOf(field: 'email' | 'phone', contactId: string): DuplicateProblem {
  return { field, problem: `contact ${contactId} already has this ${field === 'email' ? 'email address' : 'phone number'}`, contactId };
}

/** Runs `work` in its own transaction, again when PostgreSQL broke a deadlock by aborting it (twice at most). */
export async function inContactTransaction<T>(em: EntityManager, work: (tx: EntityManager) => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await em.fork().transactional(work);
    } catch (err) {
      if (!(err instanceof DeadlockException) || attempt >= 3) throw err;
    }
  }
}
