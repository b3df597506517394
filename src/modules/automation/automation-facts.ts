import type { EntityManager } from '@mikro-orm/postgresql';
import { evaluateBusinessHours } from '../inboxes/business-hours';
import { DEFAULT_INBOX_SETTINGS, type InboxSettings } from '../inboxes/inbox-settings';

/**
 * What automation rules see of a conversation at one moment (attribute paths of the condition
 * catalog: conversation.*, contact.*, inbox.*, assignee.*, team.*, time.*, businessHours.*), read in
 * one query. The event and its message are laid over it per event (see factsForEvent). Recorded with
 * every run, so "what-if" replays drafts against the facts of the time.
 */
export interface ConversationFacts {
  conversation: {
    id: string;
    status: string;
    priority: number;
    tags: string[];
    channel: string;
    inboxId: string;
    assigneeId: string | null;
    assigned: boolean;
    teamId: string | null;
    handler: string;
    createdAt: string;
    lastActivityAt: string;
    lastCustomerMessageAt: string | null;
    /** Our last answer: an agent's, the AI agent's or a rule's (welcome, out-of-office and CSAT texts do not answer). */
    lastAgentMessageAt: string | null;
    /** The last message either way, our automatic texts included. */
    lastMessageAt: string | null;
    /** The first customer message not answered yet (null: nobody is waiting on us). */
    waitingSince: string | null;
    firstResponseAt: string | null;
    statusSince: string;
    /** Who wrote last: 'customer', 'agent' (an answer: agent, AI agent or rule) or null (neither yet). */
    lastMessageBy: 'customer' | 'agent' | null;
  };
  contact: { id: string; name: string | null; email: string | null; phone: string | null; vip: boolean; tags: string[]; attributes: Record<string, unknown> };
  inbox: { id: string; name: string; channel: string };
  assignee: { id: string; name: string; online: boolean } | null;
  team: { id: string; name: string } | null;
  time: { hour: number; minute: number; weekday: string; time: string; timezone: string };
  businessHours: { open: boolean };
}

export interface FactsBase {
  facts: ConversationFacts;
  accountId: string;
  inboxId: string;
  settings: InboxSettings;
  /** ISO time of the current resolution (resolved conversations only): the workflow's snapshot keys its CSAT on it. */
  resolvedAt: string | null;
}

/** automation_facts()'s answer (json: timestamps are ISO text). */
export interface FactsRow {
  id: string;
  account_id: string;
  inbox_id: string;
  status: string;
  priority: number;
  channel_type: string;
  assignee_id: string | null;
  queue_target: string | null;
  resolved_at: string | null;
  handler: string;
  created_at: string;
  last_activity_at: string;
  inbox_name: string;
  inbox_channel: string;
  settings: Partial<InboxSettings> | null;
  contact_id: string;
  contact_name: string | null;
  contact_email: string | null;
  contact_phone: string | null;
  vip: boolean;
  contact_tags: string[] | null;
  platform_attributes: Record<string, unknown> | null;
  attributes: Record<string, unknown> | null;
  assignee_name: string | null;
  assignee_online: boolean | null;
  team_name: string | null;
  tags: string[] | null;
  last_in: string | null;
  last_out: string | null;
  last_any_out: string | null;
  first_out: string | null;
  waiting_since: string | null;
  status_since: string | null;
}

const iso = (d: string | null): string | null => (d ? new Date(d).toISOString() : null);

/**
 * The facts' read is the database function automation_facts(conversation, event limit, with rules)
 * (migration Migration20261203090000_automation_facts; a change to it is a new migration): one call,
 * its plan kept per connection. With an event limit it also answers the conversation's events not
 * processed yet (pass_events), and with rules the account's enabled rules (pass_rules): the automation
 * pass reads those in the same round trip.
 */
export const FACTS_SQL = 'select automation_facts(?::uuid, ?::int, ?::boolean) as facts';

/** The facts of one conversation now, or null when it is gone. */
export async function loadFacts(em: EntityManager, conversationId: string, now = new Date()): Promise<FactsBase | null> {
  const [r] = await em.execute<{ facts: FactsRow | null }[]>(FACTS_SQL, [conversationId, 0, false]);
  return r?.facts ? toFactsBase(r.facts, now) : null;
}

