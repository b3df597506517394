import type { EntityManager } from '@mikro-orm/postgresql';
import type { DecisionKind } from './conversation-decision.entity';

/** A decision as activities return it to the workflow (so it is in the history) and as the timeline shows it. */
export interface DecisionRecord {
  id: string;
  conversationId: string;
  kind: DecisionKind;
  summary: string;
  details: Record<string, unknown> | null;
  at: string;
}

/**
 * Records one decision about a conversation in the caller's transaction (so it commits or rolls
 * back with the change it explains) and returns it.
 */
export async function recordDecision(
  em: EntityManager,
  input: { conversationId: string; kind: DecisionKind; summary: string; details?: Record<string, unknown>; actorUserId?: string | null },
): Promise<DecisionRecord> {
  const rows = await em.execute<{ id: string; created_at: Date }[]>(
    `insert into conversation_decisions (conversation_id, kind, summary, details, actor_user_id, created_at)
     values (?, ?, ?, ?, ?, clock_timestamp()) returning id, created_at`,
    [input.conversationId, input.kind, input.summary, input.details ? JSON.stringify(input.details) : null, input.actorUserId ?? null],
  );
  return {
    id: String(rows[0].id),
    conversationId: input.conversationId,
    kind: input.kind,
    summary: input.summary,
    details: input.details ?? null,
    at: new Date(rows[0].created_at).toISOString(),
  };
}
