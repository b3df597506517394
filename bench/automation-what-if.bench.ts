/**
 * npm run bench:what-if
 *
 * What-if over 10,000 recorded conversations (issue 12's benchmark; goal < 10 s and < 300 MB): seeds
 * an inbox's conversations with 5-20 events each straight into PostgreSQL (conversations, their event
 * log and one automation_runs row per event holding facts of the shape loadFacts() writes: the
 * conversation's state after the event from window functions over its log, the contact with custom
 * attributes, inbox, clock, business hours, the event and its message), then asks
 * POST /api/v1/automation-rules/what-if through the real HTTP API for all of them with five draft
 * rules of realistic shape (two message rules with nested conditions and stop processing, three
 * time-based ones). The API runs in its own process, compiled as `npm run start:api` runs it
 * (support/api-process.ts), so its memory is the product's alone. Measures the request's wall time,
 * conversations per second, the API process's peak RSS during the request (VmHWM, reset through
 * /proc/<pid>/clear_refs) and peak heap, and the rows it read. Runs it twice (cold, warm). Prints
 * one JSON document; progress on stderr.
 *
 * BENCH_CONVERSATIONS scales it (env or --conversations=N). No Temporal: what-if only reads.
 */
import 'reflect-metadata';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Client as PgClient } from 'pg';
import { signUp } from './support/accounts';
import { BenchApi } from './support/api-process';
import { round } from './support/distribution';
import { json } from './support/http';
import { log, runBench } from './support/run';
import { positiveNumber } from './support/settings';
import { BenchStack } from './support/stack';

const CONVERSATIONS = positiveNumber('BENCH_CONVERSATIONS', 10_000);
const CONTACTS = Math.max(1, Math.floor(CONVERSATIONS / 2));
const GOAL_SECONDS = 10;
const GOAL_MB = 300;
const AGENT = '00000000-0000-4000-8000-00000000a6e1';

