/**
 * npm run bench:reports
 *
 * Seeds 100,000 conversations with 1,000,000 messages and their event log (SQL generate_series into a
 * throwaway embedded PostgreSQL, or DATABASE_URL) over twelve months, in 10 inboxes with business
 * hours (a lunch break and holidays), 20 agents in 4 teams; then measures a month's conversation
 * report per inbox (GET /api/v1/reports/conversations?inboxId&from&to, recomputed from the event log
 * at every call) through the real HTTP API: p50/p95/p99 over months and inboxes. Also measures what
 * the report's indexes cost writes: single-row event inserts with and without them, and the
 * machine's load average while measuring (the machine is shared: figures depend on it).
 * Prints one JSON document. BENCH_CONVERSATIONS / BENCH_MESSAGES / BENCH_RUNS scale it down.
 */
import 'reflect-metadata';
import * as os from 'node:os';
import { EntityManager } from '@mikro-orm/postgresql';
import type { INestApplication } from '@nestjs/common';
import { BENCH_PASSWORD, signUp } from './support/accounts';
import { percentile } from './support/distribution';
import { json } from './support/http';
import { log, runBench } from './support/run';
import { positiveNumber } from './support/settings';
import { BenchStack } from './support/stack';

const CONVERSATIONS = positiveNumber('BENCH_CONVERSATIONS', 100_000);
const MESSAGES = positiveNumber('BENCH_MESSAGES', 1_000_000);
const RUNS = positiveNumber('BENCH_RUNS', 120);
const INBOXES = 10;
const AGENTS = 20;
const TEAMS = 4;
/** Conversations start evenly over 2025-01-01 .. 2025-12-31 (UTC). */
const YEAR_START = Date.parse('2025-01-01T00:00:00Z');
const YEAR_SECONDS = 365 * 86_400;
const REPORT_INDEX = 'conversation_events_created_at_index';

const HOURS = {
  enabled: true,
  timezone: 'Europe/Berlin',
  intervals: Object.fromEntries(['mon', 'tue', 'wed', 'thu', 'fri'].map((d) => [d, [{ start: '08:00', end: '12:00' }, { start: '13:00', end: '18:00' }]])),
  exceptions: { '2025-01-01': [], '2025-05-01': [], '2025-10-03': [], '2025-12-24': [{ start: '09:00', end: '12:00' }], '2025-12-25': [], '2025-12-26': [] },
  outOfOfficeMessage: null,
};