/** automation_facts()'s answer as facts. */
export function toFactsBase(r: FactsRow, now = new Date()): FactsBase {
  const settings: InboxSettings = { ...DEFAULT_INBOX_SETTINGS, ...(r.settings ?? {}) } as InboxSettings;
  const lastIn = r.last_in ? new Date(r.last_in).getTime() : null;
  const lastOut = r.last_out ? new Date(r.last_out).getTime() : null;
  const lastMessageBy = lastIn === null && lastOut === null ? null : (lastIn ?? 0) > (lastOut ?? 0) ? 'customer' : 'agent';
  const facts: ConversationFacts = {
    conversation: {
      id: r.id,
      status: r.status,
      priority: Number(r.priority),
      tags: r.tags ?? [],
      channel: r.channel_type,
      inboxId: r.inbox_id,
      assigneeId: r.assignee_id,
      assigned: r.assignee_id !== null,
      teamId: r.queue_target?.startsWith('team:') ? r.queue_target.slice(5) : null,
      handler: r.handler,
      createdAt: iso(r.created_at)!,
      lastActivityAt: iso(r.last_activity_at)!,
      lastCustomerMessageAt: iso(r.last_in),
      lastAgentMessageAt: iso(r.last_out),
      lastMessageAt: iso([r.last_in, r.last_any_out].filter(Boolean).sort((a, b) => new Date(b!).getTime() - new Date(a!).getTime())[0] ?? null),
      waitingSince: lastMessageBy === 'customer' ? iso(r.waiting_since) : null,
      firstResponseAt: iso(r.first_out),
      statusSince: iso(r.status_since) ?? iso(r.created_at)!,
      lastMessageBy,
    },
    contact: {
      id: r.contact_id,
      name: r.contact_name,
      email: r.contact_email,
      phone: r.contact_phone,
      vip: r.vip,
      tags: r.contact_tags ?? [],
      attributes: { ...(r.platform_attributes ?? {}), ...(r.attributes ?? {}) },
    },
    inbox: { id: r.inbox_id, name: r.inbox_name, channel: r.inbox_channel },
    assignee: r.assignee_id ? { id: r.assignee_id, name: r.assignee_name ?? r.assignee_id, online: r.assignee_online === true } : null,
    team: r.queue_target?.startsWith('team:') && r.team_name ? { id: r.queue_target.slice(5), name: r.team_name } : null,
    time: localTime(now, settings.businessHours?.timezone || 'UTC'),
    businessHours: { open: evaluateBusinessHours(settings.businessHours, now).open },
  };
  const resolvedAt = r.status === 'resolved' && r.resolved_at ? new Date(r.resolved_at).toISOString() : null;
  return { facts, accountId: r.account_id, inboxId: r.inbox_id, settings, resolvedAt };
}

/** One formatter per zone (building one costs far more than using it; an automation pass asks per event). */
const zoneFormats = new Map<string, Intl.DateTimeFormat>();
function zoneFormat(timezone: string): Intl.DateTimeFormat {
  let format = zoneFormats.get(timezone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', { timeZone: timezone, hour: '2-digit', minute: '2-digit', weekday: 'short', hourCycle: 'h23' });
    // Zones are few; a bound keeps a stream of invalid or odd names from growing it.
    if (zoneFormats.size >= 500) zoneFormats.clear();
    zoneFormats.set(timezone, format);
  }
  return format;
}

const WEEKDAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;

/** Wall-clock time in the inbox's zone (its business-hours time zone, used even while business hours are off). */
export function localTime(at: Date, timezone: string): ConversationFacts['time'] {
  const parts = Object.fromEntries(
    zoneFormat(timezone)
      .formatToParts(at)
      .map((p) => [p.type, p.value]),
  );
  const hour = Number(parts.hour) % 24;
  const minute = Number(parts.minute);
  const weekday = WEEKDAYS[['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'].indexOf(parts.weekday)];
  return { hour, minute, weekday, time: `${String(hour).padStart(2, '0')}:${String(minute).padStart(2, '0')}`, timezone };
}

export interface EventFacts {
  type: string;
  attribute?: string;
  from?: unknown;
  to?: unknown;
  tag?: string;
  depth: number;
  causeRuleId: string | null;
  [key: string]: unknown;
}

/** The facts one event's rules see: the conversation's facts with the event and its message laid over them. */
export function factsForEvent(base: ConversationFacts, event: EventFacts, message: { content: string; direction: string; senderType: string; createdAt: string } | null) {
  return { ...base, event, message: message ?? {} };
}

/** Which attribute a change event changed (what the `changed` operator compares). */
export function changedAttribute(type: string): string | undefined {
  return (
    {
      status_changed: 'conversation.status',
      priority_changed: 'conversation.priority',
      assigned: 'conversation.assigneeId',
      unassigned: 'conversation.assigneeId',
      tag_added: 'conversation.tags',
      tag_removed: 'conversation.tags',
      moved: 'conversation.inboxId',
    } as Record<string, string>
  )[type];
}
