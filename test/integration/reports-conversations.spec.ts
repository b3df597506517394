/**
 * GET /api/v1/reports/conversations (+ .csv) and GET /api/v1/reports/campaigns (+ .csv): metrics
 * recomputed from the event log at query time, over HTTP on the real PostgreSQL (no worker runs).
 *
 * The fixture writes conversations and their event log with chosen timestamps (SQL), so every figure
 * below is computed by hand in the comments. Account and inbox A are in Europe/Berlin (UTC+1 in
 * early March 2026). Inbox A's business hours: Mon-Fri 09:00-12:00 and 13:00-17:00 (a lunch break),
 * Wednesday 2026-03-04 a holiday. Inbox B has no business hours (every hour counts).
 * Alice is in team Red, Bob in team Blue. Local times (Berlin) below; the SQL gets UTC (-1 h).
 */
import { randomUUID } from 'node:crypto';
import { EntityManager } from '@mikro-orm/postgresql';
import { http, signUp, startTestStack, type TestStack } from '../support/test-stack';
import type { ConversationReport, ConversationReportRow } from '../../src/modules/reports/get-conversation-report.use-case';
import type { CampaignResults } from '../../src/modules/reports/get-campaign-results.use-case';
import { parseCsv } from '../../src/modules/contacts/csv';

interface User {
  id: string;
  token: string;
}
interface ErrorBody {
  message: string;
  details?: { field: string; problem: string }[];
}

let stack: TestStack;
let admin: Awaited<ReturnType<typeof signUp>>;
let other: Awaited<ReturnType<typeof signUp>>;
let manager: User;
let member: User;
let alice: User;
let bob: User;
let red: string;
let blue: string;
let inboxA: string;
let inboxB: string;

let n = 0;
const uniq = (p: string) => `${p}-${Date.now()}-${++n}`;
const sql = <T>(query: string, params: unknown[] = []) => stack.api.get(EntityManager).fork().execute<T[]>(query, params);

const HOURS_WITH_LUNCH = {
  enabled: true,
  timezone: 'Europe/Berlin',
  intervals: Object.fromEntries(['mon', 'tue', 'wed', 'thu', 'fri'].map((d) => [d, [{ start: '09:00', end: '12:00' }, { start: '13:00', end: '17:00' }]])),
  exceptions: { '2026-03-04': [] },
  outOfOfficeMessage: null,
};

async function newUser(token: string, name: string): Promise<User> {
  const email = `${uniq('rep')}@example.com`;
  const created = await http<{ id: string }>(stack, 'POST', '/api/v1/users', { name, email, password: 'correct horse battery' }, token);
  expect(created.status).toBe(201);
  const login = await http<{ token: string }>(stack, 'POST', '/api/v1/auth/login', { email, password: 'correct horse battery' });
  return { id: created.body.id, token: login.body.token };
}

async function newInbox(token: string, name: string, businessHours?: unknown): Promise<string> {
  const res = await http<{ id: string }>(stack, 'POST', '/api/v1/inboxes', { name, channelType: 'api', settings: { routing: { humanAgentsEnabled: false }, ...(businessHours ? { businessHours } : {}) } }, token);
  expect(res.status).toBe(201);
  return res.body.id;
}

/** Berlin local "2026-03-02 11:00" (UTC+1 in early March) -> a UTC instant. */
const local = (s: string) => new Date(`${s.replace(' ', 'T')}:00+01:00`).toISOString();

type Ev = [at: string, type: string, data?: Record<string, unknown>, actor?: string | null, rule?: string | null];

