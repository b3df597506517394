/**
 * The rules API on the real stack (PostgreSQL, Temporal, the API and a worker): CRUD, order and
 * version; two concurrent moves; who may do what; every kind of bad input as a 400 naming the field;
 * "test" changes nothing; "why" after a real firing (and for a rule that did not match); the firing
 * log and its counts; a saved time-based rule reaches a running conversation without any new event.
 * The engine's own behaviour (order, time-based, loop guard, exactly once) is automation.spec.ts's.
 */
import { randomUUID } from 'node:crypto';
import { EntityManager } from '@mikro-orm/postgresql';
import { eventually, http, signUp, startTestStack, type TestStack } from '../support/test-stack';

interface ErrorBody {
  statusCode: number;
  message: string;
  details?: { field: string; problem: string }[];
}
interface RuleView {
  id: string;
  name: string;
  inboxId: string | null;
  enabled: boolean;
  position: number;
  version: number;
  canEdit: boolean;
  trigger: Record<string, unknown>;
  actions: Record<string, unknown>[];
}
type User = { id: string; token: string };
const sourceOf = new Map<string, string>();

let stack: TestStack;
let admin: Awaited<ReturnType<typeof signUp>>;
let other: Awaited<ReturnType<typeof signUp>>;
let manager: User;
let member: User;
let support: string;
let sales: string;

const as = <T = unknown>(who: { token: string }, method: string, path: string, body?: unknown) => http<T>(stack, method, path, body, who.token);
const sql = <T>(query: string, params: unknown[] = []) => stack.api.get(EntityManager).fork().execute<T[]>(query, params);

async function createUser(name: string): Promise<User> {
  const email = `rules-${name.toLowerCase()}-${randomUUID().slice(0, 8)}@example.com`;
  const created = await as<{ id: string }>(admin, 'POST', '/api/v1/users', { name, email, password: 'correct horse battery' });
  expect(created.status).toBe(201);
  const login = await http<{ token: string }>(stack, 'POST', '/api/v1/auth/login', { email, password: 'correct horse battery' });
  return { id: created.body.id, token: login.body.token };
}

