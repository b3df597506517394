/**
 * npm run bench:conversations
 *
 * Seeds 100,000 conversations with 1,000,000 messages (SQL generate_series into a throwaway embedded
 * PostgreSQL, or DATABASE_URL), then measures the conversation list through the real HTTP API with
 * typical filters and the text search: p50/p95/p99 per query shape. Prints one JSON document.
 *
 * BENCH_CONVERSATIONS / BENCH_MESSAGES / BENCH_RUNS scale it down for a quick look (env, or
 * --name=value on the command line). Progress on stderr.
 */
import 'reflect-metadata';
import * as os from 'node:os';
import { EntityManager } from '@mikro-orm/postgresql';
import type { INestApplication } from '@nestjs/common';
import { createAgent, signUp } from './support/accounts';
import { percentile } from './support/distribution';
import { json } from './support/http';
import { log, runBench } from './support/run';
import { positiveNumber } from './support/settings';
import { BenchStack } from './support/stack';

const CONVERSATIONS = positiveNumber('BENCH_CONVERSATIONS', 100_000);
const MESSAGES = positiveNumber('BENCH_MESSAGES', 1_000_000);
const RUNS = positiveNumber('BENCH_RUNS', 200);
const INBOXES = 10;
const AGENTS = 20;
const CONTACTS = Math.max(1, Math.floor(CONVERSATIONS / 2));