/** A conversation (now in `inboxId`) with its event log; `handovers`: the AI agent's recorded handover decisions. */
async function conversation(accountId: string, inboxId: string, events: Ev[], handovers: string[] = []): Promise<string> {
  const contactId = randomUUID();
  const id = randomUUID();
  await sql(`insert into contacts (id, account_id, name) values (?, ?, 'Fixture')`, [contactId, accountId]);
  await sql(`insert into conversations (id, account_id, inbox_id, contact_id, channel_type, status, created_at) values (?, ?, ?, ?, 'api', 'open', ?)`, [
    id,
    accountId,
    inboxId,
    contactId,
    local(events[0][0]),
  ]);
  for (const [at, type, data, actor, rule] of events) {
    await sql(`insert into conversation_events (conversation_id, type, data, actor_user_id, cause_rule_id, created_at) values (?, ?, ?::jsonb, ?, ?, ?)`, [
      id,
      type,
      JSON.stringify(data ?? {}),
      actor ?? null,
      rule ?? null,
      local(at),
    ]);
  }
  for (const at of handovers) {
    await sql(`insert into conversation_decisions (conversation_id, kind, summary, details, created_at) values (?, 'handover', 'Handed over', '{}'::jsonb, ?)`, [id, local(at)]);
  }
  return id;
}

const report = (token: string, query: string) => http<ConversationReport & ErrorBody>(stack, 'GET', `/api/v1/reports/conversations${query}`, undefined, token);
const WEEK = '?from=2026-03-01&to=2026-03-07';

const stats = (count: number, average: number | null, median: number | null, p90: number | null) => ({ count, average, median, p90 });

