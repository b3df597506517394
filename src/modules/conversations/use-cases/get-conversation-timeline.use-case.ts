import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { conversationWorkflowId } from '../../../../workflows/contracts/conversation.contract';
import { DomainError } from '../../../common/domain-error';
import type { Actor } from '../../auth/actor';
import { ContactAttributeDefinition } from '../../contacts/contact.entity';
import { ConversationAccess } from '../conversation-access';
import { decodeCursor, encodeCursor } from '../cursor';
import { hasTrace, maskHiddenAttributes } from '../decision-visibility';

export interface TimelineItem {
  /** ISO time. */
  at: string;
  type: 'message' | 'decision';
  /** Messages: their direction (inbound, outbound); decisions: their kind (routing, assigned, handover, ...). */
  kind: string;
  /** Messages: "<direction> <senderType>: <first 200 characters>"; decisions: their summary. */
  summary: string;
  messageId?: string;
  decisionId?: string;
  direction?: string;
  senderType?: string;
  deliveryStatus?: string;
  /** Decisions: the facts behind them; failed messages: { error }. */
  details?: Record<string, unknown>;
  /** Decisions taken by a person: who. */
  actorUserId?: string;
}

export interface Timeline {
  conversationId: string;
  workflowId: string;
  items: TimelineItem[];
  nextCursor: string | null;
}

export interface GetConversationTimelineInput {
  actor: Actor;
  conversationId: string;
  /** nextCursor of the previous page. */
  after?: string;
  limit?: number;
}

export const TIMELINE_DEFAULT_LIMIT = 200;
export const TIMELINE_MAX_LIMIT = 500;
const SUMMARY_CHARS = 200;
/** At the same instant a message comes before the decisions it caused. */
const RANK = { message: 0, decision: 1 } as const;

interface Row {
  type: 'message' | 'decision';
  id: string;
  at: Date;
  at_exact: string;
  rank: number;
  kind: string;
  direction: string | null;
  sender_type: string | null;
  delivery_status: string | null;
  snippet: string | null;
  error: string | null;
  summary: string | null;
  details: Record<string, unknown> | null;
  actor_user_id: string | null;
}

/**
 * What happened to a conversation, readable: its messages and the decisions recorded about it
 * (routing, assignment, out-of-office, AI agent, handover, CSAT, ...), merged in time order
 * (time, then messages before decisions, then id), oldest first, paged by cursor. Same access as
 * reading the conversation: members of its inbox (404 for other accounts, 403 for non-members).
 * Values of hidden contact attributes in rule traces are shown to administrators only (masked for
 * everyone else in the summary and the details, see decision-visibility.ts).
 */
@Injectable()
export class GetConversationTimelineUseCase {
  constructor(
    private readonly em: EntityManager,
    private readonly conversations: ConversationAccess,
  ) {}

  async execute(input: GetConversationTimelineInput): Promise<Timeline> {
    const em = this.em.fork();
    const { conversation } = await this.conversations.load(em, input.conversationId, input.actor);
    const limit = Math.min(input.limit ?? TIMELINE_DEFAULT_LIMIT, TIMELINE_MAX_LIMIT);
    const after = input.after ? decodeAfter(input.after) : null;

    // The cursor keeps the time as Postgres stored it (microseconds), so paging never skips or repeats an item.
    const rows = await em.execute<Row[]>(
      `select t.*, to_char(t.at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as at_exact
       from (
         select 'message' as type, m.id, m.created_at as at, ${RANK.message} as rank, m.direction as kind,
                m.direction, m.sender_type, m.delivery_status, left(m.content, ${SUMMARY_CHARS}) as snippet, m.error,
                null::text as summary, null::jsonb as details, null::uuid as actor_user_id
         from messages m where m.conversation_id = ?
         union all
         select 'decision', d.id, d.created_at, ${RANK.decision}, d.kind,
                null, null, null, null, null, d.summary, d.details, d.actor_user_id
         from conversation_decisions d where d.conversation_id = ?
       ) t
       ${after ? 'where (t.at, t.rank, t.id) > (?::timestamptz, ?, ?::bigint)' : ''}
       order by t.at, t.rank, t.id
       limit ?`,
      [conversation.id, conversation.id, ...(after ?? []), limit + 1],
    );
    const more = rows.length > limit;
    const page = more ? rows.slice(0, limit) : rows;
    const last = page[page.length - 1];
    const hidden = await this.hiddenKeysFor(em, input.actor, page);
    return {
      conversationId: conversation.id,
      workflowId: conversationWorkflowId(conversation.id),
      items: page.map((row) => (hidden.size && row.type === 'decision' ? masked(toItem(row), hidden) : toItem(row))),
      nextCursor: more ? encodeCursor('timeline', [last.at_exact, Number(last.rank), String(last.id)]) : null,
    };
  }

  /** Keys of the account's hidden custom attributes, when the caller is not an administrator and the page has a rule trace to mask. */
  private async hiddenKeysFor(em: EntityManager, actor: Actor, page: Row[]): Promise<Set<string>> {
    if (actor.isAdmin || !page.some((r) => r.type === 'decision' && hasTrace(r.details))) return new Set();
    const defs = await em.find(ContactAttributeDefinition, { account: actor.accountId, visible: false }, { fields: ['key'] });
    return new Set(defs.map((d) => d.key));
  }
}

/** The item with hidden attribute values masked in its summary and details (see decision-visibility.ts). */
function masked(item: TimelineItem, hidden: ReadonlySet<string>): TimelineItem {
  const { summary, details } = maskHiddenAttributes({ summary: item.summary, details: item.details }, hidden);
  return { ...item, summary, ...(details ? { details } : {}) };
}

/** The cursor arrives as `after`; its 400 names that parameter. */
function decodeAfter(after: string): (string | number)[] {
  try {
    return decodeCursor(after, 'timeline', ['timestamp', 'int', 'bigint']);
  } catch {
    throw DomainError.invalid('after', 'is not a cursor of this timeline; pass back nextCursor unchanged');
  }
}

function toItem(r: Row): TimelineItem {
  if (r.type === 'message') {
    const item: TimelineItem = {
      at: new Date(r.at).toISOString(),
      type: 'message',
      kind: r.kind,
      summary: `${r.direction} ${r.sender_type}: ${r.snippet ?? ''}`,
      messageId: String(r.id),
      direction: r.direction!,
      senderType: r.sender_type!,
      deliveryStatus: r.delivery_status!,
    };
    if (r.error) item.details = { error: r.error };
    return item;
  }
  const item: TimelineItem = { at: new Date(r.at).toISOString(), type: 'decision', kind: r.kind, summary: r.summary ?? '', decisionId: String(r.id) };
  if (r.details) item.details = r.details;
  if (r.actor_user_id) item.actorUserId = r.actor_user_id;
  return item;
}