async function seed(app: INestApplication, base: string) {
  const { token: admin, accountId } = await signUp(base, 'Bench', `bench-${Date.now()}@example.com`);
  const inboxIds: string[] = [];
  for (let i = 0; i < INBOXES; i++) {
    inboxIds.push((await json<{ id: string }>(base, 'POST', '/api/v1/inboxes', admin, { name: `Inbox ${i}`, channelType: 'api' })).id);
  }
  // The measuring agent: member of every inbox, holds some conversations.
  const agent = await createAgent(base, admin, { name: 'Agent', email: `agent-${Date.now()}@example.com`, inboxIds });
  const agentToken = agent.token;
  const agentIds = [agent.id, ...Array.from({ length: AGENTS - 1 }, (_, i) => `00000000-0000-4000-8000-${String(i + 1).padStart(12, '0')}`)];

  const conn = app.get(EntityManager).fork().getConnection();
  const t0 = Date.now();
  await conn.execute(
    `insert into contacts (id, account_id, name, email, vip, spam, platform_attributes, attributes, created_at, updated_at)
     select md5('contact' || g)::uuid, ?, 'Contact ' || g, 'c' || g || '@example.com', abs(hashint4(g + 4)) % 50 = 0, false, '{}', '{}', now(), now()
     from generate_series(1, ?) g`,
    [accountId, CONTACTS],
  );
  await conn.execute(
    `insert into conversations (id, account_id, inbox_id, contact_id, channel_type, status, assignee_id, priority, last_activity_at, created_at)
     select md5('conv' || g)::uuid, ?, (?::uuid[])[1 + g % ${INBOXES}], md5('contact' || (1 + g % ?))::uuid, 'api',
            (array['new','open','open','pending','resolved','resolved','resolved','spam'])[1 + abs(hashint4(g)) % 8],
            case when abs(hashint4(g + 1)) % 3 = 0 then null else (?::uuid[])[1 + abs(hashint4(g + 1)) % ${AGENTS}] end,
            abs(hashint4(g + 2)) % 5, now() - ((g * 37) % 2592000) * interval '1 second', now() - g * interval '1 second'
     from generate_series(1, ?) g`,
    [accountId, `{${inboxIds.join(',')}}`, CONTACTS, `{${agentIds.join(',')}}`, CONVERSATIONS],
  );
  log(`contacts + conversations in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  const t1 = Date.now();
  const words = `'{refund,delivery,invoice,password,order,shipping,broken,cancel,upgrade,login,parcel,warranty,discount,address,payment,coupon}'::text[]`;
  const batch = 200_000;
  for (let start = 1; start <= MESSAGES; start += batch) {
    const end = Math.min(MESSAGES, start + batch - 1);
    await conn.execute(
      `insert into messages (conversation_id, direction, sender_type, content, delivery_status, created_at)
       select md5('conv' || (1 + g % ?))::uuid,
              case when g % 3 = 0 then 'outbound' else 'inbound' end,
              case when g % 3 = 0 then 'agent' else 'contact' end,
              'Hello, about my ' || (${words})[1 + g % 16] || ' and the ' || (${words})[1 + (g / 16) % 16] || ' number ' || g,
              case when g % 3 = 0 then 'sent' else 'received' end,
              now() - g * interval '1 second'
       from generate_series(?::int, ?::int) g`,
      [CONVERSATIONS, start, end],
    );
  }
  log(`messages in ${((Date.now() - t1) / 1000).toFixed(1)} s`);
  await conn.execute(
    `insert into conversation_tags (id, conversation_id, tag)
     select gen_random_uuid(), md5('conv' || g)::uuid, (array['billing','bug','urgent','feedback'])[1 + abs(hashint4(g + 5)) % 4]
     from generate_series(1, ?) g where abs(hashint4(g + 6)) % 3 = 0`,
    [CONVERSATIONS],
  );
  await conn.execute(
    `insert into conversation_user_states (id, conversation_id, "user", read_at)
     select gen_random_uuid(), md5('conv' || g)::uuid, ?, now() from generate_series(1, ?) g where abs(hashint4(g + 3)) % 3 <> 0`,
    [agent.id, CONVERSATIONS],
  );
  await conn.execute('analyze');
  return { admin, agentToken, inboxIds, seedSeconds: (Date.now() - t0) / 1000 };
}

async function conversationListBench() {
  const stack = new BenchStack('conversations');
  try {
    if (process.env.DATABASE_URL) await stack.useDatabase(process.env.DATABASE_URL);
    else await stack.startPostgres();
    // The list does not touch Temporal; a lazy client to an unused address is never dialled.
    const { app, base } = await stack.startApi(stack.serviceEnv({ TEMPORAL_ADDRESS: process.env.TEMPORAL_ADDRESS ?? '127.0.0.1:1', LOG_LEVEL: 'error' }));
    log(`seeding ${CONVERSATIONS} conversations, ${MESSAGES} messages`);
    const { agentToken, inboxIds, seedSeconds } = await seed(app, base);
    const inbox = inboxIds[3];
    const shapes: Record<string, string> = {
      'inbox, status=open, newest activity': `/api/v1/conversations?inboxId=${inbox}&status=open&limit=25`,
      'inbox, assignee=me': `/api/v1/conversations?inboxId=${inbox}&assignee=me&limit=25`,
      'inbox, unassigned, status=new': `/api/v1/conversations?inboxId=${inbox}&assignee=unassigned&status=new&limit=25`,
      'all my inboxes, unread for me': `/api/v1/conversations?unread=true&limit=25`,
      'inbox, tag=billing': `/api/v1/conversations?inboxId=${inbox}&tag=billing&limit=25`,
      'inbox, tag nobody uses': `/api/v1/conversations?inboxId=${inbox}&tag=no-such-tag&limit=25`,
      'inbox, vip': `/api/v1/conversations?inboxId=${inbox}&vip=true&limit=25`,
      'inbox, sort=priority': `/api/v1/conversations?inboxId=${inbox}&sort=priority&limit=25`,
      'inbox, second page': '',
      'text search "refund invoice" in inbox': `/api/v1/conversations?inboxId=${inbox}&q=${encodeURIComponent('refund invoice')}&limit=25`,
      'text search "warranty" all inboxes': `/api/v1/conversations?q=warranty&limit=25`,
    };
    const first = await json<{ nextCursor: string | null }>(base, 'GET', `/api/v1/conversations?inboxId=${inbox}&limit=25`, agentToken);
    shapes['inbox, second page'] = `/api/v1/conversations?inboxId=${inbox}&limit=25&cursor=${encodeURIComponent(first.nextCursor ?? '')}`;

    const results: Record<string, { p50: number | null; p95: number | null; p99: number | null; items: number }> = {};
    for (const [name, url] of Object.entries(shapes)) {
      for (let i = 0; i < 5; i++) await json(base, 'GET', url, agentToken); // warm-up
      const times: number[] = [];
      let items = 0;
      for (let i = 0; i < RUNS; i++) {
        const t = performance.now();
        const page = await json<{ items: unknown[] }>(base, 'GET', url, agentToken);
        times.push(performance.now() - t);
        items = page.items.length;
      }
      times.sort((a, b) => a - b);
      results[name] = { p50: percentile(times, 50, 2), p95: percentile(times, 95, 2), p99: percentile(times, 99, 2), items };
      log(`${name}: p95 ${results[name].p95} ms`);
    }
    const filtered = Object.entries(results).filter(([k]) => !k.startsWith('text search'));
    return {
      benchmark: 'conversation-list',
      conversations: CONVERSATIONS,
      messages: MESSAGES,
      runsPerShape: RUNS,
      seedSeconds: Math.round(seedSeconds),
      unit: 'ms, HTTP round trip on 127.0.0.1',
      results,
      worstFilteredP95: Math.max(...filtered.map(([, r]) => r.p95 ?? NaN)),
      goalFilteredP95: 50,
      machine: { cpus: os.cpus().length, node: process.version },
    };
  } finally {
    await stack.stop();
  }
}

runBench(conversationListBench);