beforeAll(async () => {
  stack = await startTestStack({ worker: false, env: { LOG_LEVEL: 'error' } });
  admin = await signUp(stack, 'Reports Ltd');
  other = await signUp(stack, 'Other Ltd');
  expect((await http(stack, 'PATCH', '/api/v1/account', { settings: { timezone: 'Europe/Berlin' } }, admin.token)).status).toBe(200);
  manager = await newUser(admin.token, 'Mona Manager');
  member = await newUser(admin.token, 'Mel Member');
  alice = await newUser(admin.token, 'Alice Agent');
  bob = await newUser(admin.token, 'Bob Agent');
  inboxA = await newInbox(admin.token, 'A support', HOURS_WITH_LUNCH);
  inboxB = await newInbox(admin.token, 'B sales');
  for (const [u, role] of [[manager, 'manager'], [member, 'member'], [alice, 'member'], [bob, 'member']] as const) {
    expect((await http(stack, 'PUT', `/api/v1/inboxes/${inboxA}/members/${u.id}`, { role }, admin.token)).status).toBe(200);
  }
  red = (await http<{ id: string }>(stack, 'POST', '/api/v1/teams', { name: 'Red' }, admin.token)).body.id;
  blue = (await http<{ id: string }>(stack, 'POST', '/api/v1/teams', { name: 'Blue' }, admin.token)).body.id;
  expect((await http(stack, 'PUT', `/api/v1/teams/${red}/members/${alice.id}`, undefined, admin.token)).status).toBe(200);
  expect((await http(stack, 'PUT', `/api/v1/teams/${blue}/members/${bob.id}`, undefined, admin.token)).status).toBe(200);
  const A = admin.accountId;
  const rule = randomUUID();

  // C1 Mon 02: customer 11:00, Alice replies 13:30, customer 14:00, Alice 14:10, resolved 15:00.
  //   first response 11:00->13:30 = 9000 s; business 11-12 + 13-13:30 = 5400 s (the lunch hour does not count)
  //   replies 9000 / 5400 and 14:00->14:10 = 600 / 600; resolution 11:00->15:00 = 14400 s, business 1 h + 2 h = 10800 s (Alice, assignee)
  await conversation(A, inboxA, [
    ['2026-03-02 11:00', 'conversation_created', { channel: 'api' }],
    ['2026-03-02 11:00', 'message_received', { messageId: '1' }],
    ['2026-03-02 11:00', 'assigned', { assigneeId: alice.id, previousAssigneeId: null }],
    ['2026-03-02 13:30', 'message_sent', { messageId: '2', senderType: 'agent' }, alice.id],
    ['2026-03-02 14:00', 'message_received', { messageId: '3' }],
    ['2026-03-02 14:10', 'message_sent', { messageId: '4', senderType: 'agent' }, alice.id],
    ['2026-03-02 15:00', 'status_changed', { from: 'open', to: 'resolved' }, alice.id],
  ]);
  // C2 over the holiday: customer Tue 03 16:00, Bob replies Thu 05 10:00, resolved Thu 11:00.
  //   first response = reply: 42 h = 151200 s; business Tue 16-17 (1 h) + Wed holiday (0) + Thu 09-10 (1 h) = 7200 s
  //   resolution 43 h = 154800 s; business 1 h + 2 h = 10800 s (Bob)
  await conversation(A, inboxA, [
    ['2026-03-03 16:00', 'conversation_created', { channel: 'api' }],
    ['2026-03-03 16:00', 'message_received', { messageId: '1' }],
    ['2026-03-03 16:00', 'assigned', { assigneeId: bob.id, previousAssigneeId: null }],
    ['2026-03-05 10:00', 'message_sent', { messageId: '2', senderType: 'agent' }, bob.id],
    ['2026-03-05 11:00', 'status_changed', { from: 'open', to: 'resolved' }, bob.id],
  ]);
  // C3 reopened: Mon 02 customer 09:00, Alice 09:20, resolved 09:30; Fri 06 the customer writes at 10:00 (reopens), Alice 10:05, resolved 10:15.
  //   first response once: 1200 s (1200 business); replies 1200 and 300 (reopened: measured from 10:00)
  //   resolutions 1800 s (09:00->09:30) and 900 s (10:00 reopening -> 10:15), all inside hours
  await conversation(A, inboxA, [
    ['2026-03-02 09:00', 'conversation_created', { channel: 'api' }],
    ['2026-03-02 09:00', 'message_received', { messageId: '1' }],
    ['2026-03-02 09:00', 'assigned', { assigneeId: alice.id, previousAssigneeId: null }],
    ['2026-03-02 09:20', 'message_sent', { messageId: '2', senderType: 'agent' }, alice.id],
    ['2026-03-02 09:30', 'status_changed', { from: 'open', to: 'resolved' }, alice.id],
    ['2026-03-06 10:00', 'status_changed', { from: 'resolved', to: 'new', messageId: '3' }],
    ['2026-03-06 10:00', 'message_received', { messageId: '3' }],
    ['2026-03-06 10:05', 'message_sent', { messageId: '4', senderType: 'agent' }, alice.id],
    ['2026-03-06 10:15', 'status_changed', { from: 'open', to: 'resolved' }, alice.id],
  ]);
  // C4 bot-only: customer Mon 02 10:00, a rule's message 10:01 (not a human reply), resolved by the system 10:30 with nobody assigned.
  //   no first response, no reply; resolution 1800 s (1800 business), "No agent"
  await conversation(A, inboxA, [
    ['2026-03-02 10:00', 'conversation_created', { channel: 'api' }],
    ['2026-03-02 10:00', 'message_received', { messageId: '1' }],
    ['2026-03-02 10:01', 'message_sent', { messageId: '2', senderType: 'rule' }, null, rule],
    ['2026-03-02 10:30', 'status_changed', { from: 'new', to: 'resolved' }],
  ]);
  // C5 AI agent, then handover: customer Tue 03 09:00, handover 09:30, Bob 09:50.
  //   first response from the handover: 1200 s; reply waiting from the handover too: 1200 s (business the same)
  await conversation(
    A,
    inboxA,
    [
      ['2026-03-03 09:00', 'conversation_created', { channel: 'api' }],
      ['2026-03-03 09:00', 'message_received', { messageId: '1' }],
      ['2026-03-03 09:30', 'assigned', { assigneeId: bob.id, previousAssigneeId: null }],
      ['2026-03-03 09:50', 'message_sent', { messageId: '2', senderType: 'agent' }, bob.id],
    ],
    ['2026-03-03 09:30'],
  );
  // C6 moved: created in inbox B Mon 02 12:00 (lunch), moved to A 12:10, Alice replies 12:40 (now in A).
  //   created counts in B; first response and reply count in A with A's hours: 2400 s calendar, 0 s business (lunch break)
  await conversation(A, inboxA, [
    ['2026-03-02 12:00', 'conversation_created', { channel: 'api' }],
    ['2026-03-02 12:00', 'message_received', { messageId: '1' }],
    ['2026-03-02 12:10', 'moved', { fromInboxId: inboxB, toInboxId: inboxA }, alice.id],
    ['2026-03-02 12:40', 'message_sent', { messageId: '2', senderType: 'agent' }, alice.id],
  ]);
  // C7 opened by a campaign message (no event: campaigns record none); the customer answers Thu 05 00:30 Berlin
  // (= Wed 04 23:30 UTC: a Thursday in the account's zone), Alice replies Thu 09:30.
  //   start = the customer's message: first response and reply 9 h = 32400 s; business Thu 09:00-09:30 = 1800 s
  await conversation(A, inboxA, [
    ['2026-03-05 00:30', 'status_changed', { from: 'resolved', to: 'new', messageId: '1' }],
    ['2026-03-05 00:30', 'message_received', { messageId: '1' }],
    ['2026-03-05 09:30', 'message_sent', { messageId: '2', senderType: 'agent' }, alice.id],
  ]);
  // Outside the range (Sun 08): counts nowhere in the week's report.
  await conversation(A, inboxA, [
    ['2026-03-08 10:00', 'conversation_created', { channel: 'api' }],
    ['2026-03-08 10:00', 'message_received', { messageId: '1' }],
    ['2026-03-08 10:05', 'message_sent', { messageId: '2', senderType: 'agent' }, alice.id],
  ]);
  // Another account, same week: never counted for Reports Ltd.
  const otherInbox = await newInbox(other.token, 'Other support');
  await conversation(other.accountId, otherInbox, [
    ['2026-03-02 11:00', 'conversation_created', { channel: 'api' }],
    ['2026-03-02 11:00', 'message_received', { messageId: '1' }],
    ['2026-03-02 11:30', 'status_changed', { from: 'new', to: 'resolved' }],
  ]);
}, 120_000);

