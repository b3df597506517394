/**
 * Conversation metrics replayed from the recorded event log (pure: no database, no clock).
 *
 * One conversation's events, oldest first, are replayed into measured stretches ("samples"): each
 * has a start and an end instant, the inbox the conversation was in and the agent it is credited to
 * when the stretch ended. Reports then keep the samples that ended in their range and measure them
 * in calendar time and in the business hours of that inbox as the inbox has them now, so a change
 * of hours (or of these rules) applies to the past as well: nothing here is stored.
 *
 * The definitions (METRIC_DEFINITIONS, also in the API answer and the README):
 *  - a human reply is a `message_sent` event by a person (actor_user_id set), not caused by an
 *    automation rule, whose message is an agent's (sender type `agent`). Messages by rules, campaigns
 *    (they record no event), the AI agent and the system are not human replies;
 *  - conversation start: its `conversation_created` event; a conversation opened by a campaign
 *    message (no such event) starts with the customer's first message; one started by an agent
 *    starts, for the first response, with the customer's first message (nobody waited before);
 *  - first response time: start (or the AI agent's handover to humans, when later and before the
 *    first human reply) -> the first human reply; once per conversation, reopening does not measure it
 *    again. Bot-only conversations (no human reply) have none;
 *  - reply time: the customer waiting -> the human reply that ends the wait. Waiting starts with a
 *    customer message when nobody is waiting yet (later customer messages do not restart it), or at
 *    the AI agent's handover when the customer was already waiting for the bot; a resolution ends it
 *    unanswered;
 *  - resolution time: start (or the latest reopening) -> the resolution; every resolution counts
 *    (a conversation resolved, reopened and resolved again has two);
 *  - created: conversations whose start lies in the range, in the inbox they started in;
 *    resolved: resolutions in the range;
 *  - attribution: the inbox the conversation was in when the stretch ended (moves replayed from
 *    `moved` events); the agent who replied (reply metrics) or the assignee when resolved
 *    (resolutions); a team counts the samples of its members.
 */

export type MetricName = 'firstResponse' | 'reply' | 'resolution';

export interface ReplayEvent {
  type: string;
  at: number;
  data: Record<string, unknown>;
  actorUserId: string | null;
  causeRuleId: string | null;
}

export interface MetricSample {
  metric: MetricName;
  start: number;
  end: number;
  inboxId: string;
  agentId: string | null;
}

export interface CreatedSample {
  at: number;
  inboxId: string;
}

export interface ConversationReplay {
  samples: MetricSample[];
  created: CreatedSample | null;
}

export const METRIC_DEFINITIONS = {
  humanReply:
    "A message_sent event by a person (actor set) not caused by an automation rule, of sender type agent. Messages sent by rules, campaigns, the AI agent or the system are not human replies.",
  conversationStart:
    "The conversation_created event; a conversation opened by a campaign message starts with the customer's first message. For the first response of a conversation an agent started, the clock starts with the customer's first message.",
  firstResponseTime:
    "From the conversation's start, or the AI agent's handover to humans when that is later, to the first human reply. Once per conversation (a reopened conversation is not measured again); conversations without a human reply (bot-only) have none. Counted in the period and inbox of the reply, for the agent who replied.",
  replyTime:
    'From the moment the customer started waiting (their first message since the last human reply, or the AI handover if later) to the human reply that ended the wait; one value per wait. A resolution ends a wait unanswered. Counted in the period and inbox of the reply, for the agent who replied.',
  resolutionTime:
    "From the conversation's start, or its latest reopening, to its resolution; every resolution counts. Counted in the period and inbox of the resolution, for the assignee at that moment.",
  created: "Conversations started in the period, counted in the inbox they started in (not attributed to agents or teams).",
  resolved: 'Resolutions in the period (a conversation resolved twice counts twice), in the inbox and for the assignee at that moment.',
  businessHours:
    "The same stretches counted only inside the business hours the inbox has now (several intervals a day, date exceptions such as holidays, its time zone), applied to past events: changing the hours changes past figures. An inbox without business hours counts every hour. A conversation moved between inboxes is measured with the hours of the inbox it was in when the stretch ended.",
  statistics:
    'Seconds. average: the mean; median: the middle value (the mean of the two middle values for an even count); p90: the nearest-rank 90th percentile (the smallest value with at least 90 % of the values at or below it). null when there is no value.',
  periods: "day, ISO week (Monday) or month in the account's time zone (account settings.timezone).",
  teams: 'A team counts the reply and resolution samples of its members (an agent in two teams counts in both).',
} as const;

