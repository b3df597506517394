/**
 * What-if on the real stack (PostgreSQL, Temporal, the API and a worker): 200 conversations are
 * recorded through the API (inbound messages, some asking for a refund; agent replies through
 * POST /conversations/:id/messages; some resolved) while no rule exists, so the conversation
 * workflows record every event's facts in automation_runs. What-if replays the draft rule
 * `message_received, message.content contains "refund" -> add_tag refund` over them. Then the same
 * rule is switched on for real and the same messages go to 200 new conversations: what the rule does
 * there must be exactly what what-if predicted (the same conversations, the same messages, the same
 * count) — the acceptance test. Around it: who may ask, bad drafts (checked by the rules
 * API's validator), hidden attributes, the cap.
 */
import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { eventually, http, signUp, startTestStack, type TestStack } from '../support/test-stack';

const SCENARIOS = 200;
const CAP = 200;

interface Scenario {
  index: number;
  first: string;
  reply: boolean;
  second: string | null;
  resolve: boolean;
}

/** Conversation k: a refund in its first message when k % 4 = 0, a second message when k % 5 = 0 (a refund one when k % 10 = 0), an agent reply when k % 3 = 0, resolved at the end when k % 7 = 0. */
const scenarios: Scenario[] = Array.from({ length: SCENARIOS }, (_, k) => ({
  index: k,
  first: k % 4 === 0 ? `I need a refund for order ${k}` : `Question about order ${k}`,
  reply: k % 3 === 0,
  second: k % 5 === 0 ? (k % 10 === 0 ? 'Still waiting on my refund' : 'Any news?') : null,
  resolve: k % 7 === 0,
}));

interface Recorded {
  conversationId: string;
  /** Message ids of the customer's messages, in order. */
  messages: string[];
}

interface WhatIfBody {
  conversations: number;
  truncated: boolean;
  truncatedReason: string | null;
  rules: { ruleId: string; conversations: number; firings: number; actions: { type: string; conversations: number; firings: number; customerWroteAfter: number; agentRepliedAfter: number; alreadySo: number; doneLater: number; text: string }[]; text: string }[];
  results: { conversationId: string; firings: { ruleId: string; trigger: { kind: string; eventId: string; type: string }; explanation: string; actions: { type: string; target: string }[] }[] }[];
  nextCursor: string | null;
  scanned: { conversations: number; runs: number; events: number };
}

interface ErrorBody {
  message: string;
  details?: { field: string; problem: string }[];
}

let stack: TestStack;
let db: Client;
let admin: Awaited<ReturnType<typeof signUp>>;
let manager: { id: string; token: string };
let agent: { id: string; token: string };
let inboxId: string;

const as = <T = unknown>(who: { token: string }, method: string, path: string, body?: unknown) => http<T>(stack, method, path, body, who.token);
const sql = async <T>(query: string, params: unknown[] = []) => (await db.query(query, params)).rows as T[];

const refundRule = {
  name: 'Refund tag',
  trigger: { event: 'message_received' },
  conditions: { all: [{ attribute: 'message.content', operator: 'contains', value: 'refund' }] },
  actions: [{ type: 'add_tag', tag: 'refund' }],
};

async function createUser(name: string, inboxRole: 'manager' | 'member'): Promise<{ id: string; token: string }> {
  const email = `what-if-${name.toLowerCase()}-${randomUUID().slice(0, 8)}@example.com`;
  const created = await as<{ id: string }>(admin, 'POST', '/api/v1/users', { name, email, password: 'correct horse battery' });
  expect(created.status).toBe(201);
  expect((await as(admin, 'PUT', `/api/v1/inboxes/${inboxId}/members/${created.body.id}`, { role: inboxRole })).status).toBe(200);
  const login = await http<{ token: string }>(stack, 'POST', '/api/v1/auth/login', { email, password: 'correct horse battery' });
  expect(login.status).toBe(200);
  return { id: created.body.id, token: login.body.token };
}

