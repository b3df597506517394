import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import type { ChannelType } from '../inboxes/inbox.entity';
import type { ConversationStatus } from './conversation.entity';
import { type CursorValueType, decodeCursor, encodeCursor } from './cursor';

export const CONVERSATION_SORTS = ['last_activity', 'newest', 'oldest', 'priority'] as const;
export type ConversationSort = (typeof CONVERSATION_SORTS)[number];

/** A conversation as one user sees it in lists: with their own pinned and unread state. */
export interface ConversationItem {
  id: string;
  inboxId: string;
  contactId: string;
  contactName: string | null;
  channelType: string;
  status: ConversationStatus;
  assigneeId: string | null;
  priority: number;
  vip: boolean;
  tags: string[];
  pinned: boolean;
  unread: boolean;
  lastActivityAt: string;
  createdAt: string;
  resolvedAt: string | null;
  workflowId: string;
}

export interface ConversationListQuery {
  /** The inboxes to list (already checked against the caller's access). */
  inboxIds: string[];
  /** The caller: their unread and pinned state, and assignee "me". */
  userId: string;
  /** The caller's account (the inboxes' account). */
  accountId: string;
  status?: ConversationStatus;
  /** A user id, "me" or "unassigned". */
  assignee?: string;
  tag?: string;
  channel?: ChannelType;
  vip?: boolean;
  unread?: boolean;
  pinned?: boolean;
  q?: string;
  sort: ConversationSort;
  cursor?: string;
  limit: number;
}

interface Row {
  id: string;
  inbox_id: string;
  contact_id: string;
  contact_name: string | null;
  channel_type: string;
  status: ConversationStatus;
  assignee_id: string | null;
  priority: number;
  vip: boolean;
  tags: string[];
  pinned: boolean;
  unread: boolean;
  last_activity_at: Date;
  created_at: Date;
  resolved_at: Date | null;
  last_activity_key: string;
  created_key: string;
}

type CandidateKey = 'q' | 'pinned' | 'vip' | 'tag';
interface Filter {
  /** Set when the filter can instead be the query's starting set (see smallCandidateSet). */
  key?: CandidateKey;
  sql: string;
  params: unknown[];
}
interface Candidates {
  key: CandidateKey;
  /** Selects `id`: conversation ids (possibly repeated) that match the filter. */
  sql: string;
  params: unknown[];
  /** Read at most this many rows (default RAW_LIMIT); more means the filter is not selective. */
  limit?: number;
}
/** Up to this many matching conversations a selective filter is the starting set of the list query... */
const CANDIDATE_LIMIT = 5000;
/** ...found among at most this many rows (messages with the words, states, VIP conversations). */
const RAW_LIMIT = 20000;
interface SortSpec {
  /** Columns of conversations, in sort order; all sorted in `dir`. */
  columns: string[];
  casts: string[];
  shape: CursorValueType[];
  dir: 'asc' | 'desc';
  key(row: Row): (string | number)[];
}

/**
 * Every sort ends with id, so the order is total and a cursor (the last row's key) resumes exactly.
 * Each one is served by an index that starts with inbox_id (see conversation.entity.ts).
 */
const SORTS: Record<ConversationSort, SortSpec> = {
  last_activity: {
    columns: ['last_activity_at', 'id'],
    casts: ['timestamptz', 'uuid'],
    shape: ['timestamp', 'uuid'],
    dir: 'desc',
    key: (r) => [r.last_activity_key, r.id],
  },
  newest: { columns: ['created_at', 'id'], casts: ['timestamptz', 'uuid'], shape: ['timestamp', 'uuid'], dir: 'desc', key: (r) => [r.created_key, r.id] },
  oldest: { columns: ['created_at', 'id'], casts: ['timestamptz', 'uuid'], shape: ['timestamp', 'uuid'], dir: 'asc', key: (r) => [r.created_key, r.id] },
  priority: {
    columns: ['priority', 'last_activity_at', 'id'],
    casts: ['smallint', 'timestamptz', 'uuid'],
    shape: ['smallint', 'timestamp', 'uuid'],
    dir: 'desc',
    key: (r) => [r.priority, r.last_activity_key, r.id],
  },
};

