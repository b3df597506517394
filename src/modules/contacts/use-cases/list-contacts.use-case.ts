import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { AccessPolicy } from '../../auth/access-policy';
import type { Actor } from '../../auth/actor';
import { pgArrayLiteral } from '../../../common/pg-array';
import { normaliseContactTag } from '../contact-tags';
import { containsPattern, type ContactRow, summaryFromRow } from '../contact-view';
import { cursorKeySql, cursorTimeSql, decodeCursor, encodeCursor } from '../../../common/keyset-cursor';
import type { ContactPageView } from '../dto/contact.dto';

export interface ContactFilter {
  q?: string;
  vip?: boolean;
  favourites?: boolean;
  /** true: opted out on at least one channel; false: on none. */
  optedOut?: boolean;
  tag?: string;
}

/**
 * The WHERE clause (alias c) for the contacts a caller sees, filtered: administrators all of the
 * account's, others those with a conversation in one of their inboxes. null: the caller sees none.
 */
export async function contactFilterSql(
  actor: Actor,
  filter: ContactFilter,
  access: AccessPolicy,
  em: EntityManager,
): Promise<{ where: string; params: unknown[] } | null> {
  const clauses = ['c.account_id = ?'];
  const params: unknown[] = [actor.accountId];
  if (!actor.isAdmin) {
    const inboxIds = await access.visibleInboxIds(actor, em);
    if (inboxIds.length === 0) return null;
    clauses.push('exists (select 1 from conversations v where v.contact_id = c.id and v.inbox_id in (?))');
    params.push(inboxIds);
  }
  const q = filter.q?.trim();
  if (q) {
    const pattern = containsPattern(q);
    const digits = q.replace(/\D/g, '');
    const byDigits = digits.length >= 3 && /^[+\d\s()./-]+$/.test(q);
    clauses.push(
      `(c.name ilike ? or c.email ilike ? or c.phone ilike ?${byDigits ? ` or regexp_replace(c.phone, '[^0-9]', '', 'g') like ?` : ''})`,
    );
    params.push(pattern, pattern, pattern, ...(byDigits ? [`%${digits}%`] : []));
  }
  if (filter.vip !== undefined) {
    clauses.push('c.vip = ?');
    params.push(filter.vip);
  }
  if (filter.favourites) {
    clauses.push('exists (select 1 from contact_favourites f where f.contact_id = c.id and f.user_id = ?)');
    params.push(actor.userId);
  }
  if (filter.optedOut !== undefined) {
    clauses.push(`${filter.optedOut ? '' : 'not '}exists (select 1 from contact_opt_outs o where o.contact_id = c.id)`);
  }
  if (filter.tag !== undefined) {
    // @> (not = any) so the GIN index on tags serves it.
    clauses.push('c.tags @> ?::text[]');
    params.push(pgArrayLiteral([normaliseContactTag(filter.tag)]));
  }
  return { where: clauses.join(' and '), params };
}

export interface ListContactsInput extends ContactFilter {
  actor: Actor;
  /** nextCursor of the previous page. */
  cursor?: string;
  /** Default 50. */
  limit?: number;
}

/** The contacts the caller sees, newest first, a page at a time (keyset cursor). */
@Injectable()
export class ListContactsUseCase {
  constructor(
    private readonly em: EntityManager,
    private readonly access: AccessPolicy,
  ) {}

  async execute(input: ListContactsInput): Promise<ContactPageView> {
    const { actor } = input;
    const em = this.em.fork();
    const limit = input.limit ?? 50;
    const after = input.cursor ? decodeCursor(input.cursor) : null;
    const filter = await contactFilterSql(actor, input, this.access, em);
    if (!filter) return { items: [], nextCursor: null };
    const params = [actor.userId, ...filter.params];
    let where = filter.where;
    if (after) {
      where += ` and (c.created_at, c.id) < (${cursorTimeSql}, ?::uuid)`;
      params.push(after.createdAt, after.id);
    }
    params.push(limit + 1);
    const rows = await em.execute<(ContactRow & { sort_key: string })[]>(
      `select c.id, c.name, c.email, c.phone, c.vip, c.spam, c.tags, c.created_at, c.updated_at, ${cursorKeySql('c.created_at')} as sort_key,
              exists (select 1 from contact_favourites f where f.contact_id = c.id and f.user_id = ?) as favourite
       from contacts c
       where ${where}
       order by c.created_at desc, c.id desc
       limit ?`,
      params,
    );
    const page = rows.slice(0, limit);
    const last = page[page.length - 1];
    return {
      items: page.map(summaryFromRow),
      nextCursor: rows.length > limit && last ? encodeCursor(last.sort_key, last.id) : null,
    };
  }
}