/** Runs fn over the items, `width` at a time. */
async function pool<T, R>(items: T[], width: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await fn(items[i]);
      }
    }),
  );
  return out;
}

/** Plays the scenario through the API as a customer and an agent would; answers the conversation and the customer's message ids. */
async function play(s: Scenario, round: string): Promise<Recorded> {
  const inbound = async (content: string) => {
    const res = await as<{ conversationId: string; messageId: string }>(admin, 'POST', `/api/v1/inboxes/${inboxId}/inbound-messages`, { contact: { sourceId: `${round}-${s.index}`, name: `Customer ${s.index}` }, content });
    expect(res.status).toBe(201);
    return res.body;
  };
  const first = await inbound(s.first);
  const messages = [first.messageId];
  if (s.reply) expect((await as(agent, 'POST', `/api/v1/conversations/${first.conversationId}/messages`, { content: 'Looking into it' })).status).toBe(201);
  if (s.second) {
    const second = await inbound(s.second);
    expect(second.conversationId).toBe(first.conversationId);
    messages.push(second.messageId);
  }
  if (s.resolve) expect((await as(agent, 'POST', `/api/v1/conversations/${first.conversationId}/resolve`)).status).toBe(200);
  return { conversationId: first.conversationId, messages };
}

/** Waits until the workflows ran the automation step over every event of these conversations. */
async function allProcessed(conversationIds: string[]) {
  await eventually(
    async () => {
      const [row] = await sql<{ pending: string; runs: string; events: string }>(
        `select count(*) filter (where e.processed_at is null) as pending, count(r.id) as runs, count(*) as events
           from conversation_events e left join automation_runs r on r.event_id = e.id
          where e.conversation_id = any($1::uuid[])`,
        [conversationIds],
      );
      return Number(row.pending) === 0 && Number(row.runs) === Number(row.events) ? true : undefined;
    },
    180_000,
    'every event processed by the automation step',
  );
}

/** scenario index -> the indexes of its customer messages a firing was on, from (conversation, message id) pairs. */
function patternOf(recorded: Recorded[], fired: { conversationId: string; messageId: string }[]): Map<number, number[]> {
  const byConversation = new Map(recorded.map((r, k) => [r.conversationId, k]));
  const pattern = new Map<number, number[]>();
  for (const f of fired) {
    const k = byConversation.get(f.conversationId);
    if (k === undefined) throw new Error(`a firing on a conversation of no scenario: ${f.conversationId}`);
    const index = recorded[k].messages.indexOf(f.messageId);
    if (index < 0) throw new Error(`a firing on a message that is no customer message: ${f.messageId}`);
    pattern.set(k, [...(pattern.get(k) ?? []), index].sort());
  }
  return pattern;
}

const whatIf = (who: { token: string }, body: Record<string, unknown>) => as<WhatIfBody & ErrorBody>(who, 'POST', '/api/v1/automation-rules/what-if', body);

let recorded: Recorded[];
let predicted: Map<number, number[]>;

beforeAll(async () => {
  stack = await startTestStack({ env: { AUTOMATION_WHAT_IF_MAX_CONVERSATIONS: String(CAP) } });
  db = new Client({ connectionString: stack.config.database.url });
  await db.connect();
  admin = await signUp(stack, 'What-if Ltd');
  const inbox = await as<{ id: string }>(admin, 'POST', '/api/v1/inboxes', { name: 'Support', channelType: 'api', settings: { assignmentMode: 'open' } });
  expect(inbox.status).toBe(201);
  inboxId = inbox.body.id;
  manager = await createUser('Manager', 'manager');
  agent = await createUser('Agent', 'member');
}, 120_000);

afterAll(async () => {
  await db?.end();
  await stack?.close();
});