const iso = (column: string) => `to_char(${column} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

async function seed(db: PgClient, base: string) {
  const { token, accountId } = await signUp(base, 'What-if bench', `what-if-${Date.now()}@example.com`);
  const inbox = await json<{ id: string }>(base, 'POST', '/api/v1/inboxes', token, { name: 'Support', channelType: 'api', settings: { assignmentMode: 'open' } });
  // The custom attributes the contacts carry and the drafts read (the rules' validation checks them against these definitions).
  for (const key of ['plan', 'city', 'orders', 'segment']) await json(base, 'POST', '/api/v1/contact-attributes', token, { key, label: key, type: 'text' });
  /** SQL with ? placeholders (numbered for pg). */
  const conn = {
    async execute<T = unknown>(query: string, params: unknown[] = []): Promise<T> {
      let n = 0;
      return (await db.query(query.replace(/\?(?!\?)/g, () => `$${++n}`), params)).rows as T;
    },
  };
  const t0 = Date.now();
  await conn.execute(
    `insert into contacts (id, account_id, name, email, vip, spam, platform_attributes, attributes, created_at, updated_at)
     select md5('wi-contact' || g)::uuid, ?, 'Contact ' || g, 'c' || g || '@example.com', g % 20 = 0, false,
            jsonb_build_object('country', (array['DE','FR','US','GB'])[1 + g % 4], 'language', (array['de','fr','en'])[1 + g % 3]),
            jsonb_build_object('plan', (array['free','pro','enterprise'])[1 + g % 3], 'city', 'City ' || (g % 50), 'orders', g % 37, 'segment', (array['smb','mid','large'])[1 + g % 3]),
            now(), now()
       from generate_series(1, ?) g`,
    [accountId, CONTACTS],
  );
  await conn.execute(
    `insert into conversations (id, account_id, inbox_id, contact_id, channel_type, status, priority, last_activity_at, created_at)
     select md5('wi-conv' || g)::uuid, ?, ?, md5('wi-contact' || (1 + g % ?))::uuid, 'api', 'open', abs(hashint4(g + 3)) % 5, now(),
            now() - interval '40 days' + g * (interval '35 days' / ?)
       from generate_series(1, ?) g`,
    [accountId, inbox.id, CONTACTS, CONVERSATIONS, CONVERSATIONS],
  );
  // 5-20 events each: created, then customer messages and agent replies with tags and assignments between, some ending pending or resolved.
  const words = `'{refund,delivery,invoice,password,order,shipping,broken,cancel,upgrade,login,parcel,warranty,discount,address,payment,coupon}'::text[]`;
  await conn.execute(
    `insert into conversation_events (conversation_id, type, data, actor_user_id, depth, created_at, processed_at)
     select c.id, t.type,
            case t.type
              when 'conversation_created' then jsonb_build_object('channel', 'api')
              when 'message_received' then jsonb_build_object('messageId', md5('m' || c.g || '-' || i)::uuid)
              when 'message_sent' then jsonb_build_object('messageId', md5('m' || c.g || '-' || i)::uuid, 'senderType', 'agent')
              when 'tag_added' then jsonb_build_object('tag', (array['billing','bug','refund','feedback'])[1 + abs(hashint4(c.g + i)) % 4])
              when 'assigned' then jsonb_build_object('assigneeId', ?::text, 'previousAssigneeId', null)
              else jsonb_build_object('from', 'open', 'to', case when c.h % 3 = 0 then 'resolved' else 'pending' end)
            end,
            case when t.type in ('message_sent', 'tag_added', 'status_changed', 'assigned') then ?::uuid end,
            0,
            c.created_at + i * c.step + (abs(hashint4(c.g * 31 + i)) % 50) * interval '1 second',
            now()
       from (select g, md5('wi-conv' || g)::uuid as id, abs(hashint4(g)) as h, 5 + abs(hashint4(g)) % 16 as n,
                    (1 + abs(hashint4(g + 7)) % 45) * interval '1 minute' as step,
                    now() - interval '40 days' + g * (interval '35 days' / ?) as created_at
               from generate_series(1, ?) g) c
       cross join lateral generate_series(0, c.n - 1) i
       cross join lateral (select case
              when i = 0 then 'conversation_created'
              when i = c.n - 1 and c.h % 3 <> 2 then 'status_changed'
              when i % 4 in (0, 1) then 'message_received'
              when i % 4 = 2 then 'message_sent'
              else (array['message_received', 'tag_added', 'assigned'])[1 + (c.h + i) % 3]
            end as type) t
      order by c.g, i`,
    [AGENT, AGENT, CONVERSATIONS, CONVERSATIONS],
  );
  log(`conversations and events in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  const t1 = Date.now();
  // One run per event, with the facts after it (the conversation's state from its log so far).
  await conn.execute(
    `insert into automation_runs (conversation_id, account_id, inbox_id, event_id, trigger, facts, evaluations, created_at)
     select s.conversation_id, ?, ?, s.id,
            jsonb_build_object('type', s.type, 'depth', 0, 'causeRuleId', null, 'from', s.data->'from', 'to', s.data->'to') || s.data,
            jsonb_build_object(
              'conversation', jsonb_build_object(
                 'id', s.conversation_id, 'status', s.status, 'priority', s.priority, 'tags', to_jsonb(s.tags), 'channel', 'api', 'inboxId', ?::text,
                 'assigneeId', s.assignee, 'assigned', s.assignee is not null, 'teamId', null, 'handler', 'human',
                 'createdAt', ${iso('s.conv_created')}, 'lastActivityAt', ${iso('s.created_at')},
                 'lastCustomerMessageAt', ${iso('s.last_in')}, 'lastAgentMessageAt', ${iso('s.last_out')},
                 'lastMessageAt', ${iso('greatest(s.last_in, s.last_out)')},
                 'waitingSince', case when s.last_in > coalesce(s.last_out, '-infinity') then ${iso('s.waiting_since')} end,
                 'firstResponseAt', ${iso('s.first_out')}, 'statusSince', ${iso('coalesce(s.status_since, s.conv_created)')},
                 'lastMessageBy', case when s.last_in is null and s.last_out is null then null when s.last_in > coalesce(s.last_out, '-infinity') then 'customer' else 'agent' end),
              'contact', jsonb_build_object('id', ct.id, 'name', ct.name, 'email', ct.email, 'phone', null, 'vip', ct.vip, 'tags', '[]'::jsonb,
                 'attributes', ct.platform_attributes || ct.attributes),
              'inbox', jsonb_build_object('id', ?::text, 'name', 'Support', 'channel', 'api'),
              'assignee', case when s.assignee is not null then jsonb_build_object('id', s.assignee, 'name', 'Agent', 'online', true) end,
              'team', null,
              'time', jsonb_build_object('hour', extract(hour from s.created_at at time zone 'UTC')::int, 'minute', extract(minute from s.created_at at time zone 'UTC')::int,
                 'weekday', lower(to_char(s.created_at at time zone 'UTC', 'Dy')), 'time', to_char(s.created_at at time zone 'UTC', 'HH24:MI'), 'timezone', 'UTC'),
              'businessHours', jsonb_build_object('open', extract(hour from s.created_at at time zone 'UTC') between 8 and 17),
              'event', jsonb_build_object('type', s.type, 'depth', 0, 'causeRuleId', null, 'from', s.data->'from', 'to', s.data->'to') || s.data,
              'message', case when s.type in ('message_received', 'message_sent') then jsonb_build_object(
                 'content', case when s.type = 'message_received'
                   then 'Hello, about my ' || (${words})[1 + abs(hashint4(s.id::int)) % 16] || ' and the ' || (${words})[1 + abs(hashint4(s.id::int + 1)) % 16] || ', order ' || s.id
                   else 'Thanks for writing, we are looking into it.' end,
                 'direction', case when s.type = 'message_received' then 'inbound' else 'outbound' end,
                 'senderType', case when s.type = 'message_received' then 'contact' else 'agent' end,
                 'automated', false, 'createdAt', ${iso('s.created_at')}) else '{}'::jsonb end),
            '[]'::jsonb, s.created_at
       from (
         select w.*, (select min(x.created_at) from conversation_events x where x.conversation_id = w.conversation_id and x.type = 'message_received'
                                and x.id <= w.id and (w.last_out is null or x.created_at > w.last_out)) as waiting_since
           from (
             select e.id, e.conversation_id, e.type, e.data, e.created_at, c.created_at as conv_created, c.contact_id, c.priority,
                    max(e.created_at) filter (where e.type = 'message_received') over w as last_in,
                    max(e.created_at) filter (where e.type = 'message_sent') over w as last_out,
                    min(e.created_at) filter (where e.type = 'message_sent') over w as first_out,
                    max(e.created_at) filter (where e.type = 'status_changed') over w as status_since,
                    -- At most one status change per conversation in this seed (its last event).
                    coalesce((array_agg(e.data->>'to') filter (where e.type = 'status_changed') over w)[1],
                             case when count(*) filter (where e.type = 'message_sent') over w > 0 then 'open' else 'new' end) as status,
                    coalesce(array_agg(distinct_tag) filter (where e.type = 'tag_added') over w, '{}') as tags,
                    max(e.data->>'assigneeId') filter (where e.type = 'assigned') over w as assignee
               from (select e.*, e.data->>'tag' as distinct_tag from conversation_events e) e
               join conversations c on c.id = e.conversation_id
              where c.inbox_id = ?
             window w as (partition by e.conversation_id order by e.id rows between unbounded preceding and current row)
           ) w
       ) s
       join contacts ct on ct.id = s.contact_id
      -- Run ids in event order, as the engine writes them.
      order by s.id`,
    [accountId, inbox.id, inbox.id, inbox.id, inbox.id],
  );
  await conn.execute('analyze');
  const [counts] = await conn.execute<{ events: string; runs: string; bytes: string }[]>(
    `select (select count(*) from conversation_events) as events, (select count(*) from automation_runs) as runs, (select avg(pg_column_size(facts))::int from automation_runs) as bytes`,
  );
  log(`runs in ${((Date.now() - t1) / 1000).toFixed(1)} s: ${counts.events} events, ${counts.runs} runs, facts ~${counts.bytes} bytes each (stored)`);
  return { token, inboxId: inbox.id, events: Number(counts.events), runs: Number(counts.runs), factsBytes: Number(counts.bytes), seedSeconds: (Date.now() - t0) / 1000 };
}