async function rule(who: { token: string }, body: Record<string, unknown>): Promise<RuleView> {
  const res = await as<RuleView>(who, 'POST', '/api/v1/automation-rules', { trigger: { event: 'message_received' }, actions: [{ type: 'add_tag', tag: 'x' }], ...body });
  if (res.status !== 201) throw new Error(`rule: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

async function inbound(inboxId: string, sourceId: string, content: string): Promise<{ conversationId: string; contactId: string; messageId: string }> {
  const res = await as<{ conversationId: string; contactId: string; messageId: string }>(admin, 'POST', `/api/v1/inboxes/${inboxId}/inbound-messages`, { contact: { sourceId, name: 'Rita Rules' }, content });
  expect(res.status).toBe(201);
  return res.body;
}

/** The conversation's events all went through the rules. */
const settled = (conversationId: string) =>
  eventually(
    async () => ((await sql<{ n: string }>(`select count(*) as n from conversation_events where conversation_id = ? and processed_at is null`, [conversationId]))[0].n === '0' ? true : undefined),
    20_000,
    `events of ${conversationId} processed`,
  );

const tagsOf = async (conversationId: string) => (await sql<{ tag: string }>(`select tag from conversation_tags where conversation_id = ? order by tag`, [conversationId])).map((r) => r.tag);

/** Positions as stored, in order. */
const storedOrder = async (accountId: string) => sql<{ id: string; position: number }>(`select id, position from automation_rules where account_id = ? order by position, created_at, id`, [accountId]);

beforeAll(async () => {
  stack = await startTestStack({ env: { AUTOMATION_MIN_DURATION_SECONDS: '1', LOGIN_MAX_FAILURES: '1000' } });
  admin = await signUp(stack, 'Rules Ltd');
  other = await signUp(stack, 'Other Ltd');
  manager = await createUser('Manager');
  member = await createUser('Member');
  const a = await as<{ id: string }>(admin, 'POST', '/api/v1/inboxes', { name: 'Support', channelType: 'api' });
  const b = await as<{ id: string }>(admin, 'POST', '/api/v1/inboxes', { name: 'Sales', channelType: 'api' });
  [support, sales] = [a.body.id, b.body.id];
  expect((await as(admin, 'PUT', `/api/v1/inboxes/${support}/members/${manager.id}`, { role: 'manager' })).status).toBe(200);
  expect((await as(admin, 'PUT', `/api/v1/inboxes/${support}/members/${member.id}`, { role: 'member' })).status).toBe(200);
}, 120_000);

afterAll(async () => {
  await stack?.close();
});

describe('CRUD, order and version', () => {
  test('create (disabled by default, last), read, change (version +1 per change, none for no change), enable, stale edit 409, delete', async () => {
    const first = await rule(admin, { name: 'First', inboxId: support });
    expect(first).toMatchObject({ name: 'First', inboxId: support, enabled: false, version: 1, canEdit: true, trigger: { event: 'message_received' } });
    const second = await rule(admin, { name: 'Second', enabled: true, actions: [{ type: 'add_tag', tag: '  Big   Deal ' }] });
    expect(second).toMatchObject({ inboxId: null, enabled: true, position: first.position + 1, actions: [{ type: 'add_tag', tag: 'big deal' }] });

    const got = await as<RuleView>(admin, 'GET', `/api/v1/automation-rules/${first.id}`);
    expect(got.body).toMatchObject({ id: first.id, version: 1 });

    const renamed = await as<RuleView>(admin, 'PATCH', `/api/v1/automation-rules/${first.id}`, { name: 'First renamed', stopProcessing: true });
    expect(renamed.body).toMatchObject({ name: 'First renamed', version: 2 });
    const same = await as<RuleView>(admin, 'PATCH', `/api/v1/automation-rules/${first.id}`, { name: 'First renamed', trigger: { event: 'message_received' } });
    expect(same.body.version).toBe(2);
    const enabled = await as<RuleView>(admin, 'PATCH', `/api/v1/automation-rules/${first.id}`, { enabled: true });
    expect(enabled.body).toMatchObject({ enabled: true, version: 3 });
    const stale = await as<ErrorBody>(admin, 'PATCH', `/api/v1/automation-rules/${first.id}`, { enabled: false, expectedVersion: 2 });
    expect(stale.status).toBe(409);
    expect(stale.body.details).toEqual([{ field: 'expectedVersion', problem: 'the rule changed since: it is at version 3' }]);

    const removed = await as(admin, 'DELETE', `/api/v1/automation-rules/${first.id}`);
    expect(removed.status).toBe(204);
    expect((await as(admin, 'GET', `/api/v1/automation-rules/${first.id}`)).status).toBe(404);
    const order = await storedOrder(admin.accountId);
    expect(order.map((r) => r.position)).toEqual(order.map((_, i) => i));
    expect(order.map((r) => r.id)).toContain(second.id);
  });

  test('move and full reorder: dense positions, versions unchanged; a reorder must list every rule once', async () => {
    const account = await signUp(stack, 'Order Ltd');
    const rules: RuleView[] = [];
    for (const name of ['A', 'B', 'C', 'D']) rules.push(await rule(account, { name }));
    const [a, b, c, d] = rules;
    const moved = await as<{ items: RuleView[] }>(account, 'POST', `/api/v1/automation-rules/${d.id}/move`, { position: 0 });
    expect(moved.status).toBe(200);
    expect(moved.body.items.map((r) => [r.name, r.position, r.version])).toEqual([['D', 0, 1], ['A', 1, 1], ['B', 2, 1], ['C', 3, 1]]);
    const last = await as<{ items: RuleView[] }>(account, 'POST', `/api/v1/automation-rules/${d.id}/move`, { position: 99 });
    expect(last.body.items.map((r) => r.name)).toEqual(['A', 'B', 'C', 'D']);

    const reordered = await as<{ items: RuleView[] }>(account, 'PUT', '/api/v1/automation-rules/order', { ids: [c.id, a.id, d.id, b.id] });
    expect(reordered.status).toBe(200);
    expect(reordered.body.items.map((r) => `${r.name}${r.position}`)).toEqual(['C0', 'A1', 'D2', 'B3']);
    expect((await storedOrder(account.accountId)).map((r) => r.id)).toEqual([c.id, a.id, d.id, b.id]);

    const missing = await as<ErrorBody>(account, 'PUT', '/api/v1/automation-rules/order', { ids: [c.id, a.id, d.id] });
    expect(missing.status).toBe(400);
    expect(missing.body.details).toEqual([{ field: 'ids', problem: `must list every rule of your account once; missing 1: ${b.id}` }]);
    const foreign = await as<ErrorBody>(account, 'PUT', '/api/v1/automation-rules/order', { ids: [c.id, a.id, d.id, b.id, randomUUID()] });
    expect(foreign.status).toBe(404);
    const twice = await as<ErrorBody>(account, 'PUT', '/api/v1/automation-rules/order', { ids: [c.id, c.id, d.id, b.id] });
    expect(twice.status).toBe(400);
    expect(twice.body.details).toEqual([{ field: 'ids', problem: 'must list each rule once' }]);
    const twiceInCase = await as<ErrorBody>(account, 'PUT', '/api/v1/automation-rules/order', { ids: [c.id, a.id.toUpperCase(), a.id, d.id, b.id] });
    expect(twiceInCase.body.details).toEqual([{ field: 'ids', problem: 'must list each rule once' }]);
    // Nothing of the refused reorders was written.
    expect((await storedOrder(account.accountId)).map((r) => r.id)).toEqual([c.id, a.id, d.id, b.id]);
  });

  test('concurrent moves keep the order a permutation 0..n-1 (the account lock serialises them)', async () => {
    const account = await signUp(stack, 'Race Ltd');
    const ids: string[] = [];
    for (let i = 0; i < 8; i++) ids.push((await rule(account, { name: `R${i}` })).id);
    const moves = Array.from({ length: 24 }, (_, i) => ({ id: ids[(i * 5) % ids.length], position: (i * 3) % ids.length }));
    const results = await Promise.all(moves.map((m) => as(account, 'POST', `/api/v1/automation-rules/${m.id}/move`, { position: m.position })));
    expect(results.map((r) => r.status)).toEqual(moves.map(() => 200));
    const order = await storedOrder(account.accountId);
    expect(order.map((r) => r.position)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect([...order.map((r) => r.id)].sort()).toEqual([...ids].sort());
    // And a create racing the moves lands in the order too.
    const [created] = await Promise.all([rule(account, { name: 'late' }), as(account, 'POST', `/api/v1/automation-rules/${ids[0]}/move`, { position: 7 })]);
    const after = await storedOrder(account.accountId);
    expect(after.map((r) => r.position)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8]);
    expect(after.map((r) => r.id)).toContain(created.id);
  });
});

describe('access', () => {
  test('a manager: rules of their inbox (create, change, move, delete); account-wide rules read-only; other inboxes 403; team members 403; another account 404', async () => {
    const mine = await rule(manager, { name: 'Support only', inboxId: support });
    expect(mine.canEdit).toBe(true);
    const accountWide = await rule(admin, { name: 'Everywhere' });
    const salesRule = await rule(admin, { name: 'Sales only', inboxId: sales });

    const wide = await as<ErrorBody>(manager, 'POST', '/api/v1/automation-rules', { name: 'x', trigger: { event: 'message_received' }, actions: [{ type: 'unassign' }] });
    expect(wide.status).toBe(403);
    expect(wide.body.message).toMatch(/administrator role/);
    expect((await as(manager, 'POST', '/api/v1/automation-rules', { name: 'x', inboxId: sales, trigger: { event: 'message_received' }, actions: [{ type: 'unassign' }] })).status).toBe(403);

    const listed = await as<{ items: RuleView[] }>(manager, 'GET', '/api/v1/automation-rules');
    const names = listed.body.items.map((r) => r.name);
    expect(names).toEqual(expect.arrayContaining(['Support only', 'Everywhere']));
    expect(names).not.toContain('Sales only');
    expect(listed.body.items.find((r) => r.id === accountWide.id)?.canEdit).toBe(false);
    const ofSupport = await as<{ items: RuleView[] }>(manager, 'GET', `/api/v1/automation-rules?inboxId=${support}`);
    expect(ofSupport.body.items.every((r) => r.inboxId === null || r.inboxId === support)).toBe(true);
    expect((await as(manager, 'GET', `/api/v1/automation-rules?inboxId=${sales}`)).status).toBe(403);

    expect((await as(manager, 'GET', `/api/v1/automation-rules/${accountWide.id}`)).status).toBe(200);
    expect((await as(manager, 'PATCH', `/api/v1/automation-rules/${accountWide.id}`, { name: 'mine now' })).status).toBe(403);
    expect((await as(manager, 'GET', `/api/v1/automation-rules/${salesRule.id}`)).status).toBe(403);
    expect((await as(manager, 'PATCH', `/api/v1/automation-rules/${mine.id}`, { inboxId: null })).status).toBe(403);
    expect((await as(manager, 'PATCH', `/api/v1/automation-rules/${mine.id}`, { inboxId: sales })).status).toBe(403);
    expect((await as(manager, 'POST', `/api/v1/automation-rules/${mine.id}/move`, { position: 0 })).status).toBe(200);
    expect((await as(manager, 'PUT', '/api/v1/automation-rules/order', { ids: [mine.id] })).status).toBe(403);

    for (const path of ['/api/v1/automation-rules', `/api/v1/automation-rules/${mine.id}`]) expect((await as(member, 'GET', path)).status).toBe(403);
    expect((await as(other, 'GET', `/api/v1/automation-rules/${mine.id}`)).status).toBe(404);
    expect((await as(other, 'DELETE', `/api/v1/automation-rules/${mine.id}`)).status).toBe(404);
    expect((await as(manager, 'DELETE', `/api/v1/automation-rules/${mine.id}`)).status).toBe(204);
  });
});

describe('validation: 400 naming the field and the problem', () => {
  const attempt = (who: { token: string }, body: Record<string, unknown>) =>
    as<ErrorBody>(who, 'POST', '/api/v1/automation-rules', { name: 'Bad', inboxId: support, trigger: { event: 'message_received' }, actions: [{ type: 'add_tag', tag: 'x' }], ...body });

  test('trigger, conditions, actions and the DTO', async () => {
    const cases: [Record<string, unknown>, string, RegExp][] = [
      [{ name: undefined }, 'name', /is required/],
      [{ trigger: { event: 'message_recieved' } }, 'trigger.event', /unknown event "message_recieved" \(did you mean "message_received"\?\)/],
      [{ trigger: { event: 'status_changed', to: ['closed'] } }, 'trigger.to.0', /must be a status/],
      [{ trigger: { event: 'customer_unresponsive', minutes: 0.001 } }, 'trigger.minutes', /must be at least .*AUTOMATION_MIN_DURATION_SECONDS is 1/],
      [{ trigger: { event: 'in_status', minutes: 5, status: 'closed' } }, 'trigger.status', /must be one of/],
      [{ conditions: { all: [{ attribute: 'contact.attributes.plan', operator: 'equals', value: 'x' }] } }, 'conditions.all.0.attribute', /unknown contact attribute "plan"/],
      [{ conditions: { all: [{ attribute: 'conversation.status', operator: 'greater_than', value: 'open' }] } }, 'conditions.all.0.operator', /does not fit conversation.status/],
      [{ conditions: { any: [{ attribute: 'time.weekday', operator: 'equals', value: 'funday' }] } }, 'conditions.any.0.value', /must be a weekday/],
      [{ actions: [{ type: 'launch_rocket' }] }, 'actions.0.type', /unknown action "launch_rocket"/],
      [{ actions: [{ type: 'set_status', status: 'new' }] }, 'actions.0.status', /must be one of pending, resolved, open/],
      [{ actions: [{ type: 'set_priority', priority: 7 }] }, 'actions.0.priority', /from 0 to 4/],
      [{ actions: [{ type: 'assign_team' }] }, 'actions.0.teamId', /is required/],
      [{ actions: [{ type: 'send_message', content: 'Hi {{contact.shoe_size}}' }] }, 'actions.0.content', /unknown variable \{\{contact.shoe_size\}\}/],
      [{ actions: [{ type: 'move_to_inbox', inboxId: support }] }, 'actions.0.inboxId', /is the inbox this rule is limited to/],
      [{ actions: [{ type: 'assign_agent', userId: member.id }], inboxId: sales }, 'actions.0.userId', /is not a member of inbox "Sales"/],
      [{ actions: Array.from({ length: 21 }, () => ({ type: 'unassign' })) }, 'actions', /at most 20 actions/],
    ];
    for (const [body, field, problem] of cases) {
      const res = await attempt(admin, body);
      if (res.status !== 400) throw new Error(`${JSON.stringify(body)}: ${res.status} ${JSON.stringify(res.body)}`);
      expect(res.body.details).toEqual([{ field, problem: expect.stringMatching(problem) }]);
      expect(res.body.message).toContain(field);
    }
    // Several problems at once, each named.
    const many = await attempt(admin, { trigger: { event: 'nope' }, actions: [{ type: 'add_tag' }, { type: 'set_priority', priority: -1 }] });
    expect(many.body.details?.map((d) => d.field)).toEqual(['trigger.event', 'actions.0.tag', 'actions.1.priority']);
    expect((await as<{ items: RuleView[] }>(admin, 'GET', '/api/v1/automation-rules')).body.items.map((r) => r.name)).not.toContain('Bad');
  });

  test("targets of another account: team, agent, inbox, saved reply -> 400 (another account's team as a target)", async () => {
    const team = await as<{ id: string }>(other, 'POST', '/api/v1/teams', { name: 'Their billing' });
    const inbox = await as<{ id: string }>(other, 'POST', '/api/v1/inboxes', { name: 'Theirs', channelType: 'api' });
    const reply = await as<{ id: string }>(other, 'POST', '/api/v1/saved-replies', { scope: 'inbox', inboxId: inbox.body.id, shortcut: 'theirs', content: 'hello' });
    expect([team.status, inbox.status, reply.status]).toEqual([201, 201, 201]);
    await as(admin, 'PATCH', '/api/v1/account', { settings: { allowMoveBetweenInboxes: true } });
    const cases: [Record<string, unknown>, string, RegExp][] = [
      [{ type: 'assign_team', teamId: team.body.id }, 'actions.0.teamId', new RegExp(`no team ${team.body.id} in your account`)],
      [{ type: 'assign_agent', userId: other.userId }, 'actions.0.userId', /no user .* in your account/],
      [{ type: 'move_to_inbox', inboxId: inbox.body.id }, 'actions.0.inboxId', /no inbox .* in your account/],
      [{ type: 'send_saved_reply', savedReplyId: reply.body.id }, 'actions.0.savedReplyId', /no saved reply .* in your account/],
    ];
    for (const [action, field, problem] of cases) {
      const res = await attempt(admin, { actions: [action] });
      if (res.status !== 400) throw new Error(`${JSON.stringify(action)}: ${res.status} ${JSON.stringify(res.body)}`);
      expect(res.body.details).toEqual([{ field, problem: expect.stringMatching(problem) }]);
    }
    // The same kinds of targets of this account pass.
    const ours = await as<{ id: string }>(admin, 'POST', '/api/v1/teams', { name: 'Our billing' });
    const ok = await attempt(admin, { name: 'Good targets', actions: [{ type: 'assign_team', teamId: ours.body.id }, { type: 'move_to_inbox', inboxId: sales }, { type: 'assign_agent', userId: member.id }] });
    expect(ok.status).toBe(201);
  });

  test('hidden contact attributes: a manager may not name them in a template or a condition; an administrator may', async () => {
    expect((await as(admin, 'POST', '/api/v1/contact-attributes', { key: 'risk', label: 'Risk', type: 'text', visible: false })).status).toBe(201);
    const template = { actions: [{ type: 'add_note', content: 'Risk: {{contact.risk}}' }] };
    const condition = { conditions: { all: [{ attribute: 'contact.attributes.risk', operator: 'equals', value: 'high' }] } };
    const t = await attempt(manager, template);
    expect(t.status).toBe(400);
    expect(t.body.details).toEqual([{ field: 'actions.0.content', problem: expect.stringMatching(/unknown variable \{\{contact.risk\}\}/) }]);
    const c = await attempt(manager, condition);
    expect(c.status).toBe(400);
    expect(c.body.details).toEqual([{ field: 'conditions.all.0.attribute', problem: expect.stringMatching(/hidden contact attribute/) }]);
    const byAdmin = await attempt(admin, { name: 'Admin risk', ...template, ...condition });
    expect(byAdmin.status).toBe(201);
    // The manager can still rename the administrator's rule (what they write is checked, not what they keep).
    const renamed = await as<RuleView>(manager, 'PATCH', `/api/v1/automation-rules/${(byAdmin.body as unknown as RuleView).id}`, { name: 'Risk (renamed)' });
    expect(renamed.status).toBe(200);
    const rewritten = await as<ErrorBody>(manager, 'PATCH', `/api/v1/automation-rules/${(byAdmin.body as unknown as RuleView).id}`, template);
    expect(rewritten.status).toBe(400);
  });
});

describe('explain: test, why, firing log', () => {
  test('POST /test on a real conversation: per-condition results, described actions, timer; nothing written or sent', async () => {
    const conv = await inbound(support, `test-${randomUUID()}`, 'Where is my refund?');
    await settled(conv.conversationId);
    const counts = async () =>
      (
        await sql<Record<string, string>>(
          `select (select count(*) from messages where conversation_id = ?) as messages, (select count(*) from conversation_events where conversation_id = ?) as events,
                  (select count(*) from automation_runs where conversation_id = ?) as runs, (select count(*) from automation_firings where conversation_id = ?) as firings,
                  (select count(*) from conversation_decisions where conversation_id = ?) as decisions, (select count(*) from conversation_tags where conversation_id = ?) as tags,
                  (select status || priority from conversations where id = ?) as state`,
          Array(7).fill(conv.conversationId),
        )
      )[0];
    const before = await counts();
    const draft = {
      name: 'Refunds',
      inboxId: support,
      trigger: { event: 'message_received' },
      conditions: { all: [{ attribute: 'message.content', operator: 'contains', value: 'refund' }, { any: [{ attribute: 'contact.vip', operator: 'equals', value: true }, { attribute: 'conversation.priority', operator: 'less_than', value: 3 }] }] },
      actions: [{ type: 'add_tag', tag: 'refund' }, { type: 'set_priority', priority: 3 }, { type: 'send_message', content: 'Hi {{contact.name}}, we are on it.' }, { type: 'set_status', status: 'resolved' }],
    };
    const res = await as<{
      matched: boolean;
      wouldFire: boolean;
      triggerMatches: boolean;
      event: { type: string; synthetic: boolean };
      trace: { all: unknown[]; matched: boolean };
      explanation: string;
      actions: { type: string; description: string; text?: string }[];
      verdict: string;
    }>(manager, 'POST', '/api/v1/automation-rules/test', { rule: draft, conversationId: conv.conversationId });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ matched: true, wouldFire: true, triggerMatches: true, event: { type: 'message_received', synthetic: true } });
    expect(res.body.trace.all[0]).toEqual({ attribute: 'message.content', operator: 'contains', expected: 'refund', actual: 'Where is my refund?', passed: true });
    expect(res.body.explanation).toMatch(/^all of \(message\.content contains "refund" \(was "Where is my refund\?"\) ✓, any of \(/);
    expect(res.body.actions.map((a) => a.description)).toEqual([
      'add tag "refund"',
      'set priority none -> high',
      'send the message "Hi Rita Rules, we are on it."',
      expect.stringMatching(/^set status (new|open) -> resolved$/),
    ]);
    // Another event: a message that does not mention a refund.
    const no = await as<{ matched: boolean; wouldFire: boolean; verdict: string }>(manager, 'POST', '/api/v1/automation-rules/test', {
      rule: draft,
      conversationId: conv.conversationId,
      event: { type: 'message_received', data: { content: 'thanks!' } },
    });
    expect(no.body).toMatchObject({ matched: false, wouldFire: false });
    expect(no.body.verdict).toMatch(/would not fire: its conditions do not hold: all of \(message\.content contains "refund" \(was "thanks!"\) ✗/);
    const wrongEvent = await as<{ triggerMatches: boolean; triggerExplanation: string }>(manager, 'POST', '/api/v1/automation-rules/test', {
      rule: draft,
      conversationId: conv.conversationId,
      event: { type: 'tag_added', data: { tag: 'x' } },
    });
    expect(wrongEvent.body).toMatchObject({ triggerMatches: false, triggerExplanation: 'the rule runs on message_received events, not tag_added' });

    // A time-based draft: when its timer would be due.
    const timed = await as<{ timer: { anchor: string | null; dueAt: string | null; due: boolean }; triggerMatches: boolean }>(manager, 'POST', '/api/v1/automation-rules/test', {
      rule: { trigger: { event: 'agent_unresponsive', minutes: 30 }, actions: [{ type: 'add_tag', tag: 'late' }] },
      conversationId: conv.conversationId,
    });
    expect(timed.status).toBe(200);
    expect(timed.body.triggerMatches).toBe(true);
    expect(Date.parse(timed.body.timer.dueAt!) - Date.parse(timed.body.timer.anchor!)).toBe(30 * 60_000);
    expect(timed.body.timer.due).toBe(false);

    // A bad draft is a 400 like a create; a saved rule can be tested too.
    const bad = await as<ErrorBody>(manager, 'POST', '/api/v1/automation-rules/test', { rule: { ...draft, actions: [{ type: 'nope' }] }, conversationId: conv.conversationId });
    expect(bad.status).toBe(400);
    expect(bad.body.details).toEqual([{ field: 'rule.actions.0.type', problem: expect.stringMatching(/unknown action "nope"/) }]);
    const saved = await rule(manager, { ...draft, name: 'Saved refunds' });
    const savedTest = await as<{ rule: { id: string; version: number; enabled: boolean }; wouldFire: boolean; verdict: string }>(manager, 'POST', '/api/v1/automation-rules/test', {
      ruleId: saved.id,
      conversationId: conv.conversationId,
    });
    expect(savedTest.body).toMatchObject({ rule: { id: saved.id, version: 1, enabled: false }, wouldFire: false });
    expect(savedTest.body.verdict).toMatch(/would fire, but it is disabled/);
    expect((await as(member, 'POST', '/api/v1/automation-rules/test', { ruleId: saved.id, conversationId: conv.conversationId })).status).toBe(403);
    expect((await as(manager, 'POST', '/api/v1/automation-rules/test', { rule: draft, ruleId: saved.id, conversationId: conv.conversationId })).status).toBe(400);
    for (const messageId of ['abc', '99999999']) {
      const res = await as<ErrorBody>(manager, 'POST', '/api/v1/automation-rules/test', { rule: draft, conversationId: conv.conversationId, event: { type: 'message_received', data: { messageId } } });
      expect(res.status).toBe(400);
      expect(res.body.details?.[0].field).toBe('event.data.messageId');
    }
    const onMessage = await as<{ matched: boolean }>(manager, 'POST', '/api/v1/automation-rules/test', {
      rule: draft,
      conversationId: conv.conversationId,
      event: { type: 'message_received', data: { messageId: conv.messageId } },
    });
    expect(onMessage.body.matched).toBe(true);

    expect(await counts()).toEqual(before);
    await as(admin, 'DELETE', `/api/v1/automation-rules/${saved.id}`);
  });

  test('hidden attribute values are masked in the test answer for a manager, shown to an administrator', async () => {
    await as(admin, 'POST', '/api/v1/contact-attributes', { key: 'tier', label: 'Tier', type: 'text', visible: false });
    const source = `hidden-${randomUUID()}`;
    const conv = await inbound(support, source, 'hello');
    sourceOf.set(conv.conversationId, source);
    await settled(conv.conversationId);
    expect((await as(admin, 'PATCH', `/api/v1/contacts/${conv.contactId}`, { attributes: { tier: 'PLATINUM-7' } })).status).toBe(200);
    const saved = await rule(admin, { name: 'Tier', inboxId: support, conditions: { all: [{ attribute: 'contact.attributes.tier', operator: 'starts_with', value: 'PLAT' }] } });
    const asManager = await as<{ trace: { all: { actual: unknown; passed: boolean }[] }; explanation: string; facts: { contact: { attributes: Record<string, unknown> } } }>(
      manager,
      'POST',
      '/api/v1/automation-rules/test',
      { ruleId: saved.id, conversationId: conv.conversationId },
    );
    expect(asManager.status).toBe(200);
    expect(asManager.body.trace.all[0]).toMatchObject({ actual: '(hidden attribute)', passed: true });
    expect(asManager.body.facts.contact.attributes.tier).toBe('(hidden attribute)');
    expect(JSON.stringify(asManager.body)).not.toContain('PLATINUM-7');
    const asAdmin = await as<{ trace: { all: { actual: unknown }[] } }>(admin, 'POST', '/api/v1/automation-rules/test', { ruleId: saved.id, conversationId: conv.conversationId });
    expect(asAdmin.body.trace.all[0].actual).toBe('PLATINUM-7');

    // Once it fired: "why" and the timeline mask the value for the manager too.
    expect((await as(admin, 'PATCH', `/api/v1/automation-rules/${saved.id}`, { enabled: true })).status).toBe(200);
    const again = await inbound(support, sourceOf.get(conv.conversationId)!, 'me again');
    expect(again.conversationId).toBe(conv.conversationId);
    await eventually(async () => ((await tagsOf(conv.conversationId)).includes('x') ? true : undefined), 20_000, 'the rule fired');
    const why = await as<{ answer: string; items: { evaluations: { trace: { all: { actual: unknown }[] } }[] }[] }>(manager, 'GET', `/api/v1/conversations/${conv.conversationId}/automation?ruleId=${saved.id}`);
    expect(why.body.items[0].evaluations[0].trace.all[0].actual).toBe('(hidden attribute)');
    expect(why.body.answer).toMatch(/^rule "Tier" \(v2\) fired .*\(was \(hidden attribute\)\)/);
    const timeline = await as<{ items: { kind: string; summary: string }[] }>(manager, 'GET', `/api/v1/conversations/${conv.conversationId}/timeline`);
    expect(timeline.body.items.find((i) => i.kind === 'automation')?.summary).toMatch(/was \(hidden attribute\)/);
    for (const body of [why.body, timeline.body]) expect(JSON.stringify(body)).not.toContain('PLATINUM-7');
    const whyAdmin = await as<{ answer: string }>(admin, 'GET', `/api/v1/conversations/${conv.conversationId}/automation?ruleId=${saved.id}`);
    expect(whyAdmin.body.answer).toContain('PLATINUM-7');
    await as(admin, 'DELETE', `/api/v1/automation-rules/${saved.id}`);
  });

  test('why: after a real firing, the firing rule and the one that did not match; a rule that never ran says why; firing log and counts', async () => {
    const account = await signUp(stack, 'Why Ltd');
    const inbox = (await as<{ id: string }>(account, 'POST', '/api/v1/inboxes', { name: 'Help', channelType: 'api' })).body.id;
    const refunds = await rule(account, { name: 'Refunds', enabled: true, conditions: { all: [{ attribute: 'message.content', operator: 'contains', value: 'refund' }] }, actions: [{ type: 'add_tag', tag: 'refund' }] });
    const invoices = await rule(account, { name: 'Invoices', enabled: true, conditions: { all: [{ attribute: 'message.content', operator: 'contains', value: 'invoice' }] }, actions: [{ type: 'add_tag', tag: 'billing' }] });
    const disabled = await rule(account, { name: 'Disabled', conditions: { all: [] }, actions: [{ type: 'add_tag', tag: 'never' }] });
    const onTags = await rule(account, { name: 'On tags', enabled: true, trigger: { event: 'tag_removed' }, actions: [{ type: 'add_tag', tag: 'never' }] });

    const res = await as<{ conversationId: string }>(account, 'POST', `/api/v1/inboxes/${inbox}/inbound-messages`, { contact: { sourceId: `why-${randomUUID()}` }, content: 'I want a refund for order 7' });
    expect(res.status).toBe(201);
    const conversationId = res.body.conversationId;
    await eventually(async () => ((await tagsOf(conversationId)).includes('refund') ? true : undefined), 20_000, 'the refund tag');
    await settled(conversationId);
    expect(await tagsOf(conversationId)).toEqual(['refund']);

    type Why = {
      rule: { id: string } | null;
      answer: string;
      reasons: string[];
      items: { on: { type: string; kind: string }; evaluations: { ruleId: string; version: number; outcome: string; trace: { all: { actual: unknown; passed: boolean }[] }; actions: { type: string; outcome: string }[]; firing: { status: string } | null }[] }[];
    };
    const why = (ruleId: string) => as<Why>(account, 'GET', `/api/v1/conversations/${conversationId}/automation?ruleId=${ruleId}`);
    const fired = await why(refunds.id);
    expect(fired.status).toBe(200);
    const [evaluation] = fired.body.items[0].evaluations;
    expect(fired.body.items[0].on).toMatchObject({ type: 'message_received', kind: 'event' });
    expect(evaluation).toMatchObject({ ruleId: refunds.id, version: 1, outcome: 'fired', actions: [{ type: 'add_tag', outcome: 'done' }], firing: { status: 'done' } });
    expect(fired.body.answer).toMatch(/^rule "Refunds" \(v1\) fired on message received at .*: all of \(message\.content contains "refund" \(was "I want a refund for order 7"\) ✓\); then add tag: tag refund$/);

    const notMatched = await why(invoices.id);
    const [miss] = notMatched.body.items[0].evaluations;
    expect(miss).toMatchObject({ ruleId: invoices.id, outcome: 'not_matched', firing: null, actions: [] });
    expect(miss.trace.all).toEqual([{ attribute: 'message.content', operator: 'contains', expected: 'invoice', actual: 'I want a refund for order 7', passed: false }]);
    expect(notMatched.body.answer).toMatch(/did not fire on message received .*: its conditions did not hold: all of \(message\.content contains "invoice" \(was "I want a refund for order 7"\) ✗\)/);

    const never = await why(disabled.id);
    expect(never.body.items).toEqual([]);
    expect(never.body.reasons[0]).toMatch(/^it is disabled/);
    const noEvent = await why(onTags.id);
    expect(noEvent.body.reasons).toEqual([expect.stringMatching(/^its trigger \(tag removed\) never matched: this conversation had no tag_removed event \(it had .*message_received ×1/)]);
    expect((await why(randomUUID())).status).toBe(404);
    const all = await as<Why>(account, 'GET', `/api/v1/conversations/${conversationId}/automation`);
    expect(all.body.items.find((i) => i.on.type === 'message_received')?.evaluations.map((e) => e.outcome)).toEqual(['fired', 'not_matched']);

    const firings = await as<{ items: { conversationId: string; version: number; status: string; trigger: string; actions: { type: string }[] }[]; nextCursor: string | null }>(
      account,
      'GET',
      `/api/v1/automation-rules/${refunds.id}/firings`,
    );
    expect(firings.body.items).toEqual([expect.objectContaining({ conversationId, version: 1, status: 'done', trigger: 'message received', actions: [expect.objectContaining({ type: 'add_tag' })] })]);
    expect(firings.body.nextCursor).toBeNull();
    const stats = await as<{ totals: Record<string, number>; perDay: { date: string; firings: number }[] }>(account, 'GET', `/api/v1/automation-rules/${refunds.id}/stats?days=3`);
    expect(stats.body.perDay).toHaveLength(3);
    expect(stats.body.totals).toEqual({ evaluations: 1, matched: 1, skipped: 0, firings: 1, failed: 0 });
    expect(stats.body.perDay[2]).toMatchObject({ date: new Date().toISOString().slice(0, 10), firings: 1 });
    const missStats = await as<{ totals: Record<string, number> }>(account, 'GET', `/api/v1/automation-rules/${invoices.id}/stats`);
    expect(missStats.body.totals).toEqual({ evaluations: 1, matched: 0, skipped: 0, firings: 0, failed: 0 });
  }, 60_000);

  test('firing log pages by cursor, newest first', async () => {
    const account = await signUp(stack, 'Pages Ltd');
    const inbox = (await as<{ id: string }>(account, 'POST', '/api/v1/inboxes', { name: 'Pages', channelType: 'api' })).body.id;
    const tagger = await rule(account, { name: 'Tag all', enabled: true, actions: [{ type: 'add_tag', tag: 'seen' }] });
    const conversations: string[] = [];
    for (let i = 0; i < 3; i++) {
      const res = await as<{ conversationId: string }>(account, 'POST', `/api/v1/inboxes/${inbox}/inbound-messages`, { contact: { sourceId: `page-${i}-${randomUUID()}` }, content: `hello ${i}` });
      conversations.push(res.body.conversationId);
      await eventually(async () => ((await tagsOf(res.body.conversationId)).includes('seen') ? true : undefined), 20_000, 'tagged');
    }
    const first = await as<{ items: { conversationId: string }[]; nextCursor: string }>(account, 'GET', `/api/v1/automation-rules/${tagger.id}/firings?limit=2`);
    expect(first.body.items.map((f) => f.conversationId)).toEqual([conversations[2], conversations[1]]);
    const second = await as<{ items: { conversationId: string }[]; nextCursor: string | null }>(account, 'GET', `/api/v1/automation-rules/${tagger.id}/firings?limit=2&cursor=${first.body.nextCursor}`);
    expect(second.body).toEqual({ items: [expect.objectContaining({ conversationId: conversations[0] })], nextCursor: null });
    expect((await as<ErrorBody>(account, 'GET', `/api/v1/automation-rules/${tagger.id}/firings?cursor=garbage`)).status).toBe(400);
  }, 60_000);
});

describe('rules apply at once', () => {
  test('a time-based rule created after the conversation went quiet fires on it without any new event', async () => {
    const account = await signUp(stack, 'Timers Ltd');
    const inbox = (await as<{ id: string }>(account, 'POST', '/api/v1/inboxes', { name: 'Quiet', channelType: 'api' })).body.id;
    const res = await as<{ conversationId: string }>(account, 'POST', `/api/v1/inboxes/${inbox}/inbound-messages`, { contact: { sourceId: `quiet-${randomUUID()}` }, content: 'hello?' });
    const conversationId = res.body.conversationId;
    await settled(conversationId);
    // No rule existed when the workflow last ran its automation step: no timer is armed.
    const created = Date.now();
    await rule(account, { name: 'Idle', enabled: true, trigger: { event: 'conversation_idle', minutes: 4 / 60 }, actions: [{ type: 'add_tag', tag: 'idle' }] });
    await eventually(async () => ((await tagsOf(conversationId)).includes('idle') ? true : undefined), 20_000, 'the idle tag');
    const [firing] = await sql<{ created_at: Date }>(`select created_at from automation_firings where conversation_id = ?`, [conversationId]);
    const [last] = await sql<{ at: Date }>(`select max(created_at) as at from messages where conversation_id = ?`, [conversationId]);
    // Due 4 s after the last message (or at once when that has passed already), not at some later event.
    expect(new Date(firing.created_at).getTime()).toBeGreaterThanOrEqual(new Date(last.at).getTime() + 4000);
    expect(new Date(firing.created_at).getTime() - Math.max(created, new Date(last.at).getTime() + 4000)).toBeLessThan(5000);
  }, 60_000);
});
