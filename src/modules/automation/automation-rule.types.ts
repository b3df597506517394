/**
 * The shapes of an automation rule as the API takes them and the engine reads them: when (trigger),
 * if (a condition tree in the shared condition language of src/modules/routing/conditions.ts), then
 * (actions, in order). Stored as JSON on the rule row.
 */

/** Rules that run when something happens to a conversation (one event of its event log). */
export const EVENT_TRIGGERS = [
  'message_received',
  'message_sent',
  'conversation_created',
  'status_changed',
  'assigned',
  'unassigned',
  'tag_added',
  'tag_removed',
  'priority_changed',
  'contact_updated',
  'csat_received',
] as const;
export type EventTriggerType = (typeof EVENT_TRIGGERS)[number];

/** Rules that run when a span of time has passed: durable Temporal timers in the conversation workflow. */
export const TIME_TRIGGERS = ['conversation_idle', 'customer_unresponsive', 'agent_unresponsive', 'in_status', 'first_response_due'] as const;
export type TimeTriggerType = (typeof TIME_TRIGGERS)[number];

export type TriggerType = EventTriggerType | TimeTriggerType;

export interface EventTrigger {
  event: EventTriggerType;
  /** status_changed: only these transitions (each side optional: any). */
  from?: string[];
  to?: string[];
  /** tag_added / tag_removed: only these tags (absent: any). */
  tags?: string[];
}

export interface TimeTrigger {
  event: TimeTriggerType;
  /** Minutes after the anchor (fractions allowed down to AUTOMATION_MIN_DURATION_SECONDS). */
  minutes: number;
  /** in_status: the status the conversation must stay in. */
  status?: string;
}

export type RuleTrigger = EventTrigger | TimeTrigger;

export const isTimeTrigger = (t: RuleTrigger): t is TimeTrigger => (TIME_TRIGGERS as readonly string[]).includes(t.event);

export const ACTION_TYPES = [
  'assign_agent',
  'assign_team',
  'unassign',
  'add_tag',
  'remove_tag',
  'set_priority',
  'set_status',
  'send_message',
  'send_saved_reply',
  'add_note',
  'send_csat',
  'move_to_inbox',
  'mark_spam',
  'call_webhook',
] as const;
export type ActionType = (typeof ACTION_TYPES)[number];

/** One action; which fields it needs depends on `type` (validated by the rules API). */
export interface RuleAction {
  type: ActionType;
  /** assign_agent */
  userId?: string;
  /** assign_team */
  teamId?: string;
  /** add_tag / remove_tag */
  tag?: string;
  /** set_priority: 0 none, 1 low, 2 medium, 3 high, 4 urgent */
  priority?: number;
  /** set_status */
  status?: 'pending' | 'resolved' | 'open';
  /** send_message / add_note: a template with variables ({{contact.first_name}} ...) */
  content?: string;
  /** send_saved_reply */
  savedReplyId?: string;
  /** move_to_inbox */
  inboxId?: string;
  /** call_webhook: a JSON object the rule adds to its rule.fired event (optional, at most 4 KB) */
  payload?: Record<string, unknown>;
}

/** What an action did when the rule fired (in the firing log, the timeline and the workflow history). */
export interface ActionOutcome {
  type: ActionType;
  outcome: 'done' | 'skipped' | 'failed';
  detail: string;
}