test('what-if over 200 recorded conversations predicts exactly what the same rule, switched on, does to 200 new conversations with the same messages', async () => {
  // 1. Record: no rule exists, every event is recorded with its facts.
  expect(await sql(`select 1 from automation_rules where account_id = $1`, [admin.accountId])).toEqual([]);
  recorded = await pool(scenarios, 6, (s) => play(s, `before-${randomUUID().slice(0, 8)}`));
  await allProcessed(recorded.map((r) => r.conversationId));

  // 2. What-if over the last 200, paged 25 at a time.
  const results: WhatIfBody['results'] = [];
  let cursor: string | undefined;
  let first: WhatIfBody | undefined;
  for (let page = 0; page < 20; page++) {
    const res = await whatIf(manager, { inboxId, rules: [refundRule], last: SCENARIOS, limit: 25, ...(cursor ? { cursor } : {}) });
    expect(res.status).toBe(200);
    first ??= res.body;
    // Every page answers the same summary over the whole selection.
    expect(res.body.rules).toEqual(first.rules);
    results.push(...res.body.results);
    if (!res.body.nextCursor) break;
    cursor = res.body.nextCursor;
  }
  expect(first!.conversations).toBe(SCENARIOS);
  expect(first!.truncated).toBe(false);
  expect(new Set(results.map((r) => r.conversationId)).size).toBe(results.length);
  const eventMessage = new Map(
    (await sql<{ id: string; message_id: string }>(`select id::text, data->>'messageId' as message_id from conversation_events where conversation_id = any($1::uuid[])`, [recorded.map((r) => r.conversationId)])).map((e) => [
      e.id,
      e.message_id,
    ]),
  );
  predicted = patternOf(
    recorded,
    results.flatMap((r) =>
      r.firings.map((f) => {
        expect(f).toMatchObject({ ruleId: 'draft:0', trigger: { kind: 'event', type: 'message_received' }, actions: [{ type: 'add_tag', target: 'refund' }] });
        expect(f.explanation).toContain('message.content contains "refund"');
        return { conversationId: r.conversationId, messageId: eventMessage.get(f.trigger.eventId)! };
      }),
    ),
  );

  // What the scenarios say it must be: refunds in the first message (k % 4 = 0) and in the second (k % 10 = 0).
  const expected = new Map<number, number[]>();
  for (const s of scenarios) {
    const on = [...(s.first.includes('refund') ? [0] : []), ...(s.second?.includes('refund') ? [1] : [])];
    if (on.length) expected.set(s.index, on);
  }
  expect(predicted).toEqual(expected);
  const [summary] = first!.rules;
  const firings = [...expected.values()].reduce((n, on) => n + on.length, 0);
  expect(summary).toMatchObject({ ruleId: 'draft:0', conversations: expected.size, firings });
  // Side by side, at each conversation's first would-be tag: the customer wrote again (k % 20 = 0: refund first, then a second message);
  // an agent replied afterwards (k % 12 = 0: refund first, then a reply); nobody tagged by hand.
  const count = (p: (k: number) => boolean) => scenarios.filter((s) => p(s.index)).length;
  expect(summary.actions[0]).toMatchObject({ type: 'add_tag', conversations: expected.size, firings, alreadySo: 0, doneLater: 0, customerWroteAfter: count((k) => k % 20 === 0), agentRepliedAfter: count((k) => k % 12 === 0) });
  expect(summary.actions[0].text).toContain(`would have tagged "refund" ${expected.size} of ${SCENARIOS} conversations (${firings} times)`);

  // 3. The same rule for real (the same body through the rules API, switched on), on 200 new conversations with the same messages.
  const created = await as<{ id: string; enabled: boolean }>(admin, 'POST', '/api/v1/automation-rules', { ...refundRule, enabled: true });
  expect(created.status).toBe(201);
  expect(created.body.enabled).toBe(true);
  const ruleId = created.body.id;
  const live = await pool(scenarios, 6, (s) => play(s, `after-${randomUUID().slice(0, 8)}`));
  await allProcessed(live.map((r) => r.conversationId));
  const fired = await sql<{ conversation_id: string; message_id: string; status: string }>(
    `select f.conversation_id, e.data->>'messageId' as message_id, f.status
       from automation_firings f join automation_runs r on r.id = f.run_id join conversation_events e on e.id = r.event_id
      where f.rule_id = $1`,
    [ruleId],
  );
  expect(fired.every((f) => f.status === 'done')).toBe(true);
  const real = patternOf(live, fired.map((f) => ({ conversationId: f.conversation_id, messageId: f.message_id })));
  expect(real).toEqual(predicted);
  expect(fired).toHaveLength(firings);
  // And the tag is on exactly those conversations.
  const tagged = await sql<{ conversation_id: string }>(`select conversation_id from conversation_tags where tag = 'refund' and conversation_id = any($1::uuid[])`, [live.map((r) => r.conversationId)]);
  expect(new Set(tagged.map((t) => live.findIndex((r) => r.conversationId === t.conversation_id)))).toEqual(new Set(predicted.keys()));
}, 600_000);