afterAll(async () => {
  await stack?.close();
});

const row = (rows: ConversationReportRow[], key: string | null) => rows.find((r) => r.key === key)!;

describe('GET /api/v1/reports/conversations', () => {
  test('every metric equals the hand-computed value (calendar and business hours), with the definitions', async () => {
    const res = await report(admin.token, `${WEEK}&groupBy=week`);
    expect(res.status).toBe(200);
    expect(res.body.timezone).toBe('Europe/Berlin');
    expect(res.body.from).toBe('2026-02-28T23:00:00.000Z'); // local midnight of Mar 1 in Berlin
    expect(res.body.to).toBe('2026-03-07T23:00:00.000Z'); // the whole local day Mar 7 included
    expect(Object.keys(res.body.definitions)).toEqual(
      expect.arrayContaining(['firstResponseTime', 'replyTime', 'resolutionTime', 'created', 'resolved', 'businessHours', 'statistics']),
    );
    const t = res.body.total;
    // created: C1..C7 = 7 (C6 in B); resolutions: C1, C2, C3 twice, C4 = 5
    expect(t.created).toBe(7);
    expect(t.resolved).toBe(5);
    // first response, calendar: 1200 (C3), 1200 (C5), 2400 (C6), 9000 (C1), 32400 (C7), 151200 (C2)
    //   sum 197400 / 6 = 32900; median (2400 + 9000) / 2 = 5700; p90 = value #ceil(0.9 * 6) = #6 = 151200
    expect(t.firstResponse.calendar).toEqual(stats(6, 32900, 5700, 151200));
    // business: 0 (C6), 1200, 1200, 1800 (C7), 5400 (C1), 7200 (C2): sum 16800 / 6 = 2800; median (1200 + 1800) / 2 = 1500; p90 #6 = 7200
    expect(t.firstResponse.business).toEqual(stats(6, 2800, 1500, 7200));
    // replies, calendar: 300 (C3 reopened), 600 (C1), 1200 (C3), 1200 (C5), 2400 (C6), 9000 (C1), 32400 (C7), 151200 (C2)
    //   sum 198300 / 8 = 24787.5; median (1200 + 2400) / 2 = 1800; p90 #ceil(7.2) = #8 = 151200
    expect(t.reply.calendar).toEqual(stats(8, 24787.5, 1800, 151200));
    // business: 0, 300, 600, 1200, 1200, 1800, 5400, 7200: sum 17700 / 8 = 2212.5; median (1200 + 1200) / 2 = 1200; p90 #8 = 7200
    expect(t.reply.business).toEqual(stats(8, 2212.5, 1200, 7200));
    // resolutions, calendar: 900 (C3 again), 1800 (C3), 1800 (C4), 14400 (C1), 154800 (C2): sum 173700 / 5 = 34740; median 1800; p90 #5 = 154800
    expect(t.resolution.calendar).toEqual(stats(5, 34740, 1800, 154800));
    // business: 900, 1800, 1800, 10800, 10800: sum 26100 / 5 = 5220; median 1800; p90 #5 = 10800
    expect(t.resolution.business).toEqual(stats(5, 5220, 1800, 10800));
    expect(res.body.periods.map((p) => [p.key, p.label])).toEqual([['2026-03-02', '2026-W10']]);
    expect(res.body.periods[0].firstResponse).toEqual(t.firstResponse);
  });

  test("by inbox (moved conversations: created where they started, measured where they were), agent (bot-only: 'No agent') and team", async () => {
    const res = await report(admin.token, WEEK);
    const a = row(res.body.inboxes, inboxA);
    const b = row(res.body.inboxes, inboxB);
    expect([a.label, a.created, a.firstResponse.calendar.count, b.label, b.created, b.firstResponse.calendar.count]).toEqual(['A support', 6, 6, 'B sales', 1, 0]);
    expect(res.body.inboxes.map((i) => i.key)).toEqual([inboxA, inboxB]);
    const al = row(res.body.agents, alice.id);
    const bo = row(res.body.agents, bob.id);
    const none = row(res.body.agents, null);
    // Alice: first responses C1 9000, C3 1200, C6 2400, C7 32400 -> sum 45000 / 4 = 11250; median (2400 + 9000) / 2 = 5700; p90 #4 = 32400
    expect(al.firstResponse.calendar).toEqual(stats(4, 11250, 5700, 32400));
    // Alice's resolutions: C1 14400, C3 1800, C3 900 -> 3, average 5700; Bob: C2 154800; no agent: C4 1800
    expect([al.resolved, al.resolution.calendar.average, bo.resolved, bo.resolution.calendar.average, none.resolved, none.label]).toEqual([3, 5700, 1, 154800, 1, 'No agent']);
    expect(none.firstResponse.calendar.count).toBe(0); // the bot-only conversation has no first response
    expect(res.body.agents.map((r) => r.label)).toEqual(['Alice Agent', 'Bob Agent', 'No agent']);
    expect(al.created).toBeNull();
    // Bob: C2 151200 and C5 1200 -> average 76200, median 76200, p90 #2 = 151200
    expect(bo.firstResponse.calendar).toEqual(stats(2, 76200, 76200, 151200));
    expect(row(res.body.teams, red).firstResponse).toEqual(al.firstResponse);
    expect(row(res.body.teams, blue).reply).toEqual(bo.reply);
    expect(res.body.teams.map((r) => r.label)).toEqual(['Blue', 'Red']);
  });

  test("days are the account's local days: C7's reply at Wed 23:30 UTC is Thursday in Berlin", async () => {
    const res = await report(admin.token, `${WEEK}&groupBy=day`);
    // Mon 02: created C1, C3, C4, C6 = 4; first responses C1, C3, C6. Tue 03: created C2, C5; first response C5.
    // Thu 05: created C7 (local Thursday), first responses C2 and C7, resolution C2. Fri 06: C3's second resolution.
    expect(res.body.periods.map((p) => [p.key, p.created, p.firstResponse.calendar.count, p.resolved])).toEqual([
      ['2026-03-02', 4, 3, 3],
      ['2026-03-03', 2, 1, 0],
      ['2026-03-05', 1, 2, 1],
      ['2026-03-06', 0, 0, 1],
    ]);
    const month = await report(admin.token, `${WEEK}&groupBy=month`);
    expect(month.body.periods.map((p) => [p.key, p.label, p.created])).toEqual([['2026-03', '2026-03', 7]]);
  });

  test('filters: agent, team and inbox', async () => {
    const byBob = await report(admin.token, `${WEEK}&agentId=${bob.id}`);
    expect([byBob.body.total.created, byBob.body.total.firstResponse.calendar.count, byBob.body.total.resolved]).toEqual([null, 2, 1]);
    expect(byBob.body.agents.map((r) => r.key)).toEqual([bob.id]);
    const byRed = await report(admin.token, `${WEEK}&teamId=${red}`);
    expect(byRed.body.total.firstResponse.calendar).toEqual(stats(4, 11250, 5700, 32400));
    const onlyB = await report(admin.token, `${WEEK}&inboxId=${inboxB}`);
    expect([onlyB.body.total.created, onlyB.body.total.firstResponse.calendar.count]).toEqual([1, 0]);
  });

  test('access: a manager sees the inboxes they manage, agents are refused, another account never sees these figures', async () => {
    const mine = await report(manager.token, WEEK);
    expect(mine.status).toBe(200);
    expect(mine.body.inboxes.map((i) => i.key)).toEqual([inboxA]);
    expect(mine.body.total.created).toBe(6); // C6 started in B, which the manager does not manage
    expect(mine.body.total.firstResponse.calendar.count).toBe(6); // C6's reply happened in A
    expect((await report(manager.token, `${WEEK}&inboxId=${inboxB}`)).status).toBe(403);
    expect((await report(member.token, WEEK)).status).toBe(403);
    expect((await report(alice.token, WEEK)).status).toBe(403);
    expect((await report(other.token, `${WEEK}&inboxId=${inboxA}`)).status).toBe(404);
    const theirs = await report(other.token, WEEK);
    expect([theirs.body.total.created, theirs.body.total.resolved, theirs.body.total.firstResponse.calendar.count]).toEqual([1, 1, 0]);
    expect((await report(other.token, `${WEEK}&agentId=${alice.id}`)).status).toBe(404);
    expect((await report(other.token, `${WEEK}&teamId=${red}`)).status).toBe(404);
  });

  test("the account's report time zone: shown with the account, an unknown zone is a 400 naming settings.timezone", async () => {
    expect((await http<{ settings: { timezone: string } }>(stack, 'GET', '/api/v1/account', undefined, other.token)).body.settings.timezone).toBe('UTC');
    const bad = await http<ErrorBody>(stack, 'PATCH', '/api/v1/account', { settings: { timezone: 'Mars/Olympus_Mons' } }, admin.token);
    expect(bad.status).toBe(400);
    expect(bad.body.details?.map((d) => d.field)).toEqual(['settings.timezone']);
    expect((await http<{ settings: { timezone: string } }>(stack, 'GET', '/api/v1/account', undefined, admin.token)).body.settings.timezone).toBe('Europe/Berlin');
  });

  test('bad input is a 400 naming the field', async () => {
    for (const [query, field] of [
      ['?groupBy=year', 'groupBy'],
      ['?from=yesterday', 'from'],
      ['?from=2026-03-10&to=2026-03-01', 'from'],
      ['?from=2024-01-01&to=2026-03-01', 'from'],
      ['?agentId=nope', 'agentId'],
      ['?teamId=nope', 'teamId'],
    ] as const) {
      const res = await report(admin.token, query);
      expect({ query, status: res.status }).toEqual({ query, status: 400 });
      expect(res.body.details?.map((d) => d.field)).toContain(field);
    }
  });

  test('CSV export: the same figures, one row per total, period, inbox, agent and team', async () => {
    const res = await fetch(`${stack.baseUrl}/api/v1/reports/conversations.csv${WEEK}&groupBy=week`, { headers: { authorization: `Bearer ${admin.token}` } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/csv/);
    const { records } = parseCsv(await res.text());
    const header = records[0].fields;
    const rows = records.slice(1).map((r) => Object.fromEntries(header.map((h, i) => [h, r.fields[i]])));
    expect(rows.map((r) => r.grouping)).toEqual(['total', 'week', 'inbox', 'inbox', 'agent', 'agent', 'agent', 'team', 'team']);
    expect(rows[0]).toMatchObject({ created: '7', resolved: '5', firstResponse_calendar_average_seconds: '32900', firstResponse_business_median_seconds: '1500', reply_business_p90_seconds: '7200' });
    expect(rows.find((r) => r.label === 'No agent')).toMatchObject({ created: '', firstResponse_calendar_count: '0', firstResponse_calendar_average_seconds: '', resolution_calendar_count: '1' });
    expect((await fetch(`${stack.baseUrl}/api/v1/reports/conversations.csv`, { headers: { authorization: `Bearer ${member.token}` } })).status).toBe(403);
  });

  // Last: it changes inbox A's hours.
  test("changing the inbox's business hours changes the business-hours figures of the past (nothing was frozen)", async () => {
    const noLunch = { ...HOURS_WITH_LUNCH, intervals: Object.fromEntries(['mon', 'tue', 'wed', 'thu', 'fri'].map((d) => [d, [{ start: '09:00', end: '17:00' }]])) };
    expect((await http(stack, 'PATCH', `/api/v1/inboxes/${inboxA}`, { settings: { businessHours: noLunch } }, admin.token)).status).toBe(200);
    const res = await report(admin.token, WEEK);
    // Without the lunch break: C1 11:00->13:30 = 9000 s, C6 12:00->12:40 = 2400 s; the others unchanged (1200, 1200, 1800, 7200)
    //   sorted 1200, 1200, 1800, 2400, 7200, 9000: sum 22800 / 6 = 3800; median (1800 + 2400) / 2 = 2100; p90 #6 = 9000
    expect(res.body.total.firstResponse.business).toEqual(stats(6, 3800, 2100, 9000));
    expect(res.body.total.firstResponse.calendar).toEqual(stats(6, 32900, 5700, 151200)); // calendar time is the same
    // C1's resolution 11:00->15:00 is now 4 h in hours: 900, 1800, 1800, 10800 (C2), 14400 -> 29700 / 5 = 5940
    expect(res.body.total.resolution.business).toEqual(stats(5, 5940, 1800, 14400));
    // Business hours off: every hour counts, business = calendar
    expect((await http(stack, 'PATCH', `/api/v1/inboxes/${inboxA}`, { settings: { businessHours: { ...noLunch, enabled: false } } }, admin.token)).status).toBe(200);
    const off = await report(admin.token, WEEK);
    expect(off.body.total.firstResponse.business).toEqual(off.body.total.firstResponse.calendar);
    expect(off.body.total.reply.business).toEqual(stats(8, 24787.5, 1800, 151200));
  });
});

describe('GET /api/v1/reports/campaigns', () => {
  test('sent, delivered, failed, opted out and replies within 7 days per campaign; managers of the inbox; CSV', async () => {
    const A = admin.accountId;
    const campaignId = randomUUID();
    await sql(
      `insert into campaigns (id, account_id, inbox_id, name, type, status, audience, template, created_by_user_id, template_author_user_id, started_at, finished_at)
       values (?, ?, ?, 'March promo', 'promotional', 'completed', '{}'::jsonb, 'Hi', ?, ?, '2026-03-02T10:00:00Z', '2026-03-02T10:05:00Z')`,
      [campaignId, A, inboxA, admin.userId, admin.userId],
    );
    // Five recipients: r1 delivered and replied after 2 days; r2 delivered, replied after 8 days (too late); r3 sent, receipt failed;
    // r4 refused by the provider; r5 opted out.
    const recipient = async (status: string, delivery: string | null, replyAfterDays: number | null) => {
      const contactId = randomUUID();
      await sql(`insert into contacts (id, account_id, name) values (?, ?, 'R')`, [contactId, A]);
      if (delivery === null) {
        await sql(`insert into campaign_recipients (campaign_id, contact_id, status) values (?, ?, ?)`, [campaignId, contactId, status]);
        return;
      }
      const conv = randomUUID();
      await sql(`insert into conversations (id, account_id, inbox_id, contact_id, channel_type, status) values (?, ?, ?, ?, 'api', 'resolved')`, [conv, A, inboxA, contactId]);
      const [m] = await sql<{ id: string }>(
        `insert into messages (conversation_id, direction, sender_type, content, delivery_status, created_at) values (?, 'outbound', 'system', 'Hi', ?, '2026-03-02T10:01:00Z') returning id`,
        [conv, delivery],
      );
      await sql(`insert into campaign_recipients (campaign_id, contact_id, status, message_id) values (?, ?, ?, ?)`, [campaignId, contactId, status, m.id]);
      if (replyAfterDays !== null) {
        await sql(`insert into messages (conversation_id, direction, sender_type, content, delivery_status, created_at) values (?, 'inbound', 'contact', 'Yes', 'received', ?)`, [
          conv,
          new Date(Date.parse('2026-03-02T10:01:00Z') + replyAfterDays * 86_400_000).toISOString(),
        ]);
      }
    };
    await recipient('sent', 'delivered', 2);
    await recipient('sent', 'delivered', 8);
    await recipient('sent', 'failed', null);
    await recipient('failed', null, null);
    await recipient('opted_out', null, null);

    const get = (token: string, q: string) => http<CampaignResults & ErrorBody>(stack, 'GET', `/api/v1/reports/campaigns${q}`, undefined, token);
    const res = await get(admin.token, '?from=2026-03-01&to=2026-03-31');
    expect(res.status).toBe(200);
    expect(res.body.campaigns).toEqual([
      expect.objectContaining({ campaignId, name: 'March promo', inboxName: 'A support', recipients: 5, sent: 3, delivered: 2, failed: 2, optedOut: 1, replied: 1 }),
    ]);
    expect(res.body.total).toEqual({ recipients: 5, sent: 3, delivered: 2, failed: 2, optedOut: 1, replied: 1 });
    expect(res.body.definitions.replied).toMatch(/7 days/);
    expect((await get(manager.token, '?from=2026-03-01&to=2026-03-31')).body.campaigns.map((c) => c.campaignId)).toEqual([campaignId]);
    expect((await get(member.token, '')).status).toBe(403);
    expect((await get(other.token, '?from=2026-03-01&to=2026-03-31')).body.campaigns).toEqual([]);
    expect((await get(other.token, `?inboxId=${inboxA}`)).status).toBe(404);
    const csv = await fetch(`${stack.baseUrl}/api/v1/reports/campaigns.csv?from=2026-03-01&to=2026-03-31`, { headers: { authorization: `Bearer ${admin.token}` } });
    const { records } = parseCsv(await csv.text());
    expect(records.map((r) => r.fields.slice(-6))).toEqual([
      ['recipients', 'sent', 'delivered', 'failed', 'opted_out', 'replied_within_7_days'],
      ['5', '3', '2', '2', '1', '1'],
    ]);
  });
});
