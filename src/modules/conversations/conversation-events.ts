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

/** The event log's columns, for statements that write an event together with its change. */
export const EVENT_COLUMNS = 'conversation_id, type, data, actor_user_id, cause_rule_id, cause_firing_id, depth';
/** Placeholders of who made a change (eventBy's values), typed for an insert ... select. */
export const EVENT_BY_PLACEHOLDERS = '?::uuid, ?::uuid, ?::bigint, ?::int';

/** Who made a change, as the event log records it: the person, the rule firing, and the depth (one deeper than the cause's). */
export function eventBy(by: { actorUserId?: string | null; cause?: EventCause | null }): [string | null, string | null, string | null, number] {
  return [by.actorUserId ?? null, by.cause?.ruleId ?? null, by.cause?.firingId ?? null, by.cause ? by.cause.depth + 1 : 0];
}

/**
 * Appends events to the conversation's event log in the caller's transaction, so an event exists
 * exactly when its change committed. The conversation workflow runs the automation rules over them.
 */
export async function recordConversationEvents(em: EntityManager, events: ConversationEventInput[]): Promise<void> {
  if (events.length === 0) return;
  const values = events.map(() => '(?, ?, ?, ?, ?, ?, ?)').join(', ');
  await em.execute(
    `insert into conversation_events (${EVENT_COLUMNS}) values ${values}`,
    events.flatMap((e) => [e.conversationId, e.type, JSON.stringify(e.data ?? {}), ...eventBy(e)]),
  );
}

export function recordConversationEvent(em: EntityManager, event: ConversationEventInput): Promise<void> {
  return recordConversationEvents(em, [event]);
}