const isHumanReply = (e: ReplayEvent): boolean =>
  e.type === 'message_sent' && e.actorUserId !== null && e.causeRuleId === null && (e.data.senderType ?? 'agent') === 'agent';

/**
 * Replays one conversation's events (oldest first; `handover` entries from the AI agent's recorded
 * decisions merged in) into samples. `currentInboxId` is the conversation's inbox now; the inbox it
 * started in is the first move's `fromInboxId`.
 */
export function replayConversation(events: readonly ReplayEvent[], currentInboxId: string): ConversationReplay {
  const firstMove = events.find((e) => e.type === 'moved' && typeof e.data.fromInboxId === 'string');
  let inbox = firstMove ? (firstMove.data.fromInboxId as string) : currentInboxId;
  let assignee: string | null = null;
  let started = false;
  let firstResponseFrom: number | null = null;
  let firstResponded = false;
  let waitingSince: number | null = null;
  let resolutionFrom: number | null = null;
  let status = 'new';
  let created: CreatedSample | null = null;
  const samples: MetricSample[] = [];

  const start = (at: number, startedByAgent: boolean) => {
    started = true;
    created = { at, inboxId: inbox };
    resolutionFrom = at;
    if (!startedByAgent) firstResponseFrom = at;
  };

  for (const e of events) {
    switch (e.type) {
      case 'conversation_created':
        if (!started) start(e.at, typeof e.data.startedBy === 'string');
        break;
      case 'message_received':
        if (!started) start(e.at, false);
        if (!firstResponded && firstResponseFrom === null) firstResponseFrom = e.at;
        if (waitingSince === null && status !== 'resolved') waitingSince = e.at;
        break;
      case 'handover':
        if (!firstResponded && firstResponseFrom !== null) firstResponseFrom = Math.max(firstResponseFrom, e.at);
        if (waitingSince !== null) waitingSince = Math.max(waitingSince, e.at);
        break;
      case 'message_sent':
        if (!isHumanReply(e)) break;
        if (!firstResponded && firstResponseFrom !== null) {
          samples.push({ metric: 'firstResponse', start: firstResponseFrom, end: e.at, inboxId: inbox, agentId: e.actorUserId });
          firstResponded = true;
        }
        if (waitingSince !== null) {
          samples.push({ metric: 'reply', start: waitingSince, end: e.at, inboxId: inbox, agentId: e.actorUserId });
          waitingSince = null;
        }
        break;
      case 'status_changed': {
        const to = String(e.data.to ?? '');
        const from = String(e.data.from ?? status);
        if (to === 'resolved') {
          if (from !== 'resolved') samples.push({ metric: 'resolution', start: resolutionFrom ?? e.at, end: e.at, inboxId: inbox, agentId: assignee });
          waitingSince = null;
        } else if (from === 'resolved' || from === 'spam') {
          resolutionFrom = e.at;
        }
        status = to || status;
        break;
      }
      case 'assigned':
        assignee = typeof e.data.assigneeId === 'string' ? e.data.assigneeId : null;
        break;
      case 'unassigned':
        if (e.data.assigneeId === undefined || e.data.assigneeId === assignee) assignee = null;
        break;
      case 'moved':
        if (typeof e.data.toInboxId === 'string') inbox = e.data.toInboxId;
        break;
      default:
        break;
    }
  }
  return { samples, created };
}

export interface Stats {
  count: number;
  average: number | null;
  median: number | null;
  p90: number | null;
}

/** Seconds, rounded to 0.1 s. */
export function statistics(valuesMs: number[]): Stats {
  const n = valuesMs.length;
  if (n === 0) return { count: 0, average: null, median: null, p90: null };
  const v = [...valuesMs].sort((a, b) => a - b);
  const sec = (ms: number) => Math.round(ms / 100) / 10;
  const average = v.reduce((s, x) => s + x, 0) / n;
  const median = n % 2 === 1 ? v[(n - 1) / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
  const p90 = v[Math.ceil(0.9 * n) - 1];
  return { count: n, average: sec(average), median: sec(median), p90: sec(p90) };
}