test('a period holding more than the cap is replayed for its most recent conversations, truncated: true and why', async () => {
  const res = await whatIf(manager, { inboxId, rules: [refundRule], from: '2000-01-01T00:00:00Z', limit: 1 });
  expect(res.status).toBe(200);
  expect(res.body.conversations).toBe(CAP);
  expect(res.body.truncated).toBe(true);
  expect(res.body.truncatedReason).toContain('AUTOMATION_WHAT_IF_MAX_CONVERSATIONS');
  // The most recent 200 are the live round's: there the tag was already on at the second refund message.
  expect(res.body.rules[0].actions[0].conversations).toBe(predicted.size);
  // A period that fits is not truncated.
  const none = await whatIf(manager, { inboxId, rules: [refundRule], from: '2000-01-01T00:00:00Z', to: '2000-01-02T00:00:00Z' });
  expect(none.status).toBe(200);
  expect(none.body).toMatchObject({ conversations: 0, truncated: false, results: [] });
});

test('who may ask, and bad input named by field', async () => {
  expect((await whatIf(agent, { inboxId, rules: [refundRule] })).status).toBe(403);
  const other = await signUp(stack, 'Other Ltd');
  expect((await whatIf(other, { inboxId, rules: [refundRule] })).status).toBe(404);
  const field = async (body: Record<string, unknown>) => {
    const res = await whatIf(manager, { inboxId, ...body });
    expect(res.status).toBe(400);
    return res.body.details?.map((d) => d.field);
  };
  expect(await field({ rules: [{ ...refundRule, trigger: { event: 'message_deleted' } }] })).toEqual(['rules.0.trigger.event']);
  expect(await field({ rules: [{ ...refundRule, trigger: { event: 'conversation_idle', minutes: 0 } }] })).toEqual(['rules.0.trigger.minutes']);
  expect(await field({ rules: [{ ...refundRule, actions: [{ type: 'add_tag' }] }] })).toEqual(['rules.0.actions.0.tag']);
  expect(await field({ rules: [{ ...refundRule, surprise: 1 }] })).toEqual(['rules.0.surprise']);
  expect(await field({ rules: [refundRule], last: CAP + 1 })).toEqual(['last']);
  expect(await field({ rules: [refundRule], last: 5, from: '2026-01-01T00:00:00Z' })).toEqual(['last']);
  expect(await field({})).toEqual(['rules']);
  expect(await field({ rules: [refundRule], ruleIds: [randomUUID()] })).toEqual(['ruleIds']);
  expect(await field({ rules: [refundRule], cursor: 'garbage' })).toEqual(['cursor']);
  // Every problem of every draft in one answer, named by the draft (the rules API's own checks).
  expect(await field({ rules: [{ ...refundRule, conditions: { all: [{ attribute: 'message.colour', operator: 'equals', value: 'red' }] } }, { ...refundRule, actions: [{ type: 'assign_team', teamId: randomUUID() }] }] })).toEqual([
    'rules.0.conditions.all.0.attribute',
    'rules.1.actions.0.teamId',
  ]);
  // A saved rule that does not exist (or is another account's) is not found.
  const missing = await whatIf(manager, { inboxId, ruleIds: [randomUUID()] });
  expect(missing.status).toBe(404);
});