const DRAFT_RULES = [
  {
    name: 'VIP refunds',
    trigger: { event: 'message_received' },
    conditions: {
      all: [
        { any: [{ attribute: 'message.content', operator: 'contains', value: 'refund' }, { attribute: 'message.content', operator: 'contains', value: 'money back' }] },
        { any: [{ attribute: 'contact.vip', operator: 'equals', value: true }, { all: [{ attribute: 'contact.attributes.plan', operator: 'equals', value: 'enterprise' }, { attribute: 'conversation.priority', operator: 'greater_than', value: 2 }] }] },
      ],
    },
    actions: [{ type: 'add_tag', tag: 'refund-vip' }, { type: 'set_priority', priority: 3 }],
    stopProcessing: true,
  },
  {
    name: 'Refunds',
    trigger: { event: 'message_received' },
    conditions: { all: [{ attribute: 'message.content', operator: 'contains', value: 'refund' }, { attribute: 'conversation.tags', operator: 'does_not_contain', value: 'refund' }] },
    actions: [{ type: 'add_tag', tag: 'refund' }],
  },
  {
    name: 'Escalate waiting customers',
    trigger: { event: 'agent_unresponsive', minutes: 30 },
    conditions: { any: [{ attribute: 'conversation.priority', operator: 'greater_than', value: 1 }, { attribute: 'contact.attributes.segment', operator: 'in', value: ['mid', 'large'] }] },
    actions: [{ type: 'unassign' }, { type: 'add_tag', tag: 'escalated' }],
  },
  {
    name: 'Close stale pending',
    trigger: { event: 'in_status', status: 'pending', minutes: 1440 },
    conditions: { all: [] },
    actions: [{ type: 'set_status', status: 'resolved' }],
  },
  {
    name: 'Nudge idle conversations in business hours',
    trigger: { event: 'conversation_idle', minutes: 60 },
    conditions: { all: [{ attribute: 'businessHours.open', operator: 'equals', value: true }, { attribute: 'conversation.status', operator: 'in', value: ['open', 'new'] }] },
    actions: [{ type: 'send_message', content: 'Are you still there, {{contact.first_name}}?' }],
  },
];