const orderBy = (spec: SortSpec, alias: string) => spec.columns.map((c) => `${alias}.${c} ${spec.dir}`).join(', ');

/** Exact (microsecond) UTC text of a timestamp, so cursors compare equal to the stored value. */
const keyText = (expr: string) => `to_char(${expr} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;

/** The columns of an item, over a set of conversation rows aliased `page`. */
const ITEM_COLUMNS = `page.id, page.inbox_id, page.contact_id, ct.name as contact_name, page.channel_type, page.status, page.assignee_id,
  page.priority, ct.vip, page.last_activity_at, page.created_at, page.resolved_at,
  coalesce(s.pinned_at is not null, false) as pinned,
  (s.read_at is null or page.last_activity_at > s.read_at) as unread,
  array(select t.tag from conversation_tags t where t.conversation_id = page.id order by t.tag) as tags,
  ${keyText('page.last_activity_at')} as last_activity_key,
  ${keyText('page.created_at')} as created_key`;

const PAGE_COLUMNS = 'c.id, c.inbox_id, c.contact_id, c.channel_type, c.status, c.assignee_id, c.priority, c.last_activity_at, c.created_at, c.resolved_at';

/**
 * The conversation list in plain SQL. Usually it runs one index range scan per inbox (a LATERAL
 * subquery with its own ORDER BY ... LIMIT over the index of the sort) and merges the small
 * results, so a page costs about limit rows per inbox whatever the table size; filters that need
 * other tables are EXISTS subqueries. When a selective filter (text search through the GIN index on
 * to_tsvector('simple', content), the caller's pins) matches only a few conversations, the query
 * starts from those instead; with few VIP contacts, a VIP list starts from their conversations. The per-user columns are computed for the page rows only.
 */
@Injectable()
export class ConversationReadModel {
  constructor(private readonly em: EntityManager) {}

  async list(query: ConversationListQuery, em: EntityManager = this.em.fork()): Promise<{ items: ConversationItem[]; nextCursor: string | null }> {
    if (query.inboxIds.length === 0) return { items: [], nextCursor: null };
    const spec = SORTS[query.sort];
    const filters = this.filters(query, spec);
    const source = await this.smallCandidateSet(query, em);
    if (source && source.ids.length === 0) return { items: [], nextCursor: null };
    const vipFirst = !source && query.vip === true && (await this.fewVipContacts(query.accountId, em));
    const where = filters.filter((f) => !(source && f.key === source.key) && !(vipFirst && f.key === 'vip'));
    const take = query.limit + 1;
    const params: unknown[] = [];
    let pageSql: string;
    if (vipFirst) {
      // Few VIP contacts: their conversations (by contact_id) are fewer than an index walk would test.
      params.push(query.accountId, query.inboxIds, ...where.flatMap((f) => f.params), take);
      pageSql = `
        page as (
          select ${PAGE_COLUMNS} from contacts vc
          cross join lateral (select * from conversations c0 where c0.contact_id = vc.id offset 0) c
          where vc.account_id = ? and vc.vip and c.inbox_id in (?)${where.map((f) => ` and ${f.sql}`).join('')}
          order by ${orderBy(spec, 'c')}
          limit ?
        )`;
    } else if (source) {
      // Few conversations can match (a rare word, the caller's pins, VIP contacts): start from them.
      params.push(source.ids, query.inboxIds, ...where.flatMap((f) => f.params), take);
      pageSql = `
        page as (
          select ${PAGE_COLUMNS} from conversations c
          where c.id = any(array[?]::uuid[]) and c.inbox_id in (?)${where.map((f) => ` and ${f.sql}`).join('')}
          order by ${orderBy(spec, 'c')}
          limit ?
        )`;
    } else {
      params.push(query.inboxIds, ...where.flatMap((f) => f.params), take, take);
      pageSql = `
        page as (
          select p.* from unnest(array[?]::uuid[]) as i(inbox_id)
          cross join lateral (
            select ${PAGE_COLUMNS} from conversations c
            where c.inbox_id = i.inbox_id${where.map((f) => ` and ${f.sql}`).join('')}
            order by ${orderBy(spec, 'c')}
            limit ?
          ) p
          order by ${orderBy(spec, 'p')}
          limit ?
        )`;
    }
    params.push(query.userId);
    const sql = `
      with ${pageSql}
      select ${ITEM_COLUMNS}
      from page
      join contacts ct on ct.id = page.contact_id
      left join conversation_user_states s on s.conversation_id = page.id and s."user" = ?
      order by ${orderBy(spec, 'page')}`;
    const rows = await em.execute<Row[]>(sql, params);
    const more = rows.length > query.limit;
    const pageRows = more ? rows.slice(0, query.limit) : rows;
    const last = pageRows[pageRows.length - 1];
    return {
      items: pageRows.map(toItem),
      nextCursor: more && last ? encodeCursor(query.sort, spec.key(last)) : null,
    };
  }

  /** The WHERE conditions over `conversations c`, each with its parameters. */
  private filters(query: ConversationListQuery, spec: SortSpec): Filter[] {
    const f: Filter[] = [];
    f.push(query.status ? { sql: 'c.status = ?', params: [query.status] } : { sql: `c.status <> 'spam'`, params: [] });
    if (query.assignee === 'unassigned') f.push({ sql: 'c.assignee_id is null', params: [] });
    else if (query.assignee) f.push({ sql: 'c.assignee_id = ?', params: [query.assignee === 'me' ? query.userId : query.assignee] });
    if (query.channel) f.push({ sql: 'c.channel_type = ?', params: [query.channel] });
    if (query.tag !== undefined) {
      f.push({ key: 'tag', sql: 'exists (select 1 from conversation_tags t where t.conversation_id = c.id and t.tag = ?)', params: [query.tag] });
    }
    if (query.vip !== undefined) {
      f.push({ key: query.vip ? 'vip' : undefined, sql: 'exists (select 1 from contacts ct where ct.id = c.contact_id and ct.vip = ?)', params: [query.vip] });
    }
    if (query.unread !== undefined) {
      f.push({
        // Checked per candidate row of the per-inbox walk (one index lookup each). Where nearly all is
        // read, the walk reads most of the inbox before it finds 25 unread ones (~15 ms per 10k rows).
        sql: `coalesce((select s.read_at from conversation_user_states s where s.conversation_id = c.id and s."user" = ?), '-infinity') ${query.unread ? '<' : '>='} c.last_activity_at`,
        params: [query.userId],
      });
    }
    if (query.pinned !== undefined) {
      f.push({
        key: query.pinned ? 'pinned' : undefined,
        sql: `${query.pinned ? '' : 'not '}exists (select 1 from conversation_user_states s where s.conversation_id = c.id and s."user" = ? and s.pinned_at is not null)`,
        params: [query.userId],
      });
    }
    if (query.q !== undefined) {
      f.push({
        key: 'q',
        sql: `exists (select 1 from messages m where m.conversation_id = c.id and to_tsvector('simple', m.content) @@ plainto_tsquery('simple', ?))`,
        params: [query.q],
      });
    }
    if (query.cursor !== undefined) {
      const values = decodeCursor(query.cursor, query.sort, spec.shape);
      const op = spec.dir === 'desc' ? '<' : '>';
      f.push({ sql: `(${spec.columns.map((c) => `c.${c}`).join(', ')}) ${op} (${spec.casts.map((t) => `?::${t}`).join(', ')})`, params: values });
    }
    return f;
  }

  /**
   * Filters that may match only a few conversations. Walking the sort index and testing each row
   * is fast when matches are plentiful but reads whole inboxes when they are rare (a word in 0.01%
   * of messages costs seconds that way). So each such filter's matches are fetched first, through
   * its own index (the GIN index on messages, the caller's pins), stopping at
   * RAW_LIMIT rows; the smallest set of at most CANDIDATE_LIMIT conversations, if any, becomes the
   * starting point of the list query (as a constant array, which the planner sizes exactly).
   * A word the planner's statistics call common skips the fetch: the index walk finds it at once.
   */
  private async smallCandidateSet(query: ConversationListQuery, em: EntityManager): Promise<{ key: CandidateKey; ids: string[] } | null> {
    const sources: Candidates[] = [];
    if (query.q !== undefined) {
      const words = `select m.conversation_id as id from messages m where to_tsvector('simple', m.content) @@ plainto_tsquery('simple', ?)`;
      const plan = await em.execute<{ 'QUERY PLAN': [{ Plan: { 'Plan Rows': number } }] }[]>(`explain (format json) ${words}`, [query.q]);
      const estimate = plan[0]?.['QUERY PLAN']?.[0]?.Plan?.['Plan Rows'] ?? 0;
      if (estimate <= RAW_LIMIT) sources.push({ key: 'q', sql: words, params: [query.q] });
    }
    if (query.pinned === true) {
      sources.push({
        key: 'pinned',
        sql: `select s.conversation_id as id from conversation_user_states s where s."user" = ? and s.pinned_at is not null`,
        params: [query.userId],
      });
    }
    if (query.tag !== undefined) {
      // A tag that is rare in these inboxes (or absent) would make the index walk read the whole inbox.
      sources.push({
        key: 'tag',
        sql: `select t.conversation_id as id from conversation_tags t join conversations c on c.id = t.conversation_id where t.tag = ? and c.inbox_id in (?)`,
        params: [query.tag, query.inboxIds],
        limit: CANDIDATE_LIMIT,
      });
    }
    let best: { key: CandidateKey; ids: string[] } | null = null;
    for (const source of sources) {
      const limit = source.limit ?? RAW_LIMIT;
      const rows = await em.execute<{ id: string }[]>(`${source.sql} limit ${limit + 1}`, source.params);
      if (rows.length > limit) continue;
      const ids = [...new Set(rows.map((r) => r.id))];
      if (ids.length <= CANDIDATE_LIMIT && (!best || ids.length < best.ids.length)) best = { key: source.key, ids };
    }
    return best;
  }

  /** The planner's estimate of the account's VIP contacts is small (statistics only, no scan). */
  private async fewVipContacts(accountId: string, em: EntityManager): Promise<boolean> {
    const plan = await em.execute<{ 'QUERY PLAN': [{ Plan: { 'Plan Rows': number } }] }[]>(
      `explain (format json) select 1 from contacts where account_id = ? and vip`,
      [accountId],
    );
    return (plan[0]?.['QUERY PLAN']?.[0]?.Plan?.['Plan Rows'] ?? Infinity) <= CANDIDATE_LIMIT;
  }

  /** One conversation as `userId` sees it (no access check: callers have done it). */
  async item(id: string, userId: string | null, em: EntityManager = this.em.fork()): Promise<ConversationItem> {
    const rows = await em.execute<Row[]>(
      `select ${ITEM_COLUMNS}
       from conversations page
       join contacts ct on ct.id = page.contact_id
       left join conversation_user_states s on s.conversation_id = page.id and s."user" = ?
       where page.id = ?`,
      [userId ?? '00000000-0000-0000-0000-000000000000', id],
    );
    if (rows.length === 0) throw new Error(`conversation ${id} vanished`);
    return toItem(rows[0]);
  }
}

function toItem(r: Row): ConversationItem {
  return {
    id: r.id,
    inboxId: r.inbox_id,
    contactId: r.contact_id,
    contactName: r.contact_name,
    channelType: r.channel_type,
    status: r.status,
    assigneeId: r.assignee_id,
    priority: Number(r.priority),
    vip: r.vip,
    tags: r.tags ?? [],
    pinned: r.pinned,
    unread: r.unread,
    lastActivityAt: new Date(r.last_activity_at).toISOString(),
    createdAt: new Date(r.created_at).toISOString(),
    resolvedAt: r.resolved_at ? new Date(r.resolved_at).toISOString() : null,
    workflowId: `conversation:${r.id}`,
  };
}
