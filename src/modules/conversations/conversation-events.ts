import type { EntityManager } from '@mikro-orm/postgresql';
import type { ConversationEventType } from './conversation-event.entity';

/** The automation rule firing whose action caused a change (the loop guard reads it). */
export interface EventCause {
  ruleId: string;
  firingId: string;
  /** The depth of the event the rule fired on; the caused event is one deeper. */
  depth: number;
}

export interface ConversationEventInput {
  conversationId: string;
  type: ConversationEventType;
  data?: Record<string, unknown>;
  /** The person who made the change (null: a customer, a channel or the system). */
  actorUserId?: string | null;
  cause?: EventCause | null;
}

/**
 * Appends events to the conversation's event log in the caller's transaction, so an event exists
 * exactly when its change committed. The conversation workflow runs the automation rules over them.
 */
export async function recordConversationEvents(em: EntityManager, events: ConversationEventInput[]): Promise<void> {
  if (events.length === 0) return;
  const values = events.map(() => '(?, ?, ?, ?, ?, ?, ?)').join(', ');
  await em.execute(
    `insert into conversation_events (conversation_id, type, data, actor_user_id, cause_rule_id, cause_firing_id, depth) values ${values}`,
    events.flatMap((e) => [
      e.conversationId,
      e.type,
      JSON.stringify(e.data ?? {}),
      e.actorUserId ?? null,
      e.cause?.ruleId ?? null,
      e.cause?.firingId ?? null,
      e.cause ? e.cause.depth + 1 : 0,
    ]),
  );
}

export function recordConversationEvent(em: EntityManager, event: ConversationEventInput): Promise<void> {
  return recordConversationEvents(em, [event]);
}