interface WhatIfAnswer {
  conversations: number;
  eventsReplayed: number;
  timersEvaluated: number;
  truncated: boolean;
  truncatedReason: string | null;
  rules: { name: string; conversations: number; firings: number; actions: { text: string }[] }[];
  results: unknown[];
  scanned: { conversations: number; runs: number; events: number; queries: number; ms: number };
}

async function whatIfBench() {
  const stack = new BenchStack('what-if');
  try {
    if (process.env.DATABASE_URL) await stack.useDatabase(process.env.DATABASE_URL);
    else await stack.startPostgres();
    // Nothing here talks to Temporal; a lazy client to an unused address is never dialled. The budget is raised so the figure is the full replay's.
    const env = stack.serviceEnv({
      TEMPORAL_ADDRESS: process.env.TEMPORAL_ADDRESS ?? '127.0.0.1:1',
      LOG_LEVEL: 'error',
      AUTOMATION_WHAT_IF_TIME_BUDGET_SECONDS: '600',
      AUTOMATION_WHAT_IF_MAX_CONVERSATIONS: String(Math.max(10_000, CONVERSATIONS)),
    });
    const api = await BenchApi.start(env, path.join(stack.tmp, 'compiled'));
    stack.defer('API process', () => api.stop());
    const db = await stack.database();
    log(`seeding ${CONVERSATIONS} recorded conversations`);
    const seeded = await seed(db, api.base);
    const runs = [];
    for (const label of ['cold', 'warm']) {
      const before = await api.resetPeaks();
      const t = performance.now();
      const answer = await json<WhatIfAnswer>(api.base, 'POST', '/api/v1/automation-rules/what-if', seeded.token, { inboxId: seeded.inboxId, rules: DRAFT_RULES, last: CONVERSATIONS, limit: 100 });
      const seconds = (performance.now() - t) / 1000;
      const peak = await api.peaks();
      log(`${label}: ${answer.conversations} conversations in ${seconds.toFixed(2)} s, API peak RSS ${peak.peakRssMb} MB (before ${before.rssMb} MB)`);
      runs.push({
        run: label,
        seconds: round(seconds, 2),
        conversationsPerSecond: Math.round(answer.conversations / seconds),
        apiRssBeforeMb: before.rssMb,
        apiPeakRssMb: peak.peakRssMb,
        apiPeakRssMethod: before.peakResetExact ? 'VmHWM after writing 5 to /proc/<pid>/clear_refs' : 'VmHWM since the API started (clear_refs refused)',
        heapUsedBeforeMb: before.heapUsedMb,
        peakHeapUsedMb: peak.peakHeapUsedMb,
        conversations: answer.conversations,
        truncated: answer.truncated,
        truncatedReason: answer.truncatedReason,
        eventsReplayed: answer.eventsReplayed,
        timersEvaluated: answer.timersEvaluated,
        rowsRead: answer.scanned.runs + answer.scanned.events,
        scanned: answer.scanned,
        resultsOnPage: answer.results.length,
        rules: answer.rules.map((r) => ({ name: r.name, conversations: r.conversations, firings: r.firings, actions: r.actions.map((a) => a.text) })),
      });
    }
    return {
      benchmark: 'automation-what-if',
      conversations: CONVERSATIONS,
      events: seeded.events,
      automationRuns: seeded.runs,
      storedFactsBytesPerRun: seeded.factsBytes,
      draftRules: DRAFT_RULES.length,
      seedSeconds: round(seeded.seedSeconds, 1),
      apiRuntime: api.runtime,
      runs,
      goal: { seconds: GOAL_SECONDS, peakRssMb: GOAL_MB },
      met: runs.every((r) => r.seconds < GOAL_SECONDS && (r.apiPeakRssMb ?? Infinity) < GOAL_MB && !r.truncated),
      note: 'RSS and heap are the API process\'s (the product as npm run start:api runs it), which serves the request; time is the HTTP round trip',
      machine: { cpus: os.cpus().length, node: process.version, loadAverage: os.loadavg().map((l) => round(l, 2)) },
    };
  } finally {
    await stack.stop();
  }
}

runBench(whatIfBench);