test('hidden contact attributes: a manager may not read them in a draft, and sees them masked in a saved rule\'s results; an administrator sees the value', async () => {
  const SECRET = 'platinum-7731';
  const attribute = await as<{ id: string }>(admin, 'POST', '/api/v1/contact-attributes', { key: 'tier', label: 'Tier', type: 'text', visible: false });
  expect(attribute.status).toBe(201);
  const vault = await as<{ id: string }>(admin, 'POST', '/api/v1/inboxes', { name: 'Vault', channelType: 'api', settings: { assignmentMode: 'open' } });
  expect(vault.status).toBe(201);
  expect((await as(admin, 'PUT', `/api/v1/inboxes/${vault.body.id}/members/${manager.id}`, { role: 'manager' })).status).toBe(200);
  const sourceId = `vault-${randomUUID()}`;
  const firstMessage = await as<{ conversationId: string; contactId: string }>(admin, 'POST', `/api/v1/inboxes/${vault.body.id}/inbound-messages`, { contact: { sourceId }, content: 'hello' });
  expect(firstMessage.status).toBe(201);
  // The facts are those of the pass over the event: let the first message's pass run before the attribute is set.
  await allProcessed([firstMessage.body.conversationId]);
  expect((await as(admin, 'PATCH', `/api/v1/contacts/${firstMessage.body.contactId}`, { attributes: { tier: SECRET } })).status).toBe(200);
  expect((await as(admin, 'POST', `/api/v1/inboxes/${vault.body.id}/inbound-messages`, { contact: { sourceId }, content: 'upgrade me' })).status).toBe(201);
  await allProcessed([firstMessage.body.conversationId]);

  const onTier = { all: [{ attribute: 'contact.attributes.tier', operator: 'equals', value: SECRET }] };
  const draft = await whatIf(manager, { inboxId: vault.body.id, rules: [{ ...refundRule, conditions: onTier }] });
  expect(draft.status).toBe(400);
  expect(draft.body.details).toEqual([{ field: 'rules.0.conditions.all.0.attribute', problem: expect.stringContaining('hidden contact attribute') }]);

  // An administrator's saved rule reads it (disabled: it never ran for real).
  const saved = await as<{ id: string }>(admin, 'POST', '/api/v1/automation-rules', {
    name: 'Tier',
    inboxId: vault.body.id,
    trigger: { event: 'message_received' },
    conditions: { any: [{ attribute: 'contact.attributes.tier', operator: 'is_present' }] },
    actions: [{ type: 'add_tag', tag: 'tiered' }],
  });
  expect(saved.status).toBe(201);
  const ruleId = saved.body.id;
  const byAdmin = await whatIf(admin, { inboxId: vault.body.id, ruleIds: [ruleId] });
  const byManager = await whatIf(manager, { inboxId: vault.body.id, ruleIds: [ruleId] });
  expect([byAdmin.status, byManager.status]).toEqual([200, 200]);
  for (const res of [byAdmin, byManager]) {
    expect(res.body.rules[0]).toMatchObject({ ruleId, conversations: 1, firings: 1 });
    expect(res.body.results).toHaveLength(1);
  }
  expect(byAdmin.body.results[0].firings[0].explanation).toContain(SECRET);
  expect(JSON.stringify(byManager.body)).not.toContain(SECRET);
  expect(byManager.body.results[0].firings[0].explanation).toContain('(hidden attribute)');
  // A saved rule of another inbox would never apply there.
  const elsewhere = await whatIf(manager, { inboxId, ruleIds: [ruleId] });
  expect(elsewhere.status).toBe(400);
  expect(elsewhere.body.details?.[0].field).toBe('ruleIds.0');
});