async function seed(app: INestApplication, base: string) {
  const { token: admin, accountId } = await signUp(base, 'Bench reports', `bench-${Date.now()}@example.com`);
  await json(base, 'PATCH', '/api/v1/account', admin, { settings: { timezone: 'Europe/Berlin' } });
  const inboxIds: string[] = [];
  for (let i = 0; i < INBOXES; i++) {
    inboxIds.push((await json<{ id: string }>(base, 'POST', '/api/v1/inboxes', admin, { name: `Inbox ${i}`, channelType: 'api', settings: { businessHours: HOURS } })).id);
  }
  const agentIds: string[] = [];
  // Users only (no login: the bench runs no Temporal, and a login starts the agent's presence workflow).
  for (let i = 0; i < AGENTS; i++) {
    agentIds.push((await json<{ id: string }>(base, 'POST', '/api/v1/users', admin, { name: `Agent ${i}`, email: `agent-${i}-${Date.now()}@example.com`, password: BENCH_PASSWORD })).id);
  }
  for (let t = 0; t < TEAMS; t++) {
    const team = await json<{ id: string }>(base, 'POST', '/api/v1/teams', admin, { name: `Team ${t}` });
    for (let i = t; i < AGENTS; i += TEAMS) await json(base, 'PUT', `/api/v1/teams/${team.id}/members/${agentIds[i]}`, admin);
  }

  const conn = app.get(EntityManager).fork().getConnection();
  const t0 = Date.now();
  const perConversation = Math.max(1, Math.round(MESSAGES / CONVERSATIONS));
  const step = YEAR_SECONDS / CONVERSATIONS;
  await conn.execute(
    `insert into contacts (id, account_id, name, platform_attributes, attributes, created_at, updated_at)
     select md5('contact' || g)::uuid, ?, 'Contact ' || g, '{}', '{}', now(), now() from generate_series(1, ?) g`,
    [accountId, CONVERSATIONS],
  );
  // Conversation g starts at YEAR_START + g * step; 70 % are resolved after their last message.
  await conn.execute(
    `insert into conversations (id, account_id, inbox_id, contact_id, channel_type, status, assignee_id, last_activity_at, created_at)
     select md5('conv' || g)::uuid, ?, (?::uuid[])[1 + g % ${INBOXES}], md5('contact' || g)::uuid, 'api',
            case when g % 10 < 7 then 'resolved' else 'open' end, (?::uuid[])[1 + abs(hashint4(g)) % ${AGENTS}],
            to_timestamp(? + g * ?), to_timestamp(? + g * ?)
     from generate_series(1, ?) g`,
    [accountId, `{${inboxIds.join(',')}}`, `{${agentIds.join(',')}}`, YEAR_START / 1000, step, YEAR_START / 1000, step, CONVERSATIONS],
  );
  log(`contacts + conversations in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  // Start, assignment, then per conversation `perConversation` messages alternating customer / agent
  // (5 to 50 minutes apart, so many waits cross the lunch break, evenings and weekends), then the resolution.
  const t1 = Date.now();
  await conn.execute(
    `insert into conversation_events (conversation_id, type, data, actor_user_id, created_at)
     select md5('conv' || g)::uuid, 'conversation_created', '{"channel":"api"}'::jsonb, null::uuid, to_timestamp(? + g * ?) from generate_series(1, ?) g
     union all
     select md5('conv' || g)::uuid, 'assigned', jsonb_build_object('assigneeId', (?::uuid[])[1 + abs(hashint4(g)) % ${AGENTS}]), null::uuid, to_timestamp(? + g * ? + 30)
       from generate_series(1, ?) g`,
    [YEAR_START / 1000, step, CONVERSATIONS, `{${agentIds.join(',')}}`, YEAR_START / 1000, step, CONVERSATIONS],
  );
  const batch = 200_000;
  for (let start = 0; start < MESSAGES; start += batch) {
    const end = Math.min(MESSAGES, start + batch) - 1;
    // message m: conversation 1 + m / perConversation, k = m % perConversation; even k customer, odd k agent
    const at = `to_timestamp(? + (1 + m / ${perConversation}) * ? + (m % ${perConversation}) * (300 + abs(hashint4(m)) % 2700))`;
    await conn.execute(
      `insert into messages (conversation_id, direction, sender_type, sender_user_id, content, delivery_status, created_at)
       select md5('conv' || (1 + m / ${perConversation}))::uuid,
              case when m % 2 = 1 then 'outbound' else 'inbound' end, case when m % 2 = 1 then 'agent' else 'contact' end,
              case when m % 2 = 1 then (?::uuid[])[1 + abs(hashint4(1 + m / ${perConversation})) % ${AGENTS}] end,
              'Message ' || m, case when m % 2 = 1 then 'sent' else 'received' end, ${at}
       from generate_series(?::int, ?::int) m`,
      [`{${agentIds.join(',')}}`, YEAR_START / 1000, step, start, end],
    );
    await conn.execute(
      `insert into conversation_events (conversation_id, type, data, actor_user_id, created_at)
       select md5('conv' || (1 + m / ${perConversation}))::uuid,
              case when m % 2 = 1 then 'message_sent' else 'message_received' end,
              case when m % 2 = 1 then '{"senderType":"agent"}'::jsonb else '{}'::jsonb end,
              case when m % 2 = 1 then (?::uuid[])[1 + abs(hashint4(1 + m / ${perConversation})) % ${AGENTS}] end,
              ${at}
       from generate_series(?::int, ?::int) m`,
      [`{${agentIds.join(',')}}`, YEAR_START / 1000, step, start, end],
    );
    log(`messages and their events ${end + 1}/${MESSAGES}`);
  }
  await conn.execute(
    `insert into conversation_events (conversation_id, type, data, actor_user_id, created_at)
     select c.id, 'status_changed', '{"from":"open","to":"resolved"}'::jsonb, c.assignee_id, max(e.created_at) + interval '10 minutes'
       from conversations c join conversation_events e on e.conversation_id = c.id
      where c.account_id = ? and c.status = 'resolved' group by c.id, c.assignee_id`,
    [accountId],
  );
  log(`events in ${((Date.now() - t1) / 1000).toFixed(1)} s`);
  await conn.execute('analyze');
  const [{ n }] = await conn.execute<{ n: string }[]>(`select count(*) as n from conversation_events`);
  return { admin, inboxIds, events: Number(n), seedSeconds: (Date.now() - t0) / 1000, conn };
}

/** Single-row event inserts (as the product writes them, one per change): ms per insert. */
async function insertCost(conn: Awaited<ReturnType<typeof seed>>['conn'], rows: number): Promise<number> {
  const t = performance.now();
  for (let i = 0; i < rows; i++) {
    await conn.execute(`insert into conversation_events (conversation_id, type, data) values (md5('conv' || ?)::uuid, 'tag_added', '{"tag":"bench"}')`, [1 + (i % 1000)]);
  }
  const ms = (performance.now() - t) / rows;
  await conn.execute(`delete from conversation_events where type = 'tag_added' and data->>'tag' = 'bench'`);
  return Math.round(ms * 1000) / 1000;
}

async function reportsBench() {
  const stack = new BenchStack('reports');
  try {
    if (process.env.DATABASE_URL) await stack.useDatabase(process.env.DATABASE_URL);
    else await stack.startPostgres();
    const { app, base } = await stack.startApi(stack.serviceEnv({ TEMPORAL_ADDRESS: process.env.TEMPORAL_ADDRESS ?? '127.0.0.1:1', LOG_LEVEL: 'error' }));
    log(`seeding ${CONVERSATIONS} conversations, ${MESSAGES} messages`);
    const { admin, inboxIds, events, seedSeconds, conn } = await seed(app, base);

    const months = ['2025-02', '2025-03', '2025-06', '2025-10', '2025-12'];
    const lastDay = (m: string) => new Date(Date.UTC(Number(m.slice(0, 4)), Number(m.slice(5, 7)), 0)).toISOString().slice(0, 10);
    const urls = months.flatMap((m) => inboxIds.map((id) => `/api/v1/reports/conversations?inboxId=${id}&from=${m}-01&to=${lastDay(m)}&groupBy=day`));
    const sample = await json<{ total: { created: number; firstResponse: { calendar: { count: number } }; reply: { calendar: { count: number } }; resolution: { calendar: { count: number } } } }>(
      base,
      'GET',
      urls[0],
      admin,
    );
    for (let i = 0; i < 5; i++) await json(base, 'GET', urls[i % urls.length], admin); // warm-up
    const times: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const t = performance.now();
      await json(base, 'GET', urls[i % urls.length], admin);
      times.push(performance.now() - t);
    }
    times.sort((a, b) => a - b);
    // 1-, 5- and 15-minute load averages right after the runs (other jobs share the machine).
    const loadWhileMeasuring = os.loadavg().map((l) => Math.round(l * 10) / 10);
    const whole = `/api/v1/reports/conversations?from=${months[1]}-01&to=${lastDay(months[1])}&groupBy=week`;
    const wholeTimes: number[] = [];
    for (let i = 0; i < 10; i++) {
      const t = performance.now();
      await json(base, 'GET', whole, admin);
      wholeTimes.push(performance.now() - t);
    }
    wholeTimes.sort((a, b) => a - b);
    log(`month per inbox: p95 ${percentile(times, 95, 1)} ms`);

    const withIndex = await insertCost(conn, 2000);
    const [{ size }] = await conn.execute<{ size: string }[]>(`select pg_relation_size(?) as size`, [REPORT_INDEX]);
    await conn.execute(`drop index ${REPORT_INDEX}`);
    await conn.execute(`drop index conversation_events_moved_index`);
    const withoutIndex = await insertCost(conn, 2000);
    const slowT = performance.now();
    await json(base, 'GET', urls[0], admin);
    const withoutIndexReportMs = Math.round(performance.now() - slowT);
    await conn.execute(`create index ${REPORT_INDEX} on conversation_events (created_at) include (conversation_id, type)`);
    await conn.execute(`create index conversation_events_moved_index on conversation_events (conversation_id) where type = 'moved'`);

    return {
      benchmark: 'reports',
      conversations: CONVERSATIONS,
      messages: MESSAGES,
      events,
      inboxes: INBOXES,
      seedSeconds: Math.round(seedSeconds),
      monthPerInbox: {
        runs: RUNS,
        shapes: urls.length,
        sample: { created: sample.total.created, firstResponses: sample.total.firstResponse.calendar.count, replies: sample.total.reply.calendar.count, resolutions: sample.total.resolution.calendar.count },
        p50: percentile(times, 50, 1),
        p95: percentile(times, 95, 1),
        p99: percentile(times, 99, 1),
        goalP95: 500,
      },
      monthAllInboxes: { runs: 10, p50: percentile(wholeTimes, 50, 1), p95: percentile(wholeTimes, 95, 1) },
      reportIndex: {
        name: REPORT_INDEX,
        sizeMb: Math.round(Number(size) / 1048576),
        singleRowInsertMs: { withIndexes: withIndex, withoutIndexes: withoutIndex },
        monthPerInboxWithoutIndexMs: withoutIndexReportMs,
      },
      unit: 'ms, HTTP round trip on 127.0.0.1',
      machine: { cpus: os.cpus().length, node: process.version, loadAverageWhileMeasuring: loadWhileMeasuring },
    };
  } finally {
    await stack.stop();
  }
}

runBench(reportsBench);
